import type { ClientConnection, ConnectionLifecycle } from '../client/client-connection.js';
import { HubState } from '../hub/hub-state.js';

/**
 * Every client connection of a running emulator: by connection token from negotiate to a while after the
 * end, and by hub (with its users and groups) while connected. The client endpoint, the REST API and the
 * connections themselves go through it; the heartbeat runs its sweep.
 */
export class ConnectionRegistry implements ConnectionLifecycle {
  private readonly hubs = new Map<string, HubState<ClientConnection>>();
  /** Negotiated, live, and recently closed long-polling connections. */
  private readonly connectionsByToken = new Map<string, ClientConnection>();

  /** A connection that a client may now start with its token (negotiated, or connecting without negotiate). */
  add(connection: ClientConnection): void {
    this.connectionsByToken.set(connection.token, connection);
  }

  byToken(token: string): ClientConnection | undefined {
    return this.connectionsByToken.get(token);
  }

  /** The connection's handshake succeeded: it joins its hub, where sends, groups and users reach it. */
  connected(connection: ClientConnection): void {
    this.hubOrNew(connection.hubName).add(connection);
  }

  closed(connection: ClientConnection, answerLatePolls: boolean): void {
    this.hubs.get(connection.hubName)?.remove(connection);
    if (!answerLatePolls) this.connectionsByToken.delete(connection.token);
  }

  /** The hub's state, `undefined` when it has neither connections nor user-group memberships. */
  hub(name: string): HubState<ClientConnection> | undefined {
    return this.hubs.get(name);
  }

  /** The hub's state, created when absent (user-group memberships outlive connections). */
  hubOrNew(name: string): HubState<ClientConnection> {
    let hub = this.hubs.get(name);
    if (hub === undefined) this.hubs.set(name, (hub = new HubState(name)));
    return hub;
  }

  /**
   * Applies every connection's timeouts, forgets the tokens that no client may use any more, the user-group
   * memberships whose TTL passed, and the hubs left empty.
   */
  sweep(now: number): void {
    for (const [token, connection] of this.connectionsByToken)
      if (connection.checkTimeouts(now)) this.connectionsByToken.delete(token);
    for (const [name, hub] of this.hubs) {
      hub.sweepExpired(now);
      if (hub.isEmpty()) this.hubs.delete(name);
    }
  }

  /** Live connections per hub, hubs without any left out. */
  connectionCounts(): Record<string, number> {
    const counts: Record<string, number> = {};
    for (const [name, hub] of this.hubs) if (hub.connectionCount > 0) counts[name] = hub.connectionCount;
    return counts;
  }

  /** Ends every connection (the emulator is stopping) and forgets everything. */
  closeAll(): void {
    for (const connection of this.connectionsByToken.values()) connection.shutDown();
    this.connectionsByToken.clear();
    this.hubs.clear();
  }
}
