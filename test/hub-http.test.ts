// The hub model over the default HTTP upstream: registered handlers driven with `@azure/functions`
// HttpRequest objects signed as Azure SignalR Service signs them.
import { createHmac } from 'node:crypto';
import { HttpRequest, InvocationContext } from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import {
  HubEvent,
  FunctionContext,
  Hub,
  HubContext,
  HubError,
  Ignore,
  Negotiate,
  Optional,
  ServerlessHub,
  ServerlessHubError,
  Signal,
  UseFilters,
  createClaimsVerifier,
  denyUpstream,
  registerHubs,
} from '@serverless-hub/core';
import {
  clearRegisteredFunctions,
  EMULATOR_CONNECTION_STRING,
  createHubTestBed,
  createRecordingServices,
  createTestInvocationContext,
  readUpstreamResponse,
} from '@serverless-hub/core/testing';
import type { FunctionsApp, HubFilter, HubInvocationContext, RegisteredHttpFunction } from '@serverless-hub/core';
import type { HubTestBed } from '@serverless-hub/core/testing';
import { SignJWT, jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

const KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };

interface ChatClient {
  newMessage(message: { from: string; text: string }): void;
  left(connectionId: string, error: string | null): void;
}

/** What hub instances saw, for assertions about per-call state. */
const seen: unknown[] = [];
let constructed = 0;

@Hub('chat')
class Chat extends ServerlessHub<ChatClient> {
  readonly instance = ++constructed;
  calls = 0;

  async onConnected(): Promise<void> {
    await this.clients.all.newMessage({ from: 'system', text: `${this.context.connectionId} joined` });
  }

  async onDisconnected(): Promise<void> {
    await this.clients.all.left(this.context.connectionId, this.context.error ?? null);
  }

  async broadcast(text: string): Promise<void> {
    await this.clients.all.newMessage({ from: this.context.userId ?? this.context.connectionId, text });
  }

  echo(value: unknown): unknown {
    return value;
  }

  nothing(): void {
    this.calls += 1;
  }

  pair(first: string, second: number): [string, number] {
    return [first, second];
  }

  search(text: string, limit = 10): string {
    return `${text}:${String(limit)}`;
  }

  page(text: string, @Optional() size?: number): string {
    return `${text}:${String(size)}`;
  }

  sum(...values: number[]): number {
    return values.reduce((total, value) => total + value, 0);
  }

  injected(
    @HubContext() context: HubInvocationContext,
    text: string,
    @FunctionContext() functionContext: InvocationContext,
    @Signal() signal: AbortSignal,
    @Ignore() ignored: unknown,
    count: number,
  ): unknown {
    return {
      sameContext: context === this.context,
      functionName: functionContext instanceof InvocationContext ? functionContext.functionName : null,
      signal: signal instanceof AbortSignal,
      ignored: ignored === undefined,
      text,
      count,
    };
  }

  whoami(): unknown {
    this.calls += 1;
    seen.push(this);
    return {
      hub: this.hubName,
      contextHub: this.context.hub,
      event: this.context.event,
      category: this.context.category,
      connectionId: this.context.connectionId,
      userId: this.context.userId ?? null,
      claims: this.context.claims,
      roles: this.context.claimValues.role ?? [],
      query: this.context.query,
      header: this.context.headers['x-asrs-hub'],
      invocationId: this.context.invocationId ?? null,
      protocol: this.context.protocol,
      functionContext: this.functionContext?.functionName ?? null,
      calls: this.calls,
    };
  }

  @HubEvent('rename')
  renameTo(name: string): string {
    if (name.length > 5) throw new HubError('Names are at most 5 characters long.');
    return name;
  }

  crash(): never {
    throw new Error('database password is hunter2');
  }

  async groupsAndUsers(group: string, user: string): Promise<void> {
    await this.groups.addToGroup(this.context.connectionId, group);
    await this.clients.group(group).newMessage({ from: 'g', text: group });
    await this.clients.groupExcept(group, [this.context.connectionId]).send('raw', 1, 2);
    await this.userGroups.addToGroup(user, group, { ttl: 60 });
    await this.clients.users([user, user]).newMessage({ from: 'u', text: user });
    await this.clientManager.closeConnection(this.context.connectionId, 'bye');
  }
}

function hmacHex(key: string, connectionId: string): string {
  return createHmac('sha256', key).update(connectionId).digest('hex').toUpperCase();
}

describe('upstream over HTTP, requests built by hand as the service builds them', () => {
  let functions: readonly RegisteredHttpFunction[];
  const services = createRecordingServices();

  beforeEach(() => {
    process.env.AzureSignalRConnectionString = EMULATOR_CONNECTION_STRING;
    services.reset();
    functions = registerHubs(NO_HOST, [Chat], { services: () => services }).functions as RegisteredHttpFunction[];
  });

  afterEach(() => {
    clearRegisteredFunctions();
    Reflect.deleteProperty(process.env, 'AzureSignalRConnectionString');
  });

  function fn(route: string): RegisteredHttpFunction {
    const found = functions.find((candidate) => candidate.route === route);
    if (found === undefined) throw new Error(`no function at ${route}`);
    return found;
  }

  async function post(
    route: string,
    headers: Record<string, string>,
    body: string | Uint8Array,
  ): Promise<Awaited<ReturnType<typeof readUpstreamResponse>>> {
    const target = fn(route);
    const request = new HttpRequest({
      method: 'POST',
      url: `https://app.azurewebsites.net/api/${route}`,
      headers,
      body: typeof body === 'string' ? { string: body } : { bytes: body },
    });
    const handler = target.handler as unknown as (
      request: HttpRequest,
      context: InvocationContext,
    ) => Promise<HttpResponseInit>;
    return readUpstreamResponse(await handler(request, createTestInvocationContext(target.name).context));
  }

  const connectionHeaders = (connectionId: string, signature: string): Record<string, string> => ({
    'Content-Type': 'application/json',
    'X-ASRS-Connection-Id': connectionId,
    'X-ASRS-Hub': 'chat',
    'X-ASRS-Category': 'connections',
    'X-ASRS-Event': 'connected',
    'X-ASRS-User-Claims': 'sub: alice, role: admin, role: ops',
    'X-ASRS-Client-Query': '?room=1',
    'X-ASRS-Signature': signature,
  });

  it('accepts a connected event signed with primary and secondary keys (uppercase hex), and runs onConnected', async () => {
    const signature = `sha256=${hmacHex('secondary-key-not-configured', 'c1')}, sha256=${hmacHex(KEY, 'c1')}`;
    const response = await post('chat/connections/connected', connectionHeaders('c1', signature), '{"type":10}');
    expect(response.status).toBe(200);
    expect(response.body.length).toBe(0);
    expect(services.messages).toEqual([
      { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'system', text: 'c1 joined' }] },
    ]);
  });

  it('answers 401 with the official message for a wrong or missing signature, without running the hub', async () => {
    const wrong = await post(
      'chat/connections/connected',
      connectionHeaders('c1', `sha256=${hmacHex('another-key', 'c1')}`),
      '{"type":10}',
    );
    expect(wrong.status).toBe(401);
    expect(wrong.text).toBe('The request is unauthorized, please check the Signature.');
    const headers = connectionHeaders('c1', '');
    Reflect.deleteProperty(headers, 'X-ASRS-Signature');
    const missing = await post('chat/connections/connected', headers, '{"type":10}');
    expect(missing.status).toBe(401);
    expect(services.messages).toEqual([]);
  });

  it('runs onDisconnected with the PascalCase body of the official emulator, and its error', async () => {
    const response = await post(
      'chat/connections/disconnected',
      { ...connectionHeaders('c2', `sha256=${hmacHex(KEY, 'c2')}`), 'X-ASRS-Event': 'disconnected' },
      '{"Type":11,"Error":"transport closed"}',
    );
    expect(response.status).toBe(200);
    expect(services.messages).toEqual([{ to: { kind: 'all' }, target: 'left', arguments: ['c2', 'transport closed'] }]);
  });

  it('answers an unframed JSON invocation with a framed completion', async () => {
    const response = await post(
      'chat/messages/echo',
      {
        ...connectionHeaders('c3', `sha256=${hmacHex(KEY, 'c3')}`),
        'X-ASRS-Category': 'messages',
        'X-ASRS-Event': 'echo',
      },
      '{"type":1,"invocationId":"7","target":"echo","arguments":[{"ü":[1,2.5,null]}]}',
    );
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toBe('application/json');
    expect(response.text).toBe('{"type":3,"invocationId":"7","result":{"ü":[1,2.5,null]}}\u001e');
  });

  it('answers 404 when the headers name another event than the function serves', async () => {
    const response = await post(
      'chat/messages/echo',
      {
        ...connectionHeaders('c3', `sha256=${hmacHex(KEY, 'c3')}`),
        'X-ASRS-Category': 'messages',
        'X-ASRS-Event': 'crash',
      },
      '{"type":1,"invocationId":"7","target":"crash","arguments":[]}',
    );
    expect(response.status).toBe(404);
  });
});

describe('hub calls through the test bed (HTTP mode)', () => {
  let bed: HubTestBed;

  beforeEach(() => {
    seen.length = 0;
    bed = createHubTestBed([Chat]);
  });

  afterEach(() => {
    bed.dispose();
  });

  it('returns results in the client’s protocol, null for a method returning nothing, and nothing for sends', async () => {
    const binary = new Uint8Array([0, 1, 255]);
    const json = await bed.invoke('echo', [{ nested: { list: [1, 'two', true, null] } }]);
    expect(json.completion).toEqual({
      invocationId: '1',
      hasResult: true,
      result: { nested: { list: [1, 'two', true, null] } },
    });
    const msgpack = await bed.invoke('echo', [{ binary, big: 2 ** 53 - 1 }], { protocol: 'messagepack' });
    expect(msgpack.headers['content-type']).toBe('application/x-msgpack');
    expect(msgpack.completion?.result).toEqual({ binary, big: 2 ** 53 - 1 });
    // Azure/azure-sdk-for-net, Microsoft.Azure.WebJobs.Extensions.SignalRService: the C# extension writes
    // `result: null` for a method that returns nothing (CompletionMessage.WithResult).
    const empty = await bed.invoke('nothing');
    expect(empty.completion).toEqual({ invocationId: '1', hasResult: true, result: null });
    const sent = await bed.send('nothing');
    expect(sent.status).toBe(200);
    expect(sent.completion).toBeUndefined();
    expect(sent.body.length).toBe(0);
  });

  it('binds client arguments by position and checks their count', async () => {
    expect((await bed.invoke('pair', ['a', 2])).completion?.result).toEqual(['a', 2]);
    expect((await bed.invoke('pair', ['a'])).completion?.error).toBe(
      'The function accept 2 arguments but message provided 1.',
    );
    expect((await bed.invoke('pair', ['a', 2, 3])).completion?.error).toBe(
      'The function accept 2 arguments but message provided 3.',
    );
    expect((await bed.invoke('echo', [])).completion?.error).toBe(
      'The function accept 1 arguments but message provided 0.',
    );
  });

  it('allows optional trailing parameters (default values or @Optional) and rest parameters', async () => {
    expect((await bed.invoke('search', ['x'])).completion?.result).toBe('x:10');
    expect((await bed.invoke('search', ['x', 3])).completion?.result).toBe('x:3');
    expect((await bed.invoke('search', ['x', 3, 4])).completion?.error).toBe(
      'The function accept 2 arguments but message provided 3.',
    );
    expect((await bed.invoke('search', [])).completion?.error).toBe(
      'The function accept 1 arguments but message provided 0.',
    );
    expect((await bed.invoke('page', ['x'])).completion?.result).toBe('x:undefined');
    expect((await bed.invoke('page', ['x', 5])).completion?.result).toBe('x:5');
    expect((await bed.invoke('sum', [])).completion?.result).toBe(0);
    expect((await bed.invoke('sum', [1, 2, 3, 4])).completion?.result).toBe(10);
  });

  it('injects the invocation context, the Functions context and the signal, and skips ignored parameters', async () => {
    const answer = await bed.invoke('injected', ['hello', 3]);
    expect(answer.completion?.result).toEqual({
      sameContext: true,
      functionName: 'chat_injected',
      signal: true,
      ignored: true,
      text: 'hello',
      count: 3,
    });
    expect((await bed.invoke('injected', ['hello'])).completion?.error).toBe(
      'The function accept 2 arguments but message provided 1.',
    );
  });

  it('sets this.context for each call on a fresh hub instance', async () => {
    const first = await bed.invoke('whoami', [], {
      connectionId: 'conn-9',
      userId: 'alice',
      claims: [
        ['sub', 'alice'],
        ['role', 'admin'],
        ['role', 'ops'],
      ],
      query: '?room=lobby&room=hall',
      invocationId: '42',
      protocol: 'messagepack',
    });
    expect(first.completion?.result).toEqual({
      hub: 'chat',
      contextHub: 'chat',
      event: 'whoami',
      category: 'messages',
      connectionId: 'conn-9',
      userId: 'alice',
      claims: { sub: 'alice', role: 'admin' },
      roles: ['admin', 'ops'],
      query: { room: 'lobby' },
      header: 'chat',
      invocationId: '42',
      protocol: 'messagepack',
      functionContext: 'chat_whoami',
      calls: 1,
    });
    const second = await bed.invoke('whoami', []);
    expect((second.completion?.result as { userId: unknown; calls: number }).userId).toBeNull();
    expect((second.completion?.result as { calls: number }).calls).toBe(1);
    expect(seen).toHaveLength(2);
    expect(seen[0]).not.toBe(seen[1]);
  });

  it('sends to clients and manages groups through the hub’s services', async () => {
    await bed.send('broadcast', ['hi'], { userId: 'bob' });
    await bed.send('broadcast', ['anon'], { connectionId: 'c7' });
    await bed.invoke('groupsAndUsers', ['room', 'carol'], { connectionId: 'c8' });
    const services = bed.services();
    expect(services.messages).toEqual([
      { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'bob', text: 'hi' }] },
      { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'c7', text: 'anon' }] },
      { to: { kind: 'group', group: 'room' }, target: 'newMessage', arguments: [{ from: 'g', text: 'room' }] },
      { to: { kind: 'groupExcept', group: 'room', excluded: ['c8'] }, target: 'raw', arguments: [1, 2] },
      { to: { kind: 'users', userIds: ['carol'] }, target: 'newMessage', arguments: [{ from: 'u', text: 'carol' }] },
    ]);
    expect(services.calls).toEqual([
      { api: 'groups', method: 'addToGroup', args: ['c8', 'room'] },
      { api: 'userGroups', method: 'addToGroup', args: ['carol', 'room', { ttl: 60 }] },
      { api: 'clientManager', method: 'closeConnection', args: ['c8', 'bye'] },
    ]);
  });

  it('sends a hub error’s message to the client and hides every other failure', async () => {
    expect((await bed.invoke('rename', ['abc'])).completion?.result).toBe('abc');
    const refused = await bed.invoke('rename', ['abcdefgh']);
    expect(refused.completion?.error).toBe('Names are at most 5 characters long.');
    const crashed = await bed.invoke('crash');
    expect(crashed.status).toBe(200);
    expect(crashed.completion?.error).toBe("An unexpected error occurred invoking 'crash' on the server.");
    expect(crashed.text).not.toContain('hunter2');
    expect(crashed.logs.some((line) => line.level === 'error' && line.message.includes('hunter2'))).toBe(true);
    // A send has no completion to carry an error: the C# extension logs a failure and answers 200.
    const failedSend = await bed.send('crash');
    expect(failedSend.status).toBe(200);
    expect(failedSend.logs.some((line) => line.level === 'error' && line.message.includes('hunter2'))).toBe(true);
    expect((await bed.send('rename', ['abcdefgh'])).status).toBe(200);
  });

  it('matches hub and event names case-insensitively, and answers 404 for unknown events', async () => {
    expect((await bed.invoke('ECHO', [1], { hub: 'CHAT' })).completion?.result).toBe(1);
    expect((await bed.invoke('RENAME', ['x'])).completion?.result).toBe('x');
    expect((await bed.invoke('renameTo', ['x'])).status).toBe(404);
    expect((await bed.invoke('nope')).status).toBe(404);
  });

  it('refuses the connection (403) when onConnected fails, and always accepts disconnected', async () => {
    @Hub('fragile')
    class Fragile extends ServerlessHub {
      onConnected(): never {
        throw new Error('boom');
      }
      onDisconnected(): never {
        throw new Error('boom');
      }
    }
    const fragile = createHubTestBed([Fragile]);
    try {
      const connected = await fragile.connect();
      expect(connected.status).toBe(403);
      expect(connected.text).toBe('The connection was refused.');
      expect((await fragile.disconnect({ error: 'gone' })).status).toBe(200);
    } finally {
      fragile.dispose();
    }
  });

  it('answers 500 naming nothing secret when the hub’s connection setting is missing', async () => {
    @Hub({ name: 'unset', connectionStringSetting: 'UnsetSignalRSetting' })
    class Unset extends ServerlessHub {
      ping(): string {
        return 'pong';
      }
    }
    const functions = registerHubs(NO_HOST, [Unset]).functions as RegisteredHttpFunction[];
    const ping = functions.find((candidate) => candidate.event === 'ping')!;
    const { context, logs } = createTestInvocationContext(ping.name);
    const handler = ping.handler as unknown as (
      request: HttpRequest,
      context: InvocationContext,
    ) => Promise<HttpResponseInit>;
    const request = new HttpRequest({
      method: 'POST',
      url: 'http://localhost/api/unset/messages/ping',
      headers: {
        'content-type': 'application/json',
        'x-asrs-connection-id': 'c',
        'x-asrs-hub': 'unset',
        'x-asrs-category': 'messages',
        'x-asrs-event': 'ping',
        'x-asrs-signature': 'sha256=00',
      },
      body: { string: '{"type":1,"invocationId":"1","target":"ping","arguments":[]}' },
    });
    const response = await readUpstreamResponse(await handler(request, context));
    expect(response.status).toBe(500);
    expect(logs.some((line) => line.message.includes('UnsetSignalRSetting'))).toBe(true);
    clearRegisteredFunctions();
  });

  it('adds error details for clients when detailedErrors is on', async () => {
    const detailed = createHubTestBed([named('Detailed', 'detailed')], { upstream: { detailedErrors: 'always' } });
    try {
      expect((await detailed.invoke('crash')).completion?.error).toBe(
        "An unexpected error occurred invoking 'crash' on the server. Error: detail",
      );
    } finally {
      detailed.dispose();
    }
  });
});

function named(className: string, hubName: string): new () => ServerlessHub {
  const hubClass = {
    [className]: class extends ServerlessHub {
      crash(): never {
        throw new Error('detail');
      }
    },
  }[className]!;
  Hub(hubName)(hubClass);
  return hubClass;
}

describe('filters', () => {
  const order: string[] = [];
  const mark =
    (name: string, verdict: boolean | undefined = true) =>
    (context: HubInvocationContext, signal: AbortSignal): boolean | undefined => {
      expect(signal).toBeInstanceOf(AbortSignal);
      order.push(`${name}:${context.event}`);
      return verdict;
    };

  let filterInstances = 0;
  class CountingFilter implements HubFilter {
    constructor() {
      filterInstances += 1;
    }
    canActivate(context: HubInvocationContext): boolean {
      order.push(`class:${context.event}`);
      return true;
    }
  }

  class RequireClaim implements HubFilter {
    constructor(readonly claim: string) {}
    async canActivate(context: HubInvocationContext): Promise<boolean> {
      await Promise.resolve();
      order.push(`require-${this.claim}`);
      return context.claims[this.claim] === 'true';
    }
  }

  @UseFilters(mark('base'))
  class BaseHub extends ServerlessHub {}

  @Hub('guarded')
  @UseFilters(mark('class-1'), CountingFilter)
  @UseFilters(mark('class-2'))
  class Guarded extends BaseHub {
    ran: string[] = [];

    onConnected(): void {
      order.push('onConnected');
    }

    @UseFilters(mark('method-1'))
    @UseFilters(mark('method-2'))
    open(): string {
      order.push('open');
      return 'opened';
    }

    @UseFilters(new RequireClaim('admin'))
    admin(): string {
      order.push('admin');
      return 'admin';
    }

    @UseFilters(mark('deny', false))
    closed(): string {
      order.push('closed');
      return 'never';
    }

    @UseFilters(() => {
      throw new Error('filter failed');
    })
    throwing(): string {
      order.push('throwing');
      return 'never';
    }

    @UseFilters((context) => {
      if (context.userId === undefined) denyUpstream('signed-in users only');
    })
    denying(): string {
      return 'ok';
    }
  }

  let bed: HubTestBed;
  beforeEach(() => {
    order.length = 0;
    filterInstances = 0;
    bed = createHubTestBed([Guarded], { filters: [mark('global-1'), mark('global-2')] });
  });
  afterEach(() => {
    bed.dispose();
  });

  it('runs global, then class (base first), then method filters, in declaration order, before the method', async () => {
    expect((await bed.invoke('open')).completion?.result).toBe('opened');
    expect(order).toEqual([
      'global-1:open',
      'global-2:open',
      'base:open',
      'class-1:open',
      'class:open',
      'class-2:open',
      'method-1:open',
      'method-2:open',
      'open',
    ]);
  });

  it('creates a filter class once per registration without a container, and runs filter instances configured with values', async () => {
    // The bed's registration made one instance for all the events of Guarded.
    expect(filterInstances).toBe(1);
    await bed.invoke('open');
    await bed.invoke('open');
    await bed.connect();
    expect(filterInstances).toBe(1);
    const again = createHubTestBed([named('Again', 'again')], { filters: [CountingFilter] });
    again.dispose();
    expect(filterInstances).toBe(2);
    expect((await bed.invoke('admin', [], { claims: { admin: 'true' } })).completion?.result).toBe('admin');
    const denied = await bed.invoke('admin', [], { claims: { admin: 'false' } });
    expect(denied.status).toBe(403);
  });

  it('denies with 403 when a filter returns false, throws or calls denyUpstream, and the method never runs', async () => {
    const closed = await bed.invoke('closed');
    expect(closed.status).toBe(403);
    expect(closed.completion).toBeUndefined();
    const throwing = await bed.invoke('throwing');
    expect(throwing.status).toBe(403);
    expect(throwing.logs.some((line) => line.message.includes('filter failed'))).toBe(true);
    expect((await bed.invoke('denying')).status).toBe(403);
    expect((await bed.invoke('denying', [], { userId: 'u' })).completion?.result).toBe('ok');
    expect((await bed.send('closed')).status).toBe(403);
    expect(order).not.toContain('closed');
    expect(order).not.toContain('throwing');
  });

  it('refuses a connection with 403 when a filter denies connected', async () => {
    @Hub('lobby')
    class Lobby extends ServerlessHub {
      onConnected(): void {
        order.push('lobby connected');
      }
    }
    const deny = createHubTestBed([Lobby], { filters: [() => false] });
    try {
      const connected = await bed.connect();
      expect(connected.status).toBe(200);
      expect(order).toContain('onConnected');
      const refused = await deny.connect();
      expect(refused.status).toBe(403);
      expect(refused.text).toBe('The connection was refused.');
      expect(order).not.toContain('lobby connected');
    } finally {
      deny.dispose();
    }
  });
});

describe('negotiate', () => {
  const SECRET = 'negotiate-test-secret-0123456789abcdef';
  const bearer = createClaimsVerifier({ secret: SECRET });
  const keyBytes = new TextEncoder().encode(KEY);

  async function verified(accessToken: string, hub: string): Promise<Record<string, unknown>> {
    const { payload, protectedHeader } = await jwtVerify(accessToken, keyBytes, {
      audience: `http://localhost/client/?hub=${hub}`,
    });
    expect(protectedHeader.alg).toBe('HS256');
    return payload;
  }

  @Hub('secure')
  class Secure extends ServerlessHub {
    @Negotiate()
    async connect(request: HttpRequest, functionContext: InvocationContext): Promise<unknown> {
      const mode = request.query.get('mode');
      if (mode === 'response') return { status: 302, headers: { location: 'https://example.com/' } };
      if (mode === 'hub-error') throw new HubError('Unknown room.');
      if (mode === 'crash') throw new Error('the key is secret');
      if (mode === 'junk') return 42;
      if (mode === 'context') return this.context;
      if (mode === 'deny') denyUpstream('banned');
      expect(functionContext).toBeInstanceOf(InvocationContext);
      const authorization = request.headers.get('authorization');
      const claims = authorization === null ? undefined : await this.getClaims(request, bearer);
      return this.negotiate({
        ...(request.headers.get('x-user') === null ? {} : { userId: request.headers.get('x-user')! }),
        ...(claims === undefined ? {} : { claims: { role: String(claims.role) } }),
        lifetime: 600,
      });
    }
    ping(): string {
      return this.hubName;
    }
  }

  let bed: HubTestBed;
  beforeEach(() => {
    bed = createHubTestBed([Secure]);
  });
  afterEach(() => {
    bed.dispose();
  });

  it('runs the @Negotiate method and answers exactly { url, accessToken }, for POST and GET', async () => {
    const answer = await bed.negotiate({ headers: { 'x-user': 'alice' } });
    expect(answer.status).toBe(200);
    expect(answer.headers['content-type']).toContain('application/json');
    const body = answer.json as { url: string; accessToken: string };
    expect(Object.keys(body)).toEqual(['url', 'accessToken']);
    expect(body.url).toBe('http://localhost:8888/client/?hub=secure');
    const claims = await verified(body.accessToken, 'secure');
    expect(claims['asrs.s.uid']).toBe('alice');
    expect((claims.exp as number) - (claims.iat as number)).toBe(600);
    const viaGet = await bed.negotiate({ method: 'GET' });
    expect(viaGet.status).toBe(200);
    expect(
      (await verified((viaGet.json as { accessToken: string }).accessToken, 'secure'))['asrs.s.uid'],
    ).toBeUndefined();
  });

  it('adds verified bearer claims, and answers 401 for a bad bearer token', async () => {
    const token = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .setExpirationTime('5m')
      .sign(new TextEncoder().encode(SECRET));
    const good = await bed.negotiate({ headers: { authorization: `Bearer ${token}` } });
    expect((await verified((good.json as { accessToken: string }).accessToken, 'secure')).role).toBe('admin');
    const forged = await new SignJWT({ role: 'admin' })
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('wrong-secret-wrong-secret-wrong'));
    const bad = await bed.negotiate({ headers: { authorization: `Bearer ${forged}` } });
    expect(bad.status).toBe(401);
    expect(bad.text).toBe('The bearer token is invalid: its signature does not verify.');
    expect(bad.text).not.toContain(forged);
  });

  it('passes HTTP responses through and maps failures to 400, 403 and 500 without leaking details', async () => {
    const redirect = await bed.negotiate({ query: { mode: 'response' } });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.location).toBe('https://example.com/');
    const hubError = await bed.negotiate({ query: { mode: 'hub-error' } });
    expect([hubError.status, hubError.text]).toEqual([400, 'Unknown room.']);
    const denied = await bed.negotiate({ query: { mode: 'deny' } });
    expect(denied.status).toBe(403);
    const crash = await bed.negotiate({ query: { mode: 'crash' } });
    expect([crash.status, crash.text]).toEqual([500, 'Negotiation failed; see the application log.']);
    expect(crash.logs.some((line) => line.level === 'error' && line.message.includes('the key is secret'))).toBe(true);
    const junk = await bed.negotiate({ query: { mode: 'junk' } });
    expect(junk.status).toBe(500);
    expect(junk.logs.some((line) => line.message.includes('returned number'))).toBe(true);
    const context = await bed.negotiate({ query: { mode: 'context' } });
    expect(context.status).toBe(500);
    expect(context.logs.some((line) => line.message.includes('this.context describes an upstream event'))).toBe(true);
  });

  it('negotiates with the hub’s binding options when it has no @Negotiate method', async () => {
    const idTokenSecret = new TextEncoder().encode('id-token-secret-id-token-secret-0');
    @Hub({
      name: 'options',
      negotiate: {
        userId: '{headers.x-ms-client-principal-id}',
        idToken: '{headers.x-ms-token-aad-id-token}',
        claimTypeList: ['name'],
        lifetime: 120,
      },
    })
    class WithOptions extends ServerlessHub {}
    @Hub('anonymous')
    class Anonymous extends ServerlessHub {}
    const options = createHubTestBed([WithOptions, Anonymous]);
    try {
      const idToken = await new SignJWT({ name: 'Alice', secret: 'x' })
        .setProtectedHeader({ alg: 'HS256' })
        .sign(idTokenSecret);
      const answer = await options.negotiate({
        headers: { 'x-ms-client-principal-id': 'alice-id', 'x-ms-token-aad-id-token': idToken },
      });
      expect(answer.status).toBe(200);
      const claims = await verified((answer.json as { accessToken: string }).accessToken, 'options');
      expect(claims['asrs.s.uid']).toBe('alice-id');
      expect(claims.name).toBe('Alice');
      expect(claims.secret).toBeUndefined();
      expect((claims.exp as number) - (claims.iat as number)).toBe(120);
      const anonymous = await options.negotiate({ hub: 'anonymous', method: 'GET' });
      expect((answer.json as { url: string }).url).toBe('http://localhost:8888/client/?hub=options');
      expect(
        (await verified((anonymous.json as { accessToken: string }).accessToken, 'anonymous'))['asrs.s.uid'],
      ).toBeUndefined();
    } finally {
      options.dispose();
    }
  });

  it('signs with the hub’s own connection setting', async () => {
    @Hub({ name: 'elsewhere', connectionStringSetting: 'ElsewhereConnection' })
    class Elsewhere extends ServerlessHub {}
    const other = createHubTestBed([Elsewhere], {
      connectionString:
        'Endpoint=https://elsewhere.service.signalr.net;AccessKey=ElsewhereKeyElsewhereKeyElsewhereKey0123;Version=1.0;',
    });
    try {
      const answer = await other.negotiate();
      const { accessToken, url } = answer.json as { url: string; accessToken: string };
      expect(url).toBe('https://elsewhere.service.signalr.net/client/?hub=elsewhere');
      await jwtVerify(accessToken, new TextEncoder().encode('ElsewhereKeyElsewhereKeyElsewhereKey0123'), {
        audience: 'https://elsewhere.service.signalr.net/client/?hub=elsewhere',
      });
    } finally {
      other.dispose();
    }
  });

  it('refuses this.context outside a call', () => {
    const hub = Object.create(Secure.prototype) as Secure;
    let error: unknown;
    try {
      expect(hub.context).toBeUndefined();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('HUB_CONTEXT_UNAVAILABLE');
  });
});
