import type { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import type { ClientConnection } from '../client/client-connection.js';
import { HubState } from '../hub/hub-state.js';
import type { EmulatorLogger } from '../logging/emulator-logger.js';
import type { UpstreamServices } from '../upstream/upstream-queue.js';

/** The emulator's limits and timings, every option resolved to a value. */
export interface EmulatorLimits {
  readonly keepAliveIntervalMs: number;
  readonly clientTimeoutMs: number;
  readonly handshakeTimeoutMs: number;
  readonly unusedConnectionTimeoutMs: number;
  readonly longPollingTimeoutMs: number;
  readonly longPollingDisconnectTimeoutMs: number;
  readonly maxBufferedBytesPerConnection: number;
  readonly maxMessageSize: number;
  readonly closedConnectionGraceMs: number;
}

/** What every part of a running emulator shares. */
export class EmulatorContext {
  readonly hubs = new Map<string, HubState<ClientConnection>>();
  /** Connections by connection token (negotiated, live, or recently closed long-polling ones). */
  readonly connectionsByToken = new Map<string, ClientConnection>();

  constructor(
    readonly limits: EmulatorLimits,
    readonly logger: EmulatorLogger,
    readonly verifier: AccessTokenVerifier,
    readonly accessKeys: readonly string[],
    readonly upstream: UpstreamServices,
  ) {}

  hub(name: string): HubState<ClientConnection> {
    let hub = this.hubs.get(name);
    if (hub === undefined) this.hubs.set(name, (hub = new HubState(name)));
    return hub;
  }

  existingHub(name: string): HubState<ClientConnection> | undefined {
    return this.hubs.get(name);
  }
}
