// The local functions host with functions registered through @azure/functions' own `app`: how requests
// reach a handler and how its result becomes the HTTP answer, as the Functions host and its Node.js worker
// (Azure/azure-functions-nodejs-worker, InvocationHandler) do it.
import { afterEach, describe, expect, it } from 'vitest';
import { app, HttpResponse } from '@azure/functions';
import type { HttpRequest, InvocationContext } from '@azure/functions';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createFunctionsHost, EmulatorError, loadApp } from '@serverless-hub/emulator';
import type { FunctionsHost, FunctionsHostOptions } from '@serverless-hub/emulator';

const hosts: FunctionsHost[] = [];

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.close();
});

type Handler = (request: HttpRequest, context: InvocationContext) => unknown;

/** Registers an HTTP function with the plain `app`, as an app's entry file does. */
function http(name: string, route: string, methods: ('GET' | 'POST' | 'DELETE')[], handler: Handler): () => void {
  return () => {
    app.http(name, { route, methods, handler: handler as never });
  };
}

/** A host (which provides @azure/functions-core), then the app's registrations, then the start. */
async function start(
  registrations: (() => void)[],
  options: Partial<FunctionsHostOptions> = {},
): Promise<{ host: FunctionsHost; lines: string[] }> {
  const lines: string[] = [];
  const host = createFunctionsHost({
    port: 0,
    logLevel: 'debug',
    logSink: (level, line) => lines.push(`${level} ${line}`),
    ...options,
  });
  for (const register of registrations) register();
  await host.start();
  hosts.push(host);
  return { host, lines };
}

describe('the local functions host', () => {
  it('passes the request as an @azure/functions HttpRequest with params, query, headers and body', async () => {
    let seen: Record<string, unknown> = {};
    const { host } = await start([
      http('inspect', 'items/{id:int}/{*rest}', ['POST'], async (request, context) => {
        seen = {
          method: request.method,
          url: request.url,
          params: request.params,
          tags: request.query.getAll('tag'),
          contentType: request.headers.get('content-type'),
          claims: request.headers.get('x-asrs-user-claims'),
          body: await request.text(),
          functionName: context.functionName,
          invocationId: context.invocationId,
        };
        return {
          status: 201,
          jsonBody: { ok: true },
          headers: { 'x-custom': 'yes' },
          cookies: [{ name: 'session', value: 'a b', httpOnly: true, path: '/' }],
        };
      }),
    ]);
    const response = await fetch(`${host.url}/api/items/42/a/b?tag=x&tag=y`, {
      method: 'POST',
      headers: {
        'Content-Type': 'text/plain',
        'X-ASRS-User-Claims': Buffer.from('name: José 名前', 'utf8').toString('latin1'),
      },
      body: 'héllo',
    });
    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({ ok: true });
    expect(response.headers.get('content-type')).toContain('application/json');
    expect(response.headers.get('x-custom')).toBe('yes');
    // As ASP.NET Core writes the cookie the worker hands back (SetCookieHeaderValue).
    expect(response.headers.get('set-cookie')).toBe('session=a%20b; path=/; httponly');
    expect(seen).toMatchObject({
      method: 'POST',
      params: { id: '42', rest: 'a/b' },
      tags: ['x,y'],
      contentType: 'text/plain',
      body: 'héllo',
      functionName: 'inspect',
    });
    // Header bytes reach the handler as Latin-1 characters, as fetch's Headers hold them.
    expect(Buffer.from(String(seen.claims), 'latin1').toString('utf8')).toBe('name: José 名前');
    expect(String(seen.url)).toBe(`${host.url}/api/items/42/a/b?tag=x&tag=y`);
    expect(seen.invocationId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('turns results into answers as the host does: HttpResponse, errors, wrong types', async () => {
    const { host, lines } = await start([
      http('response', 'response', ['GET'], () => new HttpResponse({ status: 202, body: 'accepted' })),
      http('throws', 'throws', ['GET'], (_request, context) => {
        context.log('about to fail');
        throw new Error('secret internal detail');
      }),
      http('wrong', 'wrong', ['GET'], () => 'a string'),
    ]);
    const accepted = await fetch(`${host.url}/api/response`);
    expect([accepted.status, await accepted.text()]).toEqual([202, 'accepted']);
    const failed = await fetch(`${host.url}/api/throws`);
    expect(failed.status).toBe(500);
    expect(await failed.text()).toBe('');
    expect((await fetch(`${host.url}/api/wrong`)).status).toBe(500);
    expect(lines.some((line) => line.startsWith('info throws: about to fail'))).toBe(true);
    expect(lines.some((line) => line.startsWith('error throws') && line.includes('secret internal detail'))).toBe(true);
  });

  it('answers 500 and keeps serving when a function throws something that is not an Error', async () => {
    // (`throw null` and `throw undefined` are not failures for the worker: its isError tests for a value.)
    const thrown: unknown[] = ['text', Object.create(null), { toString: '' }, 0];
    const { host, lines } = await start(
      thrown.map((value, index) =>
        http(`odd${String(index)}`, `odd/${String(index)}`, ['GET'], () => {
          throw value;
        }),
      ),
    );
    for (const index of thrown.keys()) {
      const failed = await fetch(`${host.url}/api/odd/${String(index)}`);
      expect([failed.status, await failed.text()]).toEqual([500, '']);
    }
    expect(lines.filter((line) => /^error odd\d .*threw: a non-Error value was thrown: /.test(line))).toHaveLength(
      thrown.length,
    );
    expect(lines.find((line) => line.startsWith('error odd0'))).toContain('"text"');
  });

  it('logs any value a function passes to context.log, as console.log would', async () => {
    const circular: Record<string, unknown> = { name: 'loop' };
    circular.self = circular;
    const { host, lines } = await start([
      http('logs', 'logs', ['GET'], (_request, context) => {
        context.log('values:', circular, 12n, Object.create(null), new Error('logged only'));
        return { body: 'ok' };
      }),
    ]);
    const answer = await fetch(`${host.url}/api/logs`);
    expect([answer.status, await answer.text()]).toEqual([200, 'ok']);
    const line = lines.find((entry) => entry.startsWith('info logs: values:'));
    expect(line).toContain("name: 'loop'");
    expect(line).toContain('[Circular *1]');
    expect(line).toContain('12n');
    expect(line).toContain('Error: logged only\n    at ');
  });

  it('reports an app whose entry throws a non-Error value while loading as APP_LOAD_FAILED', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'throwing-app-'));
    try {
      const entry = join(directory, 'index.mjs');
      await writeFile(entry, 'throw Object.create(null);\n');
      const failure = await loadApp({ directory, entry, routePrefix: 'api' }).then(
        () => undefined,
        (error: unknown) => error,
      );
      expect(failure).toBeInstanceOf(EmulatorError);
      expect(failure).toMatchObject({ code: 'APP_LOAD_FAILED' });
      expect((failure as EmulatorError).message).toBe(
        `Loading the app ${entry} failed: a non-Error value was thrown: an object`,
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });

  it('prefers literal routes, matches without letter case, and honours the route prefix', async () => {
    const { host } = await start(
      [
        http('byName', 'things/{name}', ['GET'], (request) => ({ body: `name ${request.params.name ?? ''}` })),
        http('special', 'things/special', ['GET'], () => ({ body: 'special' })),
      ],
      { routePrefix: 'functions' },
    );
    expect(await (await fetch(`${host.url}/functions/THINGS/special`)).text()).toBe('special');
    expect(await (await fetch(`${host.url}/functions/things/other`)).text()).toBe('name other');
    expect((await fetch(`${host.url}/api/things/other`)).status).toBe(404);
    const wrongMethod = await fetch(`${host.url}/functions/things/special`, { method: 'DELETE' });
    expect(wrongMethod.status).toBe(404);
    expect(await wrongMethod.text()).toContain('it accepts GET');
  });

  it('answers CORS only for the configured origins', async () => {
    const { host } = await start([http('page', 'page', ['GET'], () => ({ body: 'x' }))], {
      cors: { allowedOrigins: ['http://localhost:3000'], supportCredentials: true },
    });
    const allowed = await fetch(`${host.url}/api/page`, { headers: { Origin: 'http://localhost:3000' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('http://localhost:3000');
    expect(allowed.headers.get('access-control-allow-credentials')).toBe('true');
    const other = await fetch(`${host.url}/api/page`, { headers: { Origin: 'http://evil.example' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('refuses bodies over the limit with 413', async () => {
    const { host } = await start([http('upload', 'upload', ['POST'], () => ({ status: 200 }))], {
      maxRequestBodyBytes: 1024,
    });
    expect((await fetch(`${host.url}/api/upload`, { method: 'POST', body: 'x'.repeat(2048) })).status).toBe(413);
    expect((await fetch(`${host.url}/api/upload`, { method: 'POST', body: 'x'.repeat(100) })).status).toBe(200);
  });

  it('refuses a port in use', async () => {
    const { host } = await start([]);
    await expect(createFunctionsHost({ port: host.port, logLevel: 'silent' }).start()).rejects.toThrow(
      /already in use/,
    );
  });
});
