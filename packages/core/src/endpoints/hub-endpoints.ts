import { endpointFromSettings } from '../connection/endpoint-from-settings.js';
import { hubEndpointsFromSettings } from '../connection/hub-endpoints-from-settings.js';
import { namedEndpointsFromSettings } from '../connection/named-endpoints-from-settings.js';
import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { defaultEndpointRouter } from './default-endpoint-router.js';
import { EndpointHealthMonitor } from './endpoint-health-monitor.js';
import type { EndpointHealthLog } from './endpoint-health-monitor.js';
import { DEFAULT_ENDPOINT_HEALTH } from './endpoint-health-options.js';
import type { ResolvedEndpointHealthOptions } from './endpoint-health-options.js';
import { httpHealthProbe } from './endpoint-health-probe.js';
import type { EndpointProbe } from './endpoint-health-probe.js';
import type { EndpointRouter } from './endpoint-router.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';
import type { NegotiateRouteContext } from './negotiate-route-context.js';

/** Health lines go to the console unless the app gave a logger. */
export const consoleHealthLog: EndpointHealthLog = (level, message) => {
  if (level === 'error') console.error(message);
  else console.info(message);
};

/** How the endpoints of a hub are watched. */
export interface HubEndpointsHealth {
  readonly options: ResolvedEndpointHealthOptions;
  readonly log: EndpointHealthLog;
  /** The probe; default `HEAD /api/health` over HTTP. */
  readonly probe?: EndpointProbe;
}

/**
 * The service endpoints of one hub for negotiate. Whether the app has named endpoints
 * (`Azure__SignalR__Endpoints__*`) is decided at first use, since listing every setting is too slow for
 * each request: without them, the hub's one connection setting is read on each use as before (parsed
 * once per text, so a changed setting applies) and no router runs unless the app gave one; with them,
 * the endpoints read then are kept, and their health checks start then. Internal to the framework.
 */
export class HubEndpoints {
  readonly #hubName: string;
  readonly #settingName: string;
  readonly #router: EndpointRouter | undefined;
  readonly #health: HubEndpointsHealth;
  // undefined: not decided yet; null: the hub's connection setting alone.
  #endpoints: readonly HubServiceEndpoint[] | null | undefined;
  #monitor: EndpointHealthMonitor | undefined;
  #closed = false;

  constructor(
    hubName: string,
    settingName: string,
    router: EndpointRouter | undefined,
    health: HubEndpointsHealth = { options: DEFAULT_ENDPOINT_HEALTH, log: consoleHealthLog },
  ) {
    this.#hubName = hubName;
    this.#settingName = settingName;
    this.#router = router;
    this.#health = health;
  }

  // Not cached when reading fails, so that a fixed setting applies on the next request.
  #decided(): readonly HubServiceEndpoint[] | null {
    if (this.#endpoints === undefined) {
      if (namedEndpointsFromSettings().length === 0) {
        this.#endpoints = null;
      } else {
        const { options, log, probe } = this.#health;
        const monitor = new EndpointHealthMonitor(
          this.#hubName,
          hubEndpointsFromSettings(this.#settingName),
          options,
          probe ?? httpHealthProbe(options.timeoutMs),
          log,
        );
        this.#monitor = monitor;
        this.#endpoints = monitor.endpoints;
        if (!this.#closed) monitor.start();
      }
    }
    return this.#endpoints;
  }

  /** The named endpoints (live objects, their health kept up to date), or `null` for the one connection setting. */
  named(): readonly HubServiceEndpoint[] | null {
    return this.#decided();
  }

  /** Every endpoint of the hub as negotiate sees it now (the live objects the router gets). */
  list(): readonly HubServiceEndpoint[] {
    return (
      this.#decided() ?? [
        {
          name: '',
          type: 'primary',
          endpoint: endpointFromSettings(this.#settingName),
          setting: this.#settingName,
          online: true,
        },
      ]
    );
  }

  /** A copy of {@link list} that later health checks do not change, for the app. */
  snapshot(): readonly HubServiceEndpoint[] {
    return Object.freeze(this.list().map((item) => Object.freeze({ ...item })));
  }

  /** The endpoint a negotiating client connects to. */
  negotiateEndpoint(context: Omit<NegotiateRouteContext, 'hubName'>): ServiceEndpoint {
    if (this.#decided() === null && this.#router === undefined) return endpointFromSettings(this.#settingName);
    const endpoints = this.list();
    const router = this.#router ?? defaultEndpointRouter;
    // The router is the app's code, maybe JavaScript: check what it returns.
    const chosen: unknown = router.getNegotiateEndpoint({ ...context, hubName: this.#hubName }, endpoints);
    if (!endpoints.includes(chosen as HubServiceEndpoint)) {
      throw new ServerlessHubError(
        'NEGOTIATE_OPTIONS_INVALID',
        `The endpoint router of hub '${this.#hubName}' returned ${chosen === undefined || chosen === null ? String(chosen) : 'an object'} that is not one of the endpoints it was given; return one of them.`,
      );
    }
    return (chosen as NamedServiceEndpoint).endpoint;
  }

  /** Stops the health checks; negotiate goes on with the last known state. */
  close(): void {
    this.#closed = true;
    this.#monitor?.dispose();
  }
}
