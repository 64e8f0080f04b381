// The emulator when things go wrong around it: an upstream that is slow, down, or answers garbage; clients
// that send garbage; REST callers that send garbage. What must hold: the client concerned gets the
// documented error (docs/emulator.md), every other client carries on, nothing hangs, and the emulator
// never answers 5xx to bad input nor lets an exception escape.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HubConnectionState } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { hubProtocolByContentType, MessageType } from '@serverless-hub/core/protocol';
import type { ServiceEmulator } from '@serverless-hub/emulator';
import {
  buildClient,
  clientToken,
  echoReply,
  restToken,
  startEmulator,
  startEmulatorWithApp,
} from './emulator-helpers.js';
import type { EmulatorWithApp, FakeApp, ProtocolKey, UpstreamRecord } from './emulator-helpers.js';
import { RawWebSocket } from './robustness-raw-client.js';

const cleanups: (() => Promise<void> | void)[] = [];

afterEach(async () => {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

async function setUp(options: Parameters<typeof startEmulator>[0] = {}): Promise<EmulatorWithApp> {
  const setup = await startEmulatorWithApp(options);
  cleanups.push(() => setup.close());
  return setup;
}

async function started(app: FakeApp, protocol: ProtocolKey = 'json'): Promise<HubConnection> {
  const client = buildClient(app, 'WebSockets', protocol);
  await client.start();
  cleanups.push(() => client.stop());
  return client;
}

/** Settles with the invoke's result or its error message. */
async function invokeOutcome(client: HubConnection, target: string, ...args: unknown[]): Promise<string> {
  try {
    return `result ${JSON.stringify(await client.invoke(target, ...args))}`;
  } catch (error) {
    return `error ${(error as Error).message}`;
  }
}

async function negotiated(emulator: ServiceEmulator, userId?: string): Promise<{ token: string; connectUrl: string }> {
  const token = await clientToken('chat', userId === undefined ? {} : { userId });
  const response = await fetch(`${emulator.url}/client/negotiate?hub=chat&negotiateVersion=1`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}` },
  });
  const { connectionToken } = (await response.json()) as { connectionToken: string };
  return { token, connectUrl: `${emulator.url}/client/?hub=chat&id=${connectionToken}` };
}

async function rawClient(emulator: ServiceEmulator, protocol: ProtocolKey, userId?: string): Promise<RawWebSocket> {
  const { token, connectUrl } = await negotiated(emulator, userId);
  const client = await RawWebSocket.connect(connectUrl, { Authorization: `Bearer ${token}` });
  cleanups.push(() => {
    client.close();
  });
  client.send(`{"protocol":"${protocol}","version":1}\u001e`);
  await client.until((raw) => raw.text().startsWith('{}\u001e'));
  return client;
}

describe('an upstream that is slow, down or answers garbage', () => {
  it('a slow upstream holds up only the connection it answers; past the timeout the client gets the documented error', async () => {
    const { app } = await setUp({ upstreamTimeoutMs: 1500 });
    let releaseSlow: (() => void) | undefined;
    app.reply = async (record) => {
      if (record.event === 'slow') await new Promise<void>((resolve) => (releaseSlow = resolve));
      if (record.event === 'stuck') await new Promise((resolve) => setTimeout(resolve, 3000));
      return echoReply(record);
    };
    const slowClient = await started(app);
    const others = await Promise.all([started(app), started(app, 'messagepack')]);
    const slow = invokeOutcome(slowClient, 'slow', 'late');
    // The other clients' calls all complete while the slow one is still waiting for its upstream.
    const order: string[] = [];
    void slow.then(() => order.push('slow'));
    for (const [index, other] of others.entries()) {
      expect(await invokeOutcome(other, 'echo', index)).toBe(`result ${String(index)}`);
      order.push(`other ${String(index)}`);
    }
    expect(order).toEqual(['other 0', 'other 1']);
    releaseSlow?.();
    expect(await slow).toBe('result "late"');
    // Past the timeout: the documented error, and the connection's next message still goes through.
    expect(await invokeOutcome(slowClient, 'stuck')).toBe(
      'error Invocation failed, the upstream did not answer in time (no answer within 1500 ms).',
    );
    expect(await invokeOutcome(slowClient, 'echo', 'after')).toBe('result "after"');
  });

  it('an upstream that is down: invocations fail with status 500, connects are refused, and nothing hangs', async () => {
    const { app } = await setUp();
    app.reply = echoReply;
    const healthy = await started(app);
    // Take the app down for messages only, then entirely.
    app.reply = (record) => {
      if (record.category === 'messages' && record.event !== 'echo') throw new Error('the app crashed');
      return echoReply(record);
    };
    expect(await invokeOutcome(healthy, 'crash')).toBe('error Invocation failed, status code 500');
    expect(await invokeOutcome(healthy, 'echo', 1)).toBe('result 1');
    await app.close();
    expect(await invokeOutcome(healthy, 'echo', 2)).toBe('error Invocation failed, status code 500');
    await healthy.send('fire', 'and forget');
    expect(healthy.state).toBe(HubConnectionState.Connected);
  });

  it('a connect that the upstream fails is refused with the documented Close error, and the others stay', async () => {
    const { emulator, app } = await setUp();
    app.reply = (record) =>
      record.event === 'connected' && record.headers['x-asrs-user-id'] === 'refused'
        ? { status: 500 }
        : echoReply(record);
    const stays = await started(app);
    const bystander = await rawClient(emulator, 'json', 'welcome');
    const refused = await rawClient(emulator, 'json', 'refused');
    expect(await refused.until((raw) => raw.closed)).toBe(true);
    expect(refused.text()).toContain('The app refused the connection: its connected event answered 500.');
    expect(await invokeOutcome(stays, 'echo', 'still here')).toBe('result "still here"');
    expect(bystander.closed).toBe(false);
  });

  it('a kept-alive connection that the app closed while idle is replaced, and the message is not lost', async () => {
    // The app closes a reused connection as the request arrives, as a server whose keep-alive timeout
    // ended just then does (found under load: about 1 upstream call in 10,000 was lost this way).
    let dropped = 0;
    const requestsPerSocket = new WeakMap<object, number>();
    const upstream = createServer((request, response) => {
      const count = (requestsPerSocket.get(request.socket) ?? 0) + 1;
      requestsPerSocket.set(request.socket, count);
      if (count > 1 && dropped === 0) {
        dropped++;
        request.socket.destroy();
        return;
      }
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const record = {
          category: String(request.headers['x-asrs-category']),
          headers: request.headers,
          body: Buffer.concat(chunks),
        } as UpstreamRecord;
        const answer = echoReply(record);
        response.writeHead(answer.status);
        response.end(answer.body);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    cleanups.push(
      () =>
        new Promise<void>((resolve) => {
          upstream.closeAllConnections();
          upstream.close(() => {
            resolve();
          });
        }),
    );
    const { port } = upstream.address() as AddressInfo;
    const { emulator } = await startEmulator({
      logLevel: 'warn',
      upstream: [{ urlTemplate: `http://127.0.0.1:${String(port)}/api/{hub}/{category}/{event}` }],
    });
    cleanups.push(() => emulator.close());
    const raw = await rawClient(emulator, 'json');
    // The connected event went over a new connection; the invocation reuses it and is dropped once.
    await new Promise((resolve) => setTimeout(resolve, 100));
    raw.send('{"type":1,"invocationId":"7","target":"echo","arguments":["kept"]}\u001e');
    expect(await raw.until((client) => client.text().includes('"invocationId":"7"'), 5000)).toBe(true);
    expect(raw.text()).toContain('"result":"kept"');
    expect(dropped).toBe(1);
  });

  const garbage: [string, (invocationId: string, protocol: ProtocolKey) => Uint8Array | string][] = [
    ['random bytes', () => Uint8Array.from([0x93, 0x00, 0xff, 0x1e, 0x7b, 0x22])],
    ['an HTML error page', () => '<html><body>502 Bad Gateway</body></html>'],
    ['JSON that is not framed', (id) => `{"type":3,"invocationId":"${id}","result":1}`],
    [
      'a completion for another invocation',
      (id, protocol) =>
        hubProtocolByContentType(protocol === 'json' ? 'application/json' : 'application/x-msgpack').writeMessage({
          type: MessageType.Completion,
          invocationId: `${id}-other`,
          result: 1,
        }),
    ],
    [
      'a completion in the other protocol',
      (id, protocol) =>
        hubProtocolByContentType(protocol === 'json' ? 'application/x-msgpack' : 'application/json').writeMessage({
          type: MessageType.Completion,
          invocationId: id,
          result: 1,
        }),
    ],
    [
      'a ping instead of a completion',
      (_id, protocol) =>
        hubProtocolByContentType(protocol === 'json' ? 'application/json' : 'application/x-msgpack').writeMessage({
          type: MessageType.Ping,
        }),
    ],
    [
      'a truncated completion',
      (id, protocol) =>
        hubProtocolByContentType(protocol === 'json' ? 'application/json' : 'application/x-msgpack')
          .writeMessage({ type: MessageType.Completion, invocationId: id, result: 'x'.repeat(50) })
          .slice(0, 20),
    ],
  ];

  for (const protocol of ['json', 'messagepack'] as const) {
    it.each(garbage)(
      `${protocol}: an upstream answering %s gives that invoke the documented error; the client and the others carry on`,
      async (_name, body) => {
        const { app, logLines } = await setUp();
        app.reply = (record) => {
          if (record.event !== 'garbage') return echoReply(record);
          const invocationId =
            hubProtocolByContentType(String(record.headers['content-type'])).parseUnframedInvocation(
              new Uint8Array(record.body),
            ).invocationId ?? '';
          return { status: 200, body: body(invocationId, protocol) };
        };
        const client = await started(app, protocol);
        const other = await started(app, protocol === 'json' ? 'messagepack' : 'json');
        expect(await invokeOutcome(client, 'garbage')).toBe(
          'error Invocation failed, the upstream answer is not a valid completion.',
        );
        expect(
          logLines.some(
            (line) => line.includes('(messages/garbage)') || line.includes('the answer is not a Completion'),
          ),
        ).toBe(true);
        expect(await invokeOutcome(client, 'echo', 'next')).toBe('result "next"');
        expect(await invokeOutcome(other, 'echo', 'unaffected')).toBe('result "unaffected"');
        expect(client.state).toBe(HubConnectionState.Connected);
      },
    );
  }
});

describe('clients that send garbage', () => {
  it('any frames after the handshake close that connection with an error or are ignored; the emulator and other clients carry on', async () => {
    const { emulator, app } = await setUp({ logLevel: 'warn' });
    app.reply = echoReply;
    const bystander = await started(app);
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('uncaughtException', onUnhandled);
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(() => {
      process.off('uncaughtException', onUnhandled);
      process.off('unhandledRejection', onUnhandled);
    });
    const frame = fc.oneof(
      fc.uint8Array({ maxLength: 64 }),
      fc.string({ maxLength: 40 }).map((text) => `${text}\u001e`),
      fc.jsonValue({ maxDepth: 3 }).map((value) => `${JSON.stringify(value)}\u001e`),
      fc
        .record(
          {
            type: fc.integer({ min: -1, max: 12 }),
            target: fc.oneof(
              fc.string(),
              fc.integer(),
              fc.array(fc.nat(0xffff), { maxLength: 6 }).map((codes) => String.fromCharCode(...codes)),
            ),
            arguments: fc.oneof(fc.array(fc.jsonValue({ maxDepth: 2 })), fc.string()),
            invocationId: fc.oneof(fc.string(), fc.integer(), fc.constant(null)),
          },
          { requiredKeys: [] },
        )
        .map((value) => `${JSON.stringify(value)}\u001e`),
      fc
        .integer({ min: 60, max: 200 })
        .map((depth) => `{"type":1,"target":"echo","arguments":[${'['.repeat(depth)}${']'.repeat(depth)}]}\u001e`),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<ProtocolKey>('json', 'messagepack'),
        fc.array(fc.tuple(frame, fc.boolean()), { minLength: 1, maxLength: 4 }),
        async (protocol, frames) => {
          const raw = await rawClient(emulator, protocol);
          for (const [data, binary] of frames) raw.send(data, binary ? 2 : 1);
          // Whatever happened to it, the emulator still serves everyone else.
          expect(await invokeOutcome(bystander, 'echo', 'ok')).toBe('result "ok"');
          raw.close();
        },
      ),
      { numRuns: 30 },
    );
    expect(unhandled).toEqual([]);
    expect((await fetch(`${emulator.url}/api/health`, { method: 'HEAD' })).status).toBe(200);
  }, 60_000);

  it('an invocation whose target is not well-formed text is answered, and the connection goes on', async () => {
    const { emulator, app } = await setUp({ logLevel: 'warn' });
    app.reply = echoReply;
    const unhandled: unknown[] = [];
    const onUnhandled = (reason: unknown): void => {
      unhandled.push(reason);
    };
    process.on('unhandledRejection', onUnhandled);
    cleanups.push(() => {
      process.off('unhandledRejection', onUnhandled);
    });
    const raw = await rawClient(emulator, 'json');
    // A lone surrogate has no UTF-8 form, so it cannot go into the upstream URL as it is.
    raw.send(
      '{"type":1,"invocationId":"1","target":"\\ud800","arguments":[]}\u001e{"type":1,"invocationId":"2","target":"echo","arguments":["after"]}\u001e',
    );
    expect(await raw.until((client) => client.text().includes('"invocationId":"2"'), 5000)).toBe(true);
    expect(raw.text()).toContain('"invocationId":"1"');
    expect(raw.text()).toContain('"result":"after"');
    expect(unhandled).toEqual([]);
  });

  it('garbage handshakes are refused with a handshake error, and never crash the emulator', async () => {
    const { emulator } = await setUp({ logLevel: 'warn', handshakeTimeoutMs: 300 });
    const handshake = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      fc.string({ maxLength: 40 }).map((text) => `${text}\u001e`),
      fc
        .record(
          {
            protocol: fc.oneof(fc.constantFrom('json', 'messagepack', 'xml'), fc.integer()),
            version: fc.oneof(fc.integer({ min: -1, max: 3 }), fc.string()),
          },
          { requiredKeys: [] },
        )
        .map((value) => `${JSON.stringify(value)}\u001e`),
    );
    await fc.assert(
      fc.asyncProperty(handshake, async (data) => {
        const { token, connectUrl } = await negotiated(emulator);
        const raw = await RawWebSocket.connect(connectUrl, { Authorization: `Bearer ${token}` });
        raw.send(data);
        const text = () => raw.text();
        // A valid handshake is answered {}; anything else gets an error answer, or the handshake timeout closes it.
        expect(await raw.until((client) => client.closed || text().includes('\u001e'), 3000)).toBe(true);
        if (!text().startsWith('{}\u001e')) expect(await raw.until((client) => client.closed, 3000)).toBe(true);
        raw.close();
      }),
      { numRuns: 12 },
    );
    expect((await fetch(`${emulator.url}/api/health`, { method: 'HEAD' })).status).toBe(200);
  }, 60_000);
});

describe('REST callers that send garbage', () => {
  it('any method, path, query and body with a valid token is answered 2xx or 4xx, never 5xx', async () => {
    const { emulator } = await setUp({ logLevel: 'warn' });
    const segment = fc.oneof(
      fc.constantFrom(
        'api',
        'v1',
        'hubs',
        'chat',
        'connections',
        'groups',
        'users',
        ':send',
        ':closeConnections',
        'health',
        '..',
        '.',
        '%2e',
        '%00',
        '%ff',
        '%',
        'a%2Fb',
      ),
      fc.string({ maxLength: 8 }).map((text) => encodeURIComponent(text)),
    );
    const request = fc.record({
      method: fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'),
      path: fc.array(segment, { maxLength: 7 }).map((segments) => `/api/${segments.join('/')}`),
      query: fc.constantFrom(
        '',
        '?api-version=2022-06-01',
        '?ttl=-1',
        '?ttl=abc',
        '?excluded=',
        '?excluded=a&excluded=b',
        '?reason=%E2%82',
        '?application=9x',
        '?ttl=99999999999999999',
      ),
      body: fc.option(
        fc.oneof(
          fc.string({ maxLength: 60 }),
          fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
          fc.constant('{"target":"m","arguments":[1]}'),
        ),
        { nil: undefined },
      ),
      contentType: fc.constantFrom('application/json', 'text/plain', 'application/json; charset=utf-16', ''),
    });
    await fc.assert(
      fc.asyncProperty(request, async ({ method, path, query, body, contentType }) => {
        // The token's audience is the URL without the query, as the REST API requires.
        const token = await restToken(`${emulator.url}${path}`);
        const headers: Record<string, string> = { Authorization: `Bearer ${token}` };
        if (contentType !== '') headers['Content-Type'] = contentType;
        const withBody = body !== undefined && method !== 'GET' && method !== 'HEAD';
        const response = await fetch(`${emulator.url}${path}${query}`, {
          method,
          headers,
          ...(withBody ? { body } : {}),
        });
        await response.arrayBuffer();
        expect(response.status, `${method} ${path}${query}`).toBeGreaterThanOrEqual(200);
        expect(response.status, `${method} ${path}${query}`).toBeLessThan(500);
      }),
      { numRuns: 150 },
    );
  }, 60_000);
});
