// Negotiate with several service endpoints: Azure__SignalR__Endpoints__* alone is enough, the default rule
// spreads clients over the primary endpoints (Azure/azure-signalr DefaultEndpointRouter), and an app router
// decides per request (Azure/azure-signalr IEndpointRouter.GetNegotiateEndpoint) seeing each endpoint's
// online flag; with every endpoint failing its health check (Azure/azure-signalr RestHealthCheckService),
// negotiate is refused with 503 until one is back.
import { createServer } from 'node:http';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { HttpRequest } from '@azure/functions';
import type { HttpResponseInit, InvocationContext } from '@azure/functions';
import { Hub, Negotiate, ServerlessHub, defaultEndpointRouter, registerHubs } from '@serverless-hub/core';
import type { EndpointRouter, FunctionsApp, RegisteredHttpFunction } from '@serverless-hub/core';
import { clearRegisteredFunctions, createTestInvocationContext } from '@serverless-hub/core/testing';
import { jwtVerify } from 'jose';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };
const SETTINGS = {
  Azure__SignalR__Endpoints__e1:
    'Endpoint=http://localhost;Port=18801;AccessKey=E1-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123;Version=1.0;',
  Azure__SignalR__Endpoints__e2__primary:
    'Endpoint=http://localhost;Port=18802;AccessKey=E2-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123;Version=1.0;',
  Azure__SignalR__Endpoints__e3__secondary:
    'Endpoint=http://localhost;Port=18803;AccessKey=E3-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123;Version=1.0;',
} as const;

@Hub('routed')
class Routed extends ServerlessHub {
  echo(value: unknown): unknown {
    return value;
  }
}

@Hub('routedmethod')
class RoutedMethod extends ServerlessHub {
  @Negotiate()
  connect(request: HttpRequest) {
    return this.negotiate(request.headers.get('x-user') ?? undefined);
  }
}

function negotiateFunction(
  functions: readonly { trigger: string; name: string }[],
  hub: string,
): RegisteredHttpFunction {
  const found = functions.find(
    (fn): fn is RegisteredHttpFunction => fn.trigger === 'http' && fn.name === `${hub}_negotiate`,
  );
  if (found === undefined) throw new Error(`no negotiate function for ${hub}`);
  return found;
}

async function negotiate(fn: RegisteredHttpFunction, headers: Record<string, string> = {}): Promise<HttpResponseInit> {
  const handler = fn.handler as unknown as (
    request: HttpRequest,
    context: InvocationContext,
  ) => Promise<HttpResponseInit>;
  const request = new HttpRequest({ method: 'POST', url: `http://localhost:7071/api/${fn.route}`, headers });
  return handler(request, createTestInvocationContext(fn.name).context);
}

const KEY_OF_PORT = new Map(
  Object.values(SETTINGS).map((value) => [/Port=(\d+)/.exec(value)?.[1], /AccessKey=([^;]+)/.exec(value)?.[1] ?? '']),
);

async function portOf(answer: HttpResponseInit): Promise<string> {
  const body = answer.jsonBody as { url: string; accessToken: string };
  const port = new URL(body.url).port;
  // The token is signed with the key of the endpoint the URL names.
  await jwtVerify(body.accessToken, new TextEncoder().encode(KEY_OF_PORT.get(port) ?? 'no key'));
  return port;
}

describe('negotiate with several service endpoints', () => {
  beforeEach(() => {
    clearRegisteredFunctions();
    Object.assign(process.env, SETTINGS);
  });

  afterEach(() => {
    for (const name of Object.keys(SETTINGS)) Reflect.deleteProperty(process.env, name);
    clearRegisteredFunctions();
    vi.restoreAllMocks();
  });

  it('works with only named endpoints and spreads clients over the primary ones', async () => {
    const { functions } = registerHubs(NO_HOST, [Routed, RoutedMethod]);
    const random = vi.spyOn(Math, 'random');
    for (const hub of ['routed', 'routedmethod']) {
      const fn = negotiateFunction(functions, hub);
      const ports: string[] = [];
      for (const value of [0, 0.4, 0.6, 0.99]) {
        random.mockReturnValueOnce(value);
        const answer = await negotiate(fn, { 'x-user': 'alice' });
        expect(answer.status).toBe(200);
        ports.push(await portOf(answer));
      }
      // e1 and e2 are primary; e3 is secondary and takes no client while they are there.
      expect(ports).toEqual(['18801', '18801', '18802', '18802']);
    }
  });

  it('asks the app router per request, with the request and the user', async () => {
    const seen: unknown[] = [];
    const router: EndpointRouter = {
      getNegotiateEndpoint(context, endpoints) {
        seen.push([context.hubName, context.userId, endpoints.map(({ name, type }) => `${name}:${type}`)]);
        const wanted = context.request?.headers.get('x-region') ?? 'e1';
        const chosen = endpoints.find(({ name }) => name === wanted);
        if (chosen === undefined) throw new Error(`unknown region ${wanted}`);
        return chosen;
      },
    };
    const { functions } = registerHubs(NO_HOST, [RoutedMethod], { endpointRouter: router });
    const fn = negotiateFunction(functions, 'routedmethod');
    expect(await portOf(await negotiate(fn, { 'x-region': 'e3', 'x-user': 'bob' }))).toBe('18803');
    expect(await portOf(await negotiate(fn, { 'x-region': 'e2' }))).toBe('18802');
    expect(seen).toEqual([
      ['routedmethod', 'bob', ['e1:primary', 'e2:primary', 'e3:secondary']],
      ['routedmethod', undefined, ['e1:primary', 'e2:primary', 'e3:secondary']],
    ]);
  });

  it('answers 500 and logs the fault when the router returns something that is not one of the endpoints', async () => {
    const router: EndpointRouter = {
      getNegotiateEndpoint: (_context, endpoints) => ({ ...(endpoints[0] as NonNullable<(typeof endpoints)[0]>) }),
    };
    const { functions } = registerHubs(NO_HOST, [Routed], { endpointRouter: router });
    const fn = negotiateFunction(functions, 'routed');
    const handler = fn.handler as unknown as (
      request: HttpRequest,
      context: InvocationContext,
    ) => Promise<HttpResponseInit>;
    const test = createTestInvocationContext(fn.name);
    const answer = await handler(
      new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/routed/negotiate' }),
      test.context,
    );
    expect(answer.status).toBe(500);
    expect(JSON.stringify(test.logs)).toContain('is not one of the endpoints it was given');
  });

  it('refuses a router without getNegotiateEndpoint at registration', () => {
    expect(() => registerHubs(NO_HOST, [Routed], { endpointRouter: {} as EndpointRouter })).toThrow(
      /endpointRouter must have a getNegotiateEndpoint/,
    );
    const withBadMethod = {
      getNegotiateEndpoint: defaultEndpointRouter.getNegotiateEndpoint.bind(defaultEndpointRouter),
      getEndpointsForUser: 'e1',
    } as unknown as EndpointRouter;
    expect(() => registerHubs(NO_HOST, [Routed], { endpointRouter: withBadMethod })).toThrow(
      /endpointRouter\.getEndpointsForUser must be a method or absent/,
    );
  });
});

describe('negotiate while the endpoints fail their health checks', () => {
  const servers: Server[] = [];
  let healthStatus = 503;
  const names = ['Azure__SignalR__Endpoints__h1', 'Azure__SignalR__Endpoints__h2__secondary'];

  beforeEach(async () => {
    clearRegisteredFunctions();
    healthStatus = 503;
    for (const [index, name] of names.entries()) {
      // A stand-in service that answers only its health probe, with the status the test sets.
      const server = createServer((request, response) => {
        response.statusCode = request.url?.startsWith('/api/health') === true ? healthStatus : 404;
        response.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      servers.push(server);
      const { port } = server.address() as AddressInfo;
      process.env[name] =
        `Endpoint=http://127.0.0.1;Port=${String(port)};AccessKey=H${String(index)}-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ0123;Version=1.0;`;
    }
  });

  afterEach(async () => {
    clearRegisteredFunctions();
    for (const name of names) Reflect.deleteProperty(process.env, name);
    for (const server of servers.splice(0)) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => {
        server.close(() => {
          resolve();
        });
      });
    }
  });

  it('answers 503 saying what to check when no endpoint is online, and 200 once one is back', async () => {
    const lines: string[] = [];
    const registration = registerHubs(NO_HOST, [Routed], {
      logger: { log: (level, message) => lines.push(`${level} ${message}`) },
      endpointHealth: { checkIntervalMs: 50, retryIntervalMs: 10, timeoutMs: 2_000 },
    });
    const fn = negotiateFunction(registration.functions, 'routed');
    // Reading the state starts the checks; every endpoint is online until a round says otherwise.
    expect(registration.serviceEndpoints('routed').map(({ online }) => online)).toEqual([true, true]);
    await vi.waitFor(
      () => {
        expect(registration.serviceEndpoints('routed').map(({ online }) => online)).toEqual([false, false]);
      },
      { timeout: 15_000, interval: 20 },
    );

    const handler = fn.handler as unknown as (
      request: HttpRequest,
      context: InvocationContext,
    ) => Promise<HttpResponseInit>;
    const test = createTestInvocationContext(fn.name);
    const refused = await handler(
      new HttpRequest({ method: 'POST', url: 'http://localhost:7071/api/routed/negotiate' }),
      test.context,
    );
    expect(refused.status).toBe(503);
    expect(refused.body as string).toMatch(/^No service endpoint of hub 'routed' is online: .*running and reachable/);
    expect(JSON.stringify(test.logs)).toContain('refused with 503');
    expect(lines.filter((line) => line.includes('is offline: HEAD /api/health answered 503'))).toHaveLength(2);

    healthStatus = 200;
    await vi.waitFor(
      () => {
        expect(registration.serviceEndpoints('routed').map(({ online }) => online)).toEqual([true, true]);
      },
      { timeout: 15_000, interval: 20 },
    );
    const answer = await negotiate(fn);
    expect(answer.status).toBe(200);
    expect(lines.filter((line) => line.startsWith('info') && line.includes('is online again'))).toHaveLength(2);
  }, 40_000);

  it('gives an app router each endpoint with its online flag', async () => {
    const seen: string[][] = [];
    const router: EndpointRouter = {
      getNegotiateEndpoint(_context, endpoints) {
        seen.push(endpoints.map(({ name, online }) => `${name}:${online ? 'online' : 'offline'}`));
        return endpoints[0] as NonNullable<(typeof endpoints)[0]>;
      },
    };
    const registration = registerHubs(NO_HOST, [Routed], {
      endpointRouter: router,
      logger: { log: () => undefined },
      endpointHealth: { checkIntervalMs: 50, retryIntervalMs: 10, timeoutMs: 2_000 },
    });
    const fn = negotiateFunction(registration.functions, 'routed');
    expect((await negotiate(fn)).status).toBe(200);
    await vi.waitFor(
      () => {
        expect(registration.serviceEndpoints('routed').every(({ online }) => !online)).toBe(true);
      },
      { timeout: 15_000, interval: 20 },
    );
    // The app's router decides even when every endpoint is offline.
    expect((await negotiate(fn)).status).toBe(200);
    expect(seen).toEqual([
      ['h1:online', 'h2:online'],
      ['h1:offline', 'h2:offline'],
    ]);
  });

  it('refuses an invalid endpointHealth option and an unknown hub name', () => {
    expect(() => registerHubs(NO_HOST, [Routed], { endpointHealth: { checkIntervalMs: -1 } })).toThrow(
      /registerHubs endpointHealth: checkIntervalMs must be whole milliseconds/,
    );
    const registration = registerHubs(NO_HOST, [Routed], { logger: { log: () => undefined } });
    expect(() => registration.serviceEndpoints('nope')).toThrow(
      /no hub of that name in this registration \(hubs: routed\)/,
    );
  });
});
