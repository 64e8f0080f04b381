import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { EndpointProbe, ProbeOutcome } from './endpoint-health-probe.js';
import type { ResolvedEndpointHealthOptions } from './endpoint-health-options.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';

/**
 * Retries after a failed probe before an endpoint is marked offline: 3 attempts in all
 * (Azure/azure-signalr `RestHealthCheckService.MaxRetries` = 2).
 */
export const HEALTH_CHECK_MAX_RETRIES = 2;

/** Where the monitor writes its one line per change of an endpoint's state. */
export type EndpointHealthLog = (level: 'info' | 'error', message: string) => void;

/** An endpoint with the state only the monitor changes. */
interface EndpointState extends HubServiceEndpoint {
  online: boolean;
}

/** A wait that keeps no process alive and ends at once when the monitor stops. */
function pause(ms: number, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted) return Promise.resolve(false);
  return new Promise((resolve) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      resolve(false);
    };
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve(true);
    }, ms);
    timer.unref();
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describeEndpoint(endpoint: NamedServiceEndpoint): string {
  // The server address only: a connection string's key never reaches a log line.
  return `'${endpoint.name}' (${endpoint.endpoint.serverEndpoint})`;
}

/**
 * Keeps the online state of a hub's service endpoints as the official Management SDK does
 * (Azure/azure-signalr `RestHealthCheckService`): a round probes every endpoint at once; a failing
 * endpoint is tried again after the retry interval, up to 3 attempts, and is then offline; an endpoint
 * whose probe succeeds is online (again). A round runs at start and then a check interval after the
 * previous one ended, only while the hub has more than one endpoint or one of them is offline. Internal:
 * apps see the state through `HubServiceEndpoint.online`.
 */
export class EndpointHealthMonitor {
  /** The endpoints with their current state, in the order given; the same objects for the monitor's life. */
  readonly endpoints: readonly HubServiceEndpoint[];
  readonly #states: readonly EndpointState[];
  readonly #hubName: string;
  readonly #options: ResolvedEndpointHealthOptions;
  readonly #probe: EndpointProbe;
  readonly #log: EndpointHealthLog;
  readonly #stop = new AbortController();
  #timer: NodeJS.Timeout | undefined;
  #round: Promise<void> | undefined;
  #started = false;
  #rounds = 0;

  constructor(
    hubName: string,
    endpoints: readonly NamedServiceEndpoint[],
    options: ResolvedEndpointHealthOptions,
    probe: EndpointProbe,
    log: EndpointHealthLog,
  ) {
    this.#hubName = hubName;
    this.#options = options;
    this.#probe = probe;
    this.#log = log;
    // Online until a round says otherwise, as `ServiceEndpoint.Online` starts.
    this.#states = endpoints.map((item): EndpointState => ({ ...item, online: true }));
    this.endpoints = this.#states;
  }

  /** How many rounds have ended (for tests and diagnostics). */
  get rounds(): number {
    return this.#rounds;
  }

  /** Starts the first round now and the next ones every check interval; does nothing when disabled or started. */
  start(): void {
    if (this.#started || !this.#options.enabled || this.#stop.signal.aborted) return;
    this.#started = true;
    void this.#loop();
  }

  /** Stops the checks: no round starts any more, and a round under way ends without changing anything. */
  dispose(): void {
    this.#stop.abort();
    if (this.#timer !== undefined) clearTimeout(this.#timer);
    this.#timer = undefined;
  }

  /** Runs one round now (or joins the one under way). */
  #checkNow(): Promise<void> {
    this.#round ??= this.#checkRound().finally(() => {
      this.#round = undefined;
    });
    return this.#round;
  }

  async #loop(): Promise<void> {
    await this.#checkNow();
    if (this.#stop.signal.aborted) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      void this.#loop();
    }, this.#options.checkIntervalMs);
    this.#timer.unref();
  }

  async #checkRound(): Promise<void> {
    const states = this.#states;
    // One endpoint is used whatever its health (Azure/azure-signalr `AutoHealthCheckRouter`); an offline
    // one is still checked, to give it its chance to come back.
    if (states.length > 1 || states.some(({ online }) => !online)) {
      await Promise.all(states.map((state) => this.#checkEndpoint(state)));
    }
    if (!this.#stop.signal.aborted) this.#rounds++;
  }

  async #checkEndpoint(state: EndpointState): Promise<void> {
    const signal = this.#stop.signal;
    let outcome: ProbeOutcome | undefined;
    for (let attempt = 0; attempt <= HEALTH_CHECK_MAX_RETRIES; attempt++) {
      if (attempt > 0 && !(await pause(this.#options.retryIntervalMs, signal))) return;
      try {
        outcome = await this.#probe(state.endpoint, signal);
      } catch (error) {
        if (signal.aborted) return;
        // A probe never fails otherwise; if one does, it says the endpoint is not healthy.
        outcome = { healthy: false, reason: error instanceof Error ? error.message : String(error) };
      }
      if (signal.aborted) return;
      if (outcome.healthy) break;
    }
    if (outcome === undefined || outcome.healthy === state.online) return;
    state.online = outcome.healthy;
    const where = `Service endpoint ${describeEndpoint(state)} of hub '${this.#hubName}'`;
    if (outcome.healthy) {
      this.#log('info', `${where} is online again: ${outcome.reason}.`);
    } else {
      this.#log(
        'error',
        `${where} is offline: ${outcome.reason} (${String(HEALTH_CHECK_MAX_RETRIES + 1)} attempts); negotiate leaves it out until a health check succeeds.`,
      );
    }
  }
}
