// The local functions host against the Functions host and its Node.js worker, one behaviour per test:
// every function registered with @azure/functions' plain `app` reaches the host through the
// @azure/functions-core module (Azure/azure-functions-nodejs-worker, setupCoreModule.ts), invocations run
// as the worker runs them (InvocationHandler.ts, hooks/executeHooks.ts, startApp.ts), and requests carry
// what azure-functions-host sends (GrpcMessageConversionExtensions.ToRpcHttp,
// ScriptInvocationContextExtensions.GetRpcTraceContext).
import { createHmac } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { app } from '@azure/functions';
import type { HttpRequest, InvocationContext } from '@azure/functions';
import { createFunctionsHost, EmulatorError, resolveApp } from '@serverless-hub/emulator';
import type { FunctionsHost } from '@serverless-hub/emulator';

const hosts: FunctionsHost[] = [];

afterEach(async () => {
  for (const host of hosts.splice(0)) await host.close();
});

/** A host first (it provides @azure/functions-core), then the app's registrations, then the start. */
async function serve(register: () => void): Promise<FunctionsHost> {
  const host = createFunctionsHost({ port: 0, logLevel: 'silent' });
  hosts.push(host);
  register();
  await host.start();
  return host;
}

function capture(
  route: string,
  read: (request: HttpRequest, context: InvocationContext) => unknown,
): { register: () => void; seen: () => unknown } {
  let seen: unknown;
  return {
    register: () => {
      app.http(`capture_${route}`, {
        route,
        methods: ['GET'],
        handler: (request, context) => {
          seen = read(request, context);
          return { body: 'ok' };
        },
      });
    },
    seen: () => seen,
  };
}

describe('the local functions host, as the Functions host', () => {
  // First: the lock is for the rest of the process, as the worker starts one app per process.
  it('honours app.setup before the start and locks it after, as the worker start does', async () => {
    await serve(() => {
      app.setup({ capabilities: { Parity: 'yes' } });
      app.http('setup', { methods: ['GET'], handler: () => ({ body: 'ok' }) });
    });
    expect(() => {
      app.setup({ capabilities: { Later: 'no' } });
    }).toThrow("Setup options can't be changed after app startup has finished.");
  });

  it('serves an HTTP function registered with the plain app.http', async () => {
    const host = await serve(() => {
      app.http('hello', {
        route: 'hello/{name}',
        methods: ['GET'],
        handler: (request) => ({ body: `hello ${request.params.name ?? ''}` }),
      });
    });
    const answer = await fetch(`${host.url}/api/hello/bob`);
    expect([answer.status, await answer.text()]).toEqual([200, 'hello bob']);
  });

  it('lists functions of other triggers (generic, timer) without serving them', async () => {
    const host = await serve(() => {
      app.timer('tick', { schedule: '0 */5 * * * *', handler: () => undefined });
      app.generic('queued', {
        trigger: { type: 'queueTrigger', name: 'item', queueName: 'work', connection: 'Storage' },
        handler: () => undefined,
      });
    });
    expect(host.functions()).toEqual([
      { name: 'tick', trigger: 'timerTrigger', methods: [], path: undefined },
      { name: 'queued', trigger: 'queueTrigger', methods: [], path: undefined },
    ]);
  });

  it('serves a signalRTrigger function registered with app.generic at the SignalR webhook', async () => {
    const key = 'parity-access-key-0123456789abcdef0123';
    process.env.ParitySignalR = `Endpoint=http://localhost:8888;AccessKey=${key};Version=1.0;`;
    let received: unknown;
    const host = await serve(() => {
      app.generic('ping', {
        trigger: {
          type: 'signalRTrigger',
          name: 'invocation',
          hubName: 'parity',
          category: 'messages',
          event: 'ping',
          connectionStringSetting: 'ParitySignalR',
        },
        handler: (invocation) => {
          received = invocation;
          return { pong: (invocation as { Arguments: unknown[] }).Arguments[0] };
        },
      });
    });
    const answer = await fetch(`${host.url}/runtime/webhooks/signalr`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-asrs-hub': 'parity',
        'x-asrs-category': 'messages',
        'x-asrs-event': 'ping',
        'x-asrs-connection-id': 'conn-1',
        'x-asrs-signature': `sha256=${createHmac('sha256', key).update('conn-1').digest('hex')}`,
      },
      body: JSON.stringify({ type: 1, invocationId: '7', target: 'ping', arguments: ['x'] }),
    });
    expect(answer.status).toBe(200);
    expect(await answer.text()).toBe(`${JSON.stringify({ type: 3, invocationId: '7', result: { pong: 'x' } })}\u001e`);
    expect(received).toMatchObject({
      ConnectionId: 'conn-1',
      Hub: 'parity',
      Category: 'messages',
      Event: 'ping',
      Arguments: ['x'],
    });
  });

  // The service signs upstream requests with the key of the endpoint that holds the connection, so the
  // SignalR webhook accepts the key of every endpoint (Azure/azure-sdk-for-net
  // Microsoft.Azure.WebJobs.Extensions.SignalRService: signature validation over all service endpoints' keys).
  it('accepts at the SignalR webhook the key of every named endpoint, and refuses other keys', async () => {
    const keys = ['multi-e1-key-0123456789abcdef0123456789', 'multi-e2-key-0123456789abcdef0123456789'];
    process.env.Azure__SignalR__Endpoints__pe1 = `Endpoint=http://localhost;Port=18811;AccessKey=${keys[0] ?? ''};Version=1.0;`;
    process.env.Azure__SignalR__Endpoints__pe2 = `Endpoint=http://localhost;Port=18812;AccessKey=${keys[1] ?? ''};Version=1.0;`;
    try {
      const host = await serve(() => {
        app.generic('multiping', {
          trigger: {
            type: 'signalRTrigger',
            name: 'invocation',
            hubName: 'multiparity',
            category: 'messages',
            event: 'ping',
            connectionStringSetting: 'MultiParityUnset',
          },
          handler: () => 'pong',
        });
      });
      const send = (key: string) =>
        fetch(`${host.url}/runtime/webhooks/signalr`, {
          method: 'POST',
          headers: {
            'content-type': 'application/json',
            'x-asrs-hub': 'multiparity',
            'x-asrs-category': 'messages',
            'x-asrs-event': 'ping',
            'x-asrs-connection-id': 'conn-2',
            'x-asrs-signature': `sha256=${createHmac('sha256', key).update('conn-2').digest('hex')}`,
          },
          body: JSON.stringify({ type: 1, invocationId: '8', target: 'ping', arguments: [] }),
        });
      const statuses: number[] = [];
      for (const key of [...keys, 'some-other-key-0123456789abcdef01234567']) statuses.push((await send(key)).status);
      expect(statuses).toEqual([200, 200, 401]);
    } finally {
      delete process.env.Azure__SignalR__Endpoints__pe1;
      delete process.env.Azure__SignalR__Endpoints__pe2;
    }
  });

  it('runs the appStart, preInvocation, postInvocation and appTerminate hooks', async () => {
    const events: string[] = [];
    const host = await serve(() => {
      app.hook.appStart((context) => {
        context.hookData.started = true;
        events.push('appStart');
      });
      app.hook.preInvocation((context) => {
        events.push(`preInvocation ${context.invocationContext.functionName}`);
        const original = context.functionHandler;
        context.functionHandler = (...args: unknown[]) => ({
          body: `wrapped ${(original(...(args as [never, never])) as { body: string }).body}`,
        });
      });
      app.hook.postInvocation((context) => {
        events.push(`postInvocation ${JSON.stringify(context.result)}`);
      });
      app.hook.appTerminate((context) => {
        events.push(`appTerminate ${String(context.hookData.started)}`);
      });
      app.http('hooked', { methods: ['GET'], handler: () => ({ body: 'inner' }) });
    });
    expect(events).toEqual(['appStart']);
    expect(await (await fetch(`${host.url}/api/hooked`)).text()).toBe('wrapped inner');
    await host.close();
    expect(events).toEqual([
      'appStart',
      'preInvocation hooked',
      'postInvocation {"body":"wrapped inner"}',
      'appTerminate true',
    ]);
  });

  it('answers 200 with an empty body when an HTTP function returns nothing', async () => {
    const host = await serve(() => {
      app.http('nothing', { methods: ['GET'], handler: () => undefined as never });
    });
    const answer = await fetch(`${host.url}/api/nothing`);
    expect([answer.status, await answer.text()]).toEqual([200, '']);
  });

  it('joins the values of a repeated query parameter with a comma', async () => {
    const probe = capture('query', (request) => [request.query.getAll('a'), request.query.get('b')]);
    const host = await serve(probe.register);
    await fetch(`${host.url}/api/query?a=1&A=2&b=`);
    expect(probe.seen()).toEqual([['1,2'], '']);
  });

  it('joins the values of a repeated header with a comma', async () => {
    const probe = capture('headers', (request) => request.headers.get('x-multi'));
    const host = await serve(probe.register);
    const { request } = await import('node:http');
    await new Promise<void>((resolve, reject) => {
      // Two header lines (fetch would join them itself).
      const sent = request(`${host.url}/api/headers`, { headers: { 'X-Multi': ['one', 'two'] } }, (response) => {
        response.resume();
        response.on('end', resolve);
      });
      sent.on('error', reject);
      sent.end();
    });
    expect(probe.seen()).toBe('one,two');
  });

  it('gives each invocation its own invocation id', async () => {
    const ids: string[] = [];
    const host = await serve(() => {
      app.http('ids', {
        methods: ['GET'],
        handler: (_request, context) => {
          ids.push(context.invocationId);
          return { body: 'ok' };
        },
      });
    });
    await fetch(`${host.url}/api/ids`);
    await fetch(`${host.url}/api/ids`);
    expect(ids).toHaveLength(2);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(ids[0]).not.toBe(ids[1]);
  });

  it('passes the full trigger and return bindings as context.options', async () => {
    const probe = capture('options/{id}', (_request, context) => context.options);
    const host = await serve(probe.register);
    await fetch(`${host.url}/api/options/1`);
    expect(probe.seen()).toMatchObject({
      trigger: {
        type: 'httpTrigger',
        direction: 'in',
        route: 'options/{id}',
        methods: ['GET'],
        authLevel: 'anonymous',
        properties: { supportsDeferredBinding: 'false' },
      },
      return: { type: 'http', direction: 'out', name: '$return' },
      extraInputs: [],
      extraOutputs: [],
    });
    expect((probe.seen() as { trigger: { name: string } }).trigger.name).toMatch(/^httpTrigger/);
  });

  it('gives the W3C trace context: the caller trace with a new span, or a new trace', async () => {
    const probe = capture('trace', (_request, context) => context.traceContext);
    const host = await serve(probe.register);
    const caller = '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01';
    await fetch(`${host.url}/api/trace`, { headers: { traceparent: caller, tracestate: 'vendor=1' } });
    const inTrace = probe.seen() as { traceParent: string; traceState: string };
    expect(inTrace.traceParent).toMatch(/^00-0af7651916cd43dd8448eb211c80319c-[0-9a-f]{16}-01$/);
    expect(inTrace.traceParent).not.toBe(caller);
    expect(inTrace.traceState).toBe('vendor=1');
    await fetch(`${host.url}/api/trace`);
    expect((probe.seen() as { traceParent: string }).traceParent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
  });

  it("loads the app with the working directory and AzureWebJobsScriptRoot set to the app's folder", async () => {
    const directory = fileURLToPath(new URL('../packages/emulator/test-fixtures/where-app', import.meta.url));
    const before = process.cwd();
    const host = createFunctionsHost({ port: 0, logLevel: 'silent' });
    hosts.push(host);
    try {
      await host.start();
      await host.loadApp(await resolveApp(directory));
      const answer = (await (await fetch(`${host.url}/api/where`)).json()) as Record<string, unknown>;
      expect(answer).toEqual({
        loadedIn: { cwd: directory, scriptRoot: directory },
        invokedIn: { cwd: directory, scriptRoot: directory },
      });
    } finally {
      process.chdir(before);
    }
  });

  it('refuses at start-up a route that starts with admin, with the host message', async () => {
    const host = createFunctionsHost({ port: 0, logLevel: 'silent' });
    hosts.push(host);
    app.http('tools', { route: 'administration/tools', methods: ['GET'], handler: () => ({ body: 'no' }) });
    const failure = await host.start().then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(failure).toBeInstanceOf(EmulatorError);
    expect((failure as EmulatorError).message).toContain(
      'The specified route conflicts with one or more built in routes.',
    );
    expect((failure as EmulatorError).message).toContain("'administration/tools'");
  });
});
