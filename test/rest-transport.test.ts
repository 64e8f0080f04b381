// The REST client's transport against a local server: failures, timeouts, cancellation, dropped
// connections and the retry rules (how many requests reach the service, and when none is repeated).
import { Agent } from 'node:http';
import { createConnection, createServer } from 'node:net';
import type { AddressInfo, Socket } from 'node:net';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ServiceHubClient, setCredential } from '@serverless-hub/core/service';
import type { ServiceEndpoint } from '@serverless-hub/core';
import type { ServiceHubClientOptions } from '@serverless-hub/core/service';
import { FakeRestService } from './rest-fake-service.js';
import { rejectionOf } from '../packages/core/src/__fixtures__/rejection-of.js';

let service: FakeRestService;
const agents: Agent[] = [];

beforeEach(async () => {
  service = await FakeRestService.start();
});

afterEach(async () => {
  for (const agent of agents.splice(0)) agent.destroy();
  await service.close();
});

function clientWith(
  options: ServiceHubClientOptions,
  endpoint: ServiceEndpoint = service.endpoint(),
): ServiceHubClient {
  return new ServiceHubClient(endpoint, 'chat', options);
}

/** A port nothing listens on: connecting to it is refused before any byte is sent. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => {
    server.close(() => {
      resolve();
    });
  });
  return port;
}

/** An agent that connects its n-th new socket to `ports[n]` (the last one repeats), counting them. */
class RoutingAgent extends Agent {
  connections = 0;

  constructor(private readonly ports: readonly number[]) {
    super({ keepAlive: false });
    agents.push(this);
  }

  override createConnection(): Socket {
    const port = this.ports[Math.min(this.connections, this.ports.length - 1)]!;
    this.connections++;
    return createConnection({ host: '127.0.0.1', port });
  }
}

describe('failures are typed errors with the status and the service detail', () => {
  it.each([
    [400, 'REST_INVALID_ARGUMENT'],
    [401, 'REST_UNAUTHORIZED'],
    [403, 'REST_SERVICE_ERROR'],
    [404, 'REST_NOT_FOUND'],
    [409, 'REST_SERVICE_ERROR'],
    [429, 'REST_SERVICE_ERROR'],
    [500, 'REST_SERVICE_ERROR'],
  ])('%d → %s', async (status, code) => {
    service.reply = () => ({
      status,
      errorCode: 'Error.Some.Thing',
      body: JSON.stringify({ code: 'Error.Some.Thing', message: 'What went wrong.' }),
    });
    const error = await rejectionOf(clientWith({ retry: false }).userGroups.addToGroup('alice', 'vip'));
    expect(error.code).toBe(code);
    expect(error.status).toBe(status);
    expect(error.details).toEqual({
      attempts: 1,
      errorCode: 'Error.Some.Thing',
      serviceCode: 'Error.Some.Thing',
      serviceMessage: 'What went wrong.',
    });
    expect(error.message).toContain(`PUT /api/hubs/chat/users/alice/groups/vip: the service answered ${status}`);
    expect(error.message).toContain('Error.Some.Thing: What went wrong.');
  });

  it('bounds a huge error body', async () => {
    service.reply = () => ({ status: 500, body: 'e'.repeat(2 * 1024 * 1024) });
    const error = await rejectionOf(clientWith({ retry: false }).groups.removeFromAllGroups('c1'));
    expect(error.code).toBe('REST_SERVICE_ERROR');
    expect(error.message.length).toBeLessThan(1000);
    expect(error.details?.['serviceMessage']).toHaveLength(513);
  });

  it('connection refused is REST_NETWORK', async () => {
    const port = await closedPort();
    const endpoint: ServiceEndpoint = { ...service.endpoint(), serverEndpoint: `http://127.0.0.1:${port}` };
    const error = await rejectionOf(clientWith({ retry: false }, endpoint).clientManager.userExists('alice'));
    expect(error.code).toBe('REST_NETWORK');
    expect(error.message).toContain('ECONNREFUSED');
    expect(error.details).toEqual({ attempts: 1, beforeSend: true });
  });
});

describe('timeouts and cancellation', () => {
  it('a call the service does not answer in time fails with REST_TIMEOUT', async () => {
    service.reply = () => 'hang';
    const error = await rejectionOf(clientWith({ timeoutMs: 300, retry: false }).clientManager.groupExists('room'));
    expect(error.code).toBe('REST_TIMEOUT');
    expect(error.message).toContain('did not answer within 300 ms');
    expect(service.requests).toHaveLength(1);
  });

  it('waits 100 s for an answer by default', async () => {
    let received!: () => void;
    const arrived = new Promise<void>((resolve) => {
      received = resolve;
    });
    service.reply = () => {
      received();
      return 'hang';
    };
    // Only the attempt timer is faked: sockets, the fake service and setImmediate keep real time.
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      let settled = false;
      const call = rejectionOf(clientWith({ retry: false }).clientManager.groupExists('room')).finally(() => {
        settled = true;
      });
      await arrived;
      vi.advanceTimersByTime(99_999);
      await new Promise((resolve) => setImmediate(resolve));
      expect(settled).toBe(false);
      vi.advanceTimersByTime(1);
      const error = await call;
      expect(error.code).toBe('REST_TIMEOUT');
      expect(error.message).toContain('within 100000 ms');
    } finally {
      vi.useRealTimers();
    }
  });

  it('a non-send call is retried after a timeout', async () => {
    service.reply = () => 'hang';
    const error = await rejectionOf(
      clientWith({ timeoutMs: 300, retry: { maxRetries: 2, delayMs: 1 } }).clientManager.groupExists('room'),
    );
    expect(error.code).toBe('REST_TIMEOUT');
    expect(error.details).toEqual({ attempts: 3, beforeSend: false });
    expect(service.requests).toHaveLength(3);
  });

  it('a send that reached the service is not retried after a timeout', async () => {
    service.reply = () => 'hang';
    const error = await rejectionOf(
      clientWith({ timeoutMs: 300, retry: { maxRetries: 2, delayMs: 1 } }).clients.all.send('m'),
    );
    expect(error.code).toBe('REST_TIMEOUT');
    expect(error.details).toEqual({ attempts: 1, beforeSend: false });
    expect(service.requests).toHaveLength(1);
  });

  it('a send that timed out before it got a socket is retried, and never reaches the service twice', async () => {
    // The service never answers, and tells when the first request (the blocker's) has reached it.
    let blockerArrived: () => void = () => undefined;
    const arrived = new Promise<void>((resolve) => {
      blockerArrived = resolve;
    });
    service.reply = () => {
      blockerArrived();
      return 'hang';
    };
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    agents.push(agent);
    // The one socket is taken by a call the service never answers; the send waits for it in the agent.
    // The send starts only once the blocker's request is at the service: before that, signing the two
    // tokens races, and the send could take the socket first.
    const blocker = clientWith({ agent, timeoutMs: 60_000, retry: false }).clientManager.userExists('alice');
    await arrived;
    const error = await rejectionOf(
      clientWith({ agent, timeoutMs: 300, retry: { maxRetries: 2, delayMs: 1 } }).clients.all.send('m'),
    );
    expect(error.code).toBe('REST_TIMEOUT');
    expect(error.details).toEqual({ attempts: 3, beforeSend: true });
    expect(service.requests.map((request) => request.method)).toEqual(['HEAD']);
    agent.destroy();
    await blocker.catch(() => undefined);
  });

  it('an aborted signal sends nothing', async () => {
    const error = await rejectionOf(clientWith({}).clients.all.sendMessage('m', [], { signal: AbortSignal.abort() }));
    expect(error.code).toBe('REST_ABORTED');
    expect(service.requests).toHaveLength(0);
  });

  it('aborting a pending call rejects it with REST_ABORTED and the reason as cause, without retry', async () => {
    const controller = new AbortController();
    service.reply = () => {
      controller.abort(new Error('caller gave up'));
      return 'hang';
    };
    const error = await rejectionOf(clientWith({}).clientManager.userExists('alice', { signal: controller.signal }));
    expect(error.code).toBe('REST_ABORTED');
    expect((error.cause as Error).message).toBe('caller gave up');
    expect(service.requests).toHaveLength(1);
  });

  it('aborting stops the back-off between retries', async () => {
    const controller = new AbortController();
    service.reply = () => {
      setTimeout(() => {
        controller.abort();
      }, 50);
      return { status: 503 };
    };
    // Without the abort, the minute-long delay would outlast the test's time limit.
    const client = clientWith({ retry: { mode: 'fixed', delayMs: 60_000 } });
    const error = await rejectionOf(client.clientManager.userExists('alice', { signal: controller.signal }));
    expect(error.code).toBe('REST_ABORTED');
    expect(service.requests).toHaveLength(1);
  });
});

describe('dropped connections', () => {
  it('a send whose connection drops after the request went out is not retried', async () => {
    service.reply = () => 'destroy';
    const error = await rejectionOf(
      clientWith({ retry: { maxRetries: 3, delayMs: 1 } })
        .clients.group('room')
        .send('m', 1),
    );
    expect(error.code).toBe('REST_NETWORK');
    expect(error.details).toEqual({ attempts: 1, beforeSend: false });
    expect(service.requests).toHaveLength(1);
  });

  it('a non-send call is retried after a dropped connection, up to maxRetries', async () => {
    service.reply = () => 'destroy';
    const error = await rejectionOf(
      clientWith({ retry: { maxRetries: 3, delayMs: 1 } }).groups.addToGroup('c1', 'room'),
    );
    expect(error.code).toBe('REST_NETWORK');
    expect(error.details).toEqual({ attempts: 4, beforeSend: false });
    expect(error.message).toContain('after 4 attempts');
    expect(service.requests).toHaveLength(4);
  });

  it('a non-send call succeeds when a retry gets through', async () => {
    service.state.connections.add('c1');
    let drops = 1;
    const answer = service.reply;
    service.reply = (request) => (drops-- > 0 ? 'destroy' : answer(request));
    expect(await clientWith({ retry: { delayMs: 1 } }).groups.addToGroup('c1', 'room')).toBe(true);
    expect(service.requests).toHaveLength(2);
    expect(service.connectionCount).toBe(2);
  });

  it('a send refused before any byte was sent is retried, and delivered once', async () => {
    const agent = new RoutingAgent([await closedPort(), await closedPort(), service.port]);
    await clientWith({ agent, retry: { maxRetries: 3, delayMs: 1 } }).clients.all.send('m', 'once');
    expect(agent.connections).toBe(3);
    expect(service.requests).toHaveLength(1);
    expect(JSON.parse(service.requests[0]!.body)).toEqual({ target: 'm', arguments: ['once'] });
  });

  it('a send refused on every attempt fails after maxRetries retries', async () => {
    const agent = new RoutingAgent([await closedPort()]);
    const error = await rejectionOf(
      clientWith({ agent, retry: { maxRetries: 2, delayMs: 1 } })
        .clients.user('u')
        .send('m'),
    );
    expect(error.code).toBe('REST_NETWORK');
    expect(error.details).toEqual({ attempts: 3, beforeSend: true });
    expect(agent.connections).toBe(3);
  });
});

describe('retry rules on status codes', () => {
  const retry = { maxRetries: 3, delayMs: 1 } as const;

  it('a send answered 500 is NOT retried (the message may have gone out)', async () => {
    service.reply = () => ({ status: 500 });
    const error = await rejectionOf(clientWith({ retry }).clients.all.send('m'));
    expect(error.code).toBe('REST_SERVICE_ERROR');
    expect(error.status).toBe(500);
    expect(service.requests).toHaveLength(1);
  });

  it.each([501, 502, 503, 504])('a send answered %d is retried until accepted', async (status) => {
    let failures = 2;
    service.reply = () => (failures-- > 0 ? { status } : { status: 202 });
    await clientWith({ retry }).clients.all.send('m');
    expect(service.requests).toHaveLength(3);
  });

  it('a send answered 502 every time gives up after maxRetries retries', async () => {
    service.reply = () => ({ status: 502 });
    const error = await rejectionOf(clientWith({ retry }).clients.group('g').send('m'));
    expect(error.status).toBe(502);
    expect(error.details?.['attempts']).toBe(4);
    expect(error.message).toContain('after 4 attempts');
    expect(service.requests).toHaveLength(4);
  });

  it.each([408, 500, 502, 503])('a non-send call answered %d is retried', async (status) => {
    service.reply = () => ({ status });
    const error = await rejectionOf(clientWith({ retry }).userGroups.removeFromAllGroups('alice'));
    expect(error.status).toBe(status);
    expect(service.requests).toHaveLength(4);
  });

  it.each([408, 429])('a send answered %d is not retried', async (status) => {
    service.reply = () => ({ status });
    await rejectionOf(clientWith({ retry }).clients.all.send('m'));
    expect(service.requests).toHaveLength(1);
  });

  it.each([400, 401, 403, 404, 409, 429])('a non-send call answered %d is not retried', async (status) => {
    service.reply = () => ({ status });
    await rejectionOf(clientWith({ retry }).clientManager.closeConnections());
    expect(service.requests).toHaveLength(1);
  });

  it('retry: false makes one attempt', async () => {
    service.reply = () => ({ status: 503 });
    await rejectionOf(clientWith({ retry: false }).clientManager.closeConnections());
    expect(service.requests).toHaveLength(1);
  });

  it('retries are on by default', async () => {
    let failures = 1;
    service.reply = () => (failures-- > 0 ? { status: 503 } : { status: 204 });
    // The default policy waits 800 ms before the first retry.
    await clientWith({}).clientManager.closeConnections();
    expect(service.requests).toHaveLength(2);
  });

  it('each retry carries a valid token', async () => {
    service.reply = (request) =>
      service.requests.length < 3
        ? { status: 503 }
        : request.tokenError === undefined
          ? { status: 202 }
          : { status: 401 };
    await clientWith({ retry }).clients.all.send('m');
    expect(service.requests.map((request) => request.tokenError)).toEqual([undefined, undefined, undefined]);
  });
});

describe('Microsoft Entra ID', () => {
  it('authorizes with the credential token for the SignalR scope, fetched once and reused', async () => {
    service.checkTokens = false;
    const scopes: (string | string[])[] = [];
    const credential = {
      getToken(scope: string | string[]) {
        scopes.push(scope);
        return Promise.resolve({ token: 'entra-token', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    };
    const endpoint: ServiceEndpoint = { ...service.endpoint(), auth: { type: 'azure.msi' } };
    const client = clientWith({ credential }, endpoint);
    await client.clients.all.send('m');
    await client.groups.removeFromAllGroups('c');
    await client.clientManager.userExists('u').catch(() => undefined);
    expect(service.requests.map((request) => request.authorization)).toEqual([
      'Bearer entra-token',
      'Bearer entra-token',
      'Bearer entra-token',
    ]);
    expect(scopes).toEqual(['https://signalr.azure.com/.default']);
  });

  it("uses the endpoint's credential (getCredential) when no credential option is given", async () => {
    service.checkTokens = false;
    const endpoint: ServiceEndpoint = { ...service.endpoint(), auth: { type: 'azure' } };
    let calls = 0;
    setCredential(endpoint, {
      getToken: () => {
        calls++;
        return Promise.resolve({ token: 'default-chain-token', expiresOnTimestamp: Date.now() + 3_600_000 });
      },
    });
    const client = clientWith({}, endpoint);
    await client.clients.all.send('m');
    await client.clients.user('u').send('m');
    expect(service.requests.map((request) => request.authorization)).toEqual([
      'Bearer default-chain-token',
      'Bearer default-chain-token',
    ]);
    expect(calls).toBe(1);
  });

  it('a credential failure is REST_CREDENTIAL_FAILED and sends nothing', async () => {
    const credential = { getToken: () => Promise.reject(new Error('ManagedIdentityCredential: no identity')) };
    const endpoint: ServiceEndpoint = { ...service.endpoint(), auth: { type: 'azure.msi' } };
    const error = await rejectionOf(clientWith({ credential }, endpoint).clients.all.send('m'));
    expect(error.code).toBe('REST_CREDENTIAL_FAILED');
    expect(error.message).toContain('no identity');
    expect(service.requests).toHaveLength(0);
  });
});
