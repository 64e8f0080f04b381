import { describe, expect, it } from 'vitest';
import { ClientConnection } from '../client/client-connection.js';
import type { ConnectionEnvironment } from '../client/client-connection.js';
import { createLogger } from '../logging/emulator-logger.js';
import { UpstreamClient } from '../upstream/upstream-client.js';
import { UpstreamRouter } from '../upstream/upstream-router.js';
import { ConnectionRegistry } from './connection-registry.js';
import type { EmulatorLimits } from './emulator-limits.js';

const limits: EmulatorLimits = {
  keepAliveIntervalMs: 15_000,
  clientTimeoutMs: 30_000,
  handshakeTimeoutMs: 15_000,
  unusedConnectionTimeoutMs: 30_000,
  longPollingTimeoutMs: 90_000,
  longPollingDisconnectTimeoutMs: 15_000,
  maxBufferedBytesPerConnection: 1024,
  maxMessageSize: 1024,
  closedConnectionGraceMs: 10_000,
};

function setUp(): {
  registry: ConnectionRegistry;
  connection: (id: string, hub?: string, user?: string) => ClientConnection;
} {
  const registry = new ConnectionRegistry();
  const logger = createLogger({ level: 'silent' });
  const environment: ConnectionEnvironment = {
    limits,
    logger,
    accessKeys: ['key'],
    upstream: {
      router: new UpstreamRouter([{ urlTemplate: 'http://127.0.0.1:1/api/{hub}/{category}/{event}' }]),
      client: new UpstreamClient(1000, 1024),
      logger,
      maxPending: 10,
    },
    lifecycle: registry,
  };
  return {
    registry,
    connection: (id, hub = 'chat', user) =>
      new ClientConnection(id, `token-${id}`, hub, { userId: user, claims: {} }, environment),
  };
}

describe('ConnectionRegistry', () => {
  it('finds a negotiated connection by its token, and a connected one in its hub', () => {
    const { registry, connection } = setUp();
    const a = connection('a', 'chat', 'ann');
    registry.add(a);
    expect(registry.byToken('token-a')).toBe(a);
    expect(registry.hub('chat')).toBeUndefined();
    registry.connected(a);
    expect(registry.hub('chat')?.connection('a')).toBe(a);
    expect([...(registry.hub('chat')?.userConnectionsOf('ann') ?? [])]).toEqual([a]);
    expect(registry.connectionCounts()).toEqual({ chat: 1 });
  });

  it('forgets a closed connection, keeping its token only when late polls must be answered', () => {
    const { registry, connection } = setUp();
    const a = connection('a');
    const b = connection('b');
    for (const c of [a, b]) {
      registry.add(c);
      registry.connected(c);
    }
    registry.closed(a, false);
    registry.closed(b, true);
    expect(registry.byToken('token-a')).toBeUndefined();
    expect(registry.byToken('token-b')).toBe(b);
    expect(registry.hub('chat')?.connection('a')).toBeUndefined();
    expect(registry.hub('chat')?.connection('b')).toBeUndefined();
    expect(registry.connectionCounts()).toEqual({});
  });

  it('sweeps negotiated connections never started, closed ones after the grace time, and empty hubs', () => {
    const { registry, connection } = setUp();
    const unused = connection('unused');
    registry.add(unused);
    const now = Date.now();
    registry.sweep(now);
    expect(registry.byToken('token-unused')).toBe(unused);
    registry.sweep(now + limits.unusedConnectionTimeoutMs + 1000);
    expect(registry.byToken('token-unused')).toBeUndefined();

    registry.hubOrNew('empty');
    registry.hubOrNew('members').addUserToGroup('ann', 'g', 60, now);
    registry.sweep(now);
    expect(registry.hub('empty')).toBeUndefined();
    expect(registry.hub('members')).toBeDefined();
    registry.sweep(now + 61_000);
    expect(registry.hub('members')).toBeUndefined();
  });

  it('closes every connection and forgets everything when the emulator stops', () => {
    const { registry, connection } = setUp();
    const a = connection('a');
    const b = connection('b', 'other');
    for (const c of [a, b]) {
      registry.add(c);
      registry.connected(c);
    }
    registry.closeAll();
    expect(a.isClosed() && b.isClosed()).toBe(true);
    expect(registry.byToken('token-a')).toBeUndefined();
    expect(registry.hub('other')).toBeUndefined();
    expect(registry.connectionCounts()).toEqual({});
  });
});
