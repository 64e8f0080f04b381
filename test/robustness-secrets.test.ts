// The suite's scenarios again, this time with a recognizable access key and client secret: connection
// strings (valid and broken), settings, tokens, negotiate, the registered upstream functions (good, forged
// and malformed requests, failures with detailed errors on), the REST client (against a service that echoes
// what it receives, and with an Entra ID app registration whose sign-in fails), and the whole system (service
// emulator, functions host, official clients). Every log line, error message (with its details and causes)
// and response is collected; no 12-character stretch of either secret may appear in any of them.
import { inspect } from 'node:util';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { app as functionsApp, HttpRequest, InvocationContext } from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import {
  Hub,
  HubError,
  ServerlessHub,
  ServerlessHubError,
  decodeClaimsUnverified,
  endpointFromSettings,
  createClaimsVerifier,
  parseConnectionString,
  registerHubs,
} from '@serverless-hub/core';
import { ServiceHubClient, negotiate, signAccessToken } from '@serverless-hub/core/service';
import { clearRegisteredFunctions, createUpstreamRequest } from '@serverless-hub/core/testing';
import type { FunctionsApp, RegisteredHttpFunction } from '@serverless-hub/core';
import { createFunctionsHost, createServiceEmulator } from '@serverless-hub/emulator';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';

// Random-looking, so that no stretch of them is a word that messages contain anyway ("ClientSecret").
const ACCESS_KEY = 'Kx7Q2mZ9xW4vB8nR1tY6uP3sK5dF0gHjLqWe8rTy2uI';
const CLIENT_SECRET = 'Cs~4hJ8kL2mN6pQ9rS3tV7wX1yZ5aBqTz0Pa.Lk3Jh';
const SECRETS = [ACCESS_KEY, CLIENT_SECRET];
const CONNECTION_STRING = `Endpoint=http://localhost;Port=8888;AccessKey=${ACCESS_KEY};Version=1.0;`;
const APP_CONNECTION_STRING = `Endpoint=https://canary.service.signalr.net;AuthType=azure.app;ClientId=11111111-1111-1111-1111-111111111111;TenantId=00000000-0000-0000-0000-000000000000;ClientSecret=${CLIENT_SECRET};Version=1.0;`;

/** Everything a user, a log reader or a client could see. */
const observed: { where: string; text: string }[] = [];

function observe(where: string, ...values: unknown[]): void {
  for (const value of values) observed.push({ where, text: shown(value) });
}

/** An error with everything that travels with it: message, stack, details, causes; other values inspected. */
function shown(value: unknown, depth = 0): string {
  if (value instanceof Error) {
    const details = value instanceof ServerlessHubError ? JSON.stringify(value.details ?? {}) : '';
    const cause = depth < 5 && value.cause !== undefined ? ` cause: ${shown(value.cause, depth + 1)}` : '';
    return `${String(value)} ${value.stack ?? ''} ${details} ${inspect(value, { depth: 5 })}${cause}`;
  }
  if (typeof value === 'string') return value;
  if (value instanceof Uint8Array) return Buffer.from(value).toString('latin1');
  return `${inspect(value, { depth: 6 })} ${(JSON.stringify as (item: unknown) => string | undefined)(value) ?? ''}`;
}

async function settle(where: string, promise: Promise<unknown>): Promise<unknown> {
  try {
    const value = await promise;
    observe(where, value);
    return value;
  } catch (error) {
    observe(where, error);
    return error;
  }
}

function attempt(where: string, action: () => unknown): unknown {
  try {
    const value = action();
    observe(where, value);
    return value;
  } catch (error) {
    observe(where, error);
    return error;
  }
}

function leaks(): string[] {
  const parts = SECRETS.flatMap((secret) =>
    Array.from({ length: secret.length - 11 }, (_, start) => secret.slice(start, start + 12)),
  );
  return observed.flatMap(({ where, text }) => {
    const part = parts.find((candidate) => text.includes(candidate));
    return part === undefined
      ? []
      : [`${where}: "${part}" in ${text.slice(Math.max(0, text.indexOf(part) - 80), text.indexOf(part) + 40)}`];
  });
}

// Console output of the framework (the default upstream logger, warnings) is collected instead of printed.
// Entra ID sign-in goes to a closed local port instead of the internet: the credential fails fast and offline.
const authorityHost = process.env.AZURE_AUTHORITY_HOST;
beforeAll(() => {
  process.env.AZURE_AUTHORITY_HOST = 'https://127.0.0.1:9';
  for (const method of ['log', 'info', 'warn', 'error', 'debug'] as const) {
    vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
      observe(`console.${method}`, args.map((arg) => shown(arg)).join(' '));
    });
  }
});

afterAll(() => {
  vi.restoreAllMocks();
  if (authorityHost === undefined) Reflect.deleteProperty(process.env, 'AZURE_AUTHORITY_HOST');
  else process.env.AZURE_AUTHORITY_HOST = authorityHost;
});

describe('secrets never appear in logs, errors or responses', () => {
  it('connection strings and settings, valid and broken', () => {
    const broken = [
      CONNECTION_STRING.replace('Endpoint=http://localhost;', ''),
      CONNECTION_STRING.replace(';AccessKey', 'AccessKey'),
      CONNECTION_STRING.replace(';Version', 'Version'),
      CONNECTION_STRING.replace('Port=8888', 'Port=88888'),
      CONNECTION_STRING.replace('Version=1.0', `Version=${ACCESS_KEY}`),
      CONNECTION_STRING.replace('Endpoint=http://localhost', `Endpoint=${ACCESS_KEY}`),
      `${CONNECTION_STRING}${CONNECTION_STRING}`,
      `${CONNECTION_STRING};${ACCESS_KEY}=${ACCESS_KEY};${ACCESS_KEY}=x`,
      CONNECTION_STRING.replace('AccessKey=', 'AccessKey='.toUpperCase()).replace('Version=1.0;', 'AuthType=magic;'),
      APP_CONNECTION_STRING.replace('ClientId=11111111-1111-1111-1111-111111111111;', ''),
      APP_CONNECTION_STRING.replace('AuthType=azure.app', `AuthType=${CLIENT_SECRET}`),
      APP_CONNECTION_STRING.replace(';ClientSecret', 'ClientSecret'),
      `${APP_CONNECTION_STRING};ClientSecret=${CLIENT_SECRET}`,
      APP_CONNECTION_STRING.replace(
        'Endpoint=https://canary.service.signalr.net',
        `Endpoint=https://user:${CLIENT_SECRET}@canary.service.signalr.net`,
      ),
    ];
    for (const text of [CONNECTION_STRING, APP_CONNECTION_STRING, ...broken]) {
      const endpoint = attempt('parseConnectionString', () => parseConnectionString(text));
      if (!(endpoint instanceof Error)) console.log('endpoint', endpoint, String((endpoint as { auth: unknown }).auth));
      attempt('endpointFromSettings', () => endpointFromSettings('CanarySetting', { CanarySetting: text }));
    }
    attempt('identity settings', () =>
      endpointFromSettings('Canary', {
        Canary__serviceUri: 'not a url',
        Canary__clientSecret: CLIENT_SECRET,
        Canary__clientId: 'id',
        Canary__tenantId: 't',
        Canary__credential: 'clientsecret',
      }),
    );
    expect(leaks()).toEqual([]);
  });

  it('tokens, claims and negotiate', async () => {
    const endpoint = parseConnectionString(CONNECTION_STRING);
    const info = await settle('negotiate', negotiate(endpoint, 'chat', { userId: 'alice', claims: { role: 'admin' } }));
    const token = (info as { accessToken: string }).accessToken;
    await settle(
      'verify (other key)',
      createClaimsVerifier({ secret: 'another-secret-key-of-some-length' }).verify(`Bearer ${token}`),
    );
    await settle(
      'verify (expired)',
      createClaimsVerifier({ secret: ACCESS_KEY }).verify(
        await signAccessToken({ audience: 'a', key: ACCESS_KEY, lifetimeSeconds: 1, now: 1 }),
      ),
    );
    await settle(
      'verify (wrong audience)',
      createClaimsVerifier({ secret: ACCESS_KEY, audience: 'https://elsewhere' }).verify(token),
    );
    attempt('createClaimsVerifier (options)', () =>
      createClaimsVerifier({ secret: ACCESS_KEY, clockToleranceSeconds: -1 }),
    );
    attempt('decodeClaimsUnverified', () => decodeClaimsUnverified(`Basic ${ACCESS_KEY}`));
    attempt('decodeClaimsUnverified', () => decodeClaimsUnverified(ACCESS_KEY));
    await settle('negotiate (bad hub)', negotiate(endpoint, '9 bad hub', { userId: 'u' }));
    expect(leaks()).toEqual([]);
  }, 30_000);

  describe('the registered upstream functions', () => {
    const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };
    const functions = new Map<string, RegisteredHttpFunction>();
    let rest: ServiceHubClient;

    @Hub({ name: 'canary', connectionStringSetting: 'CanaryConnection' })
    class Canary extends ServerlessHub {
      echo(value: unknown): unknown {
        return value;
      }

      refuse(): never {
        throw new HubError('Refused on purpose.');
      }

      // A REST call the service refuses: its error reaches the client when detailed errors are on.
      async broadcast(text: string): Promise<void> {
        await this.clients.all.send('said', text);
      }

      async direct(): Promise<void> {
        await rest.clients.all.send('said', 'direct');
      }
    }

    let service: ReturnType<typeof createServer>;
    let serviceUrl: string;

    beforeAll(async () => {
      // A service that answers every REST call 401 and echoes what it received: headers, URL and body.
      service = createServer((request, response) => {
        const chunks: Buffer[] = [];
        request.on('data', (chunk: Buffer) => chunks.push(chunk));
        request.on('end', () => {
          const echoed = JSON.stringify({
            code: 'Error.Unauthorized',
            message: `rejected ${JSON.stringify(request.headers)} ${request.url ?? ''} ${Buffer.concat(chunks).toString()}`,
          });
          response.writeHead(401, {
            'content-type': 'application/json',
            'x-ms-error-code': `Error.Unauthorized ${request.headers.authorization ?? ''}`,
          });
          response.end(echoed);
        });
      });
      await new Promise<void>((resolve) => service.listen(0, '127.0.0.1', resolve));
      serviceUrl = `http://127.0.0.1:${String((service.address() as AddressInfo).port)}`;
      process.env.CanaryConnection = `Endpoint=${serviceUrl};AccessKey=${ACCESS_KEY};Version=1.0;`;
      rest = new ServiceHubClient(parseConnectionString(process.env.CanaryConnection), 'canary', { retry: false });
      clearRegisteredFunctions();
      const registration = registerHubs(NO_HOST, [Canary], { upstream: { detailedErrors: 'always' } });
      for (const fn of registration.functions) if (fn.trigger === 'http') functions.set(fn.event ?? 'negotiate', fn);
    });

    afterAll(async () => {
      await new Promise<void>((resolve) =>
        service.close(() => {
          resolve();
        }),
      );
    });

    async function call(event: string, request: HttpRequest): Promise<void> {
      const fn = functions.get(event);
      if (fn === undefined) throw new Error(`no function for ${event}`);
      const context = new InvocationContext({
        invocationId: 'canary',
        functionName: fn.name,
        logHandler: (level, ...args) => {
          observe(`function log (${level})`, args.map((arg) => shown(arg)).join(' '));
        },
      });
      const answer = await (
        fn.handler as unknown as (request: HttpRequest, context: InvocationContext) => Promise<HttpResponseInit>
      )(request, context);
      observe(`answer of ${event}`, answer.status ?? 200, answer.headers ?? {}, answer.body ?? '');
    }

    it('good, forged and malformed requests, and failures with detailed errors', async () => {
      const signed = (
        event: string,
        options: Parameters<typeof createUpstreamRequest>[0] extends infer T ? Partial<T> : never = {},
      ) => createUpstreamRequest({ hub: 'canary', event, arguments: ['x'], accessKeys: [ACCESS_KEY], ...options });
      await call('echo', signed('echo'));
      await call('refuse', signed('refuse', { arguments: [] }));
      await call('broadcast', signed('broadcast'));
      await call('broadcast', signed('broadcast', { invocationId: null }));
      await call('direct', signed('direct', { arguments: [] }));
      await call('echo', signed('echo', { accessKeys: ['not-the-key-at-all-but-long-enough'] }));
      await call('echo', signed('echo', { signature: `sha256=${ACCESS_KEY}` }));
      await call('echo', signed('echo', { signature: ACCESS_KEY }));
      // (A caller's own header values may come back in the answer to it, e.g. "No hub named …": that
      // shows nobody anything new, so the requests here carry no secret in those headers.)
      await call('echo', signed('echo', { headers: { 'Content-Type': 'text/plain' } }));
      await call('echo', signed('echo', { headers: { 'X-ASRS-Hub': 'other', 'X-ASRS-Event': 'other' } }));
      await call(
        'echo',
        new HttpRequest({
          method: 'POST',
          url: 'http://localhost/api/canary/messages/echo',
          headers: { 'x-asrs-signature': ACCESS_KEY },
          body: { string: ACCESS_KEY },
        }),
      );
      await call(
        'negotiate',
        new HttpRequest({
          method: 'POST',
          url: 'http://localhost/api/canary/negotiate',
          headers: { authorization: `Bearer ${ACCESS_KEY}` },
        }),
      );
      // A hub whose setting is missing or broken: the first request names the setting, never the value.
      process.env.CanaryConnection = `Endpoint=${serviceUrl};AccessKey=${ACCESS_KEY};Port=99999;`;
      await call('echo', signed('echo'));
      expect(leaks()).toEqual([]);
    });
  });

  it('the REST client with an app registration whose sign-in fails', async () => {
    const client = new ServiceHubClient(parseConnectionString(APP_CONNECTION_STRING), 'chat', {
      retry: false,
      timeoutMs: 5000,
    });
    const error = await settle('REST with app registration', client.clients.all.send('m', 1));
    expect((error as ServerlessHubError).code).toBe('REST_CREDENTIAL_FAILED');
    expect(leaks()).toEqual([]);
  }, 60_000);

  it('the whole system: service emulator, functions host, official clients', async () => {
    @Hub({ name: 'whole', connectionStringSetting: 'WholeConnection' })
    class Whole extends ServerlessHub {
      echo(value: unknown): unknown {
        return value;
      }

      crash(): never {
        throw new Error('internal failure');
      }

      async join(group: string): Promise<void> {
        await this.groups.addToGroup(this.context.connectionId, group);
        await this.clients.group(group).send('joined', this.context.connectionId);
      }
    }
    const sink = (where: string) => (level: string, line: string) => {
      observe(`${where} log (${level})`, line);
    };
    clearRegisteredFunctions();
    const host = createFunctionsHost({ port: 0, logLevel: 'debug', logSink: sink('functions host') });
    registerHubs(functionsApp, [Whole]);
    await host.start();
    const emulator = createServiceEmulator({
      port: 0,
      accessKey: ACCESS_KEY,
      logLevel: 'debug',
      logSink: sink('emulator'),
      upstream: [{ urlTemplate: `http://127.0.0.1:${String(host.port)}/api/{hub}/{category}/{event}` }],
    });
    await emulator.start();
    process.env.WholeConnection = emulator.connectionString;
    try {
      const client = new HubConnectionBuilder()
        .withUrl(`${host.url}/api/whole`, { transport: HttpTransportType.WebSockets })
        .configureLogging(LogLevel.None)
        .build();
      await client.start();
      await settle('invoke echo', client.invoke('echo', 'hello'));
      await settle('invoke crash', client.invoke('crash'));
      await settle('invoke join', client.invoke('join', 'room'));
      await settle('invoke with wrong arguments', client.invoke('echo'));
      // The emulator's REST API and client endpoint with forged and malformed credentials.
      for (const authorization of [`Bearer ${ACCESS_KEY}`, `Basic ${ACCESS_KEY}`, 'Bearer a.b.c', '']) {
        const response = await fetch(`${emulator.url}/api/hubs/whole/:send`, {
          method: 'POST',
          headers: { Authorization: authorization, 'Content-Type': 'application/json' },
          body: '{"target":"m","arguments":[]}',
        });
        observe('emulator REST answer', response.status, [...response.headers].join(' '), await response.text());
        const negotiated = await fetch(
          `${emulator.url}/client/negotiate?hub=whole&access_token=${encodeURIComponent(ACCESS_KEY)}`,
          { method: 'POST', headers: { Authorization: authorization } },
        );
        observe('emulator negotiate answer', negotiated.status, await negotiated.text());
      }
      const forged = new ServiceHubClient(
        parseConnectionString(
          emulator.connectionString.replace(ACCESS_KEY, 'ForgedKeyForgedKeyForgedKeyForgedKey00000000'),
        ),
        'whole',
        { retry: false },
      );
      await settle('REST with a forged key', forged.clientManager.closeConnections({ reason: 'forged' }));
      await settle('negotiate answer', (await fetch(`${host.url}/api/whole/negotiate`, { method: 'POST' })).text());
      await client.stop();
    } finally {
      await emulator.close();
      await host.close();
    }
    expect(observed.filter(({ where }) => where.startsWith('emulator log')).length).toBeGreaterThan(5);
    expect(leaks()).toEqual([]);
  }, 60_000);
});
