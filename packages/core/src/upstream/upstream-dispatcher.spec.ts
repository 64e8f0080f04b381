import { afterEach, describe, expect, it, vi } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { jsonHubProtocol } from '../protocol/json-hub-protocol.js';
import { denyUpstream } from './deny-upstream.js';
import { HubError } from './hub-error.js';
import type { HubInvocationContext } from './hub-invocation-context.js';
import { createUpstreamAuthenticator } from './upstream-authenticator.js';
import type { UpstreamAuthenticator } from './upstream-authenticator.js';
import { UpstreamDispatcher } from './upstream-dispatcher.js';
import type {
  UpstreamCall,
  UpstreamHandler,
  UpstreamHandlerRegistration,
  UpstreamRequest,
} from './upstream-dispatcher.js';
import { consoleUpstreamLogger } from './upstream-logger.js';
import type { UpstreamLogger } from './upstream-logger.js';
import type { UpstreamOutcome } from './upstream-outcome.js';
import { computeUpstreamSignature } from './upstream-signature.js';

const KEY = 'dispatcher-spec-key';
const authenticator = createUpstreamAuthenticator({ accessKeys: [KEY] });
const encoder = new TextEncoder();

interface LogEntry {
  level: string;
  message: string;
  error?: unknown;
}

function recordingLogger(entries: LogEntry[]): UpstreamLogger {
  return { log: (level, message, error) => entries.push({ level, message, error }) };
}

function request(options: {
  category: string;
  event: string;
  body?: string;
  claims?: string;
  headers?: Record<string, string | string[]>;
  connectionId?: string;
}): UpstreamRequest {
  const connectionId = options.connectionId ?? 'c1';
  return {
    headers: {
      'Content-Type': 'application/json',
      'X-ASRS-Connection-Id': connectionId,
      'X-ASRS-Hub': 'chat',
      'X-ASRS-Category': options.category,
      'X-ASRS-Event': options.event,
      'X-ASRS-Signature': computeUpstreamSignature(connectionId, [KEY]),
      ...(options.claims === undefined ? {} : { 'X-ASRS-User-Claims': options.claims }),
      ...options.headers,
    },
    body: encoder.encode(options.body ?? ''),
  };
}

function invoke(event: string, args: unknown[], extra?: { claims?: string }): UpstreamRequest {
  return request({
    category: 'messages',
    event,
    body: JSON.stringify({ type: 1, invocationId: '1', target: event, arguments: args }),
    ...extra,
  });
}

function decodedCompletion(outcome: UpstreamOutcome): unknown {
  if (outcome.kind !== 'completion') throw new Error(`expected a completion, got ${JSON.stringify(outcome)}`);
  const [message] = jsonHubProtocol.parseMessages(outcome.body);
  return message;
}

function dispatcherFor(
  handler: UpstreamHandler,
  extra?: Partial<UpstreamHandlerRegistration> & { detailedErrors?: 'off' | 'claim' | 'always'; logs?: LogEntry[] },
) {
  return new UpstreamDispatcher({
    authenticator,
    logger: recordingLogger(extra?.logs ?? []),
    ...(extra?.detailedErrors === undefined ? {} : { detailedErrors: extra.detailedErrors }),
    handlers: [
      {
        hub: 'chat',
        category: extra?.category ?? 'messages',
        event: extra?.event ?? 'run',
        handler,
        ...(extra?.authenticator === undefined ? {} : { authenticator: extra.authenticator }),
      },
    ],
  });
}

describe('UpstreamDispatcher registration', () => {
  const handler = () => undefined;
  const build =
    (registration: Partial<UpstreamHandlerRegistration>, withAuthenticator = true) =>
    () =>
      new UpstreamDispatcher({
        ...(withAuthenticator ? { authenticator } : {}),
        handlers: [{ hub: 'chat', category: 'messages', event: 'run', handler, ...registration }],
      });

  it.each([
    ['an empty hub', { hub: ' ' }, /hub name is empty/],
    ['an empty event', { event: '' }, /event name is empty/],
    ['an unknown category', { category: 'streams' as never }, /'connections' or 'messages'/],
    [
      'a connections event other than connected/disconnected',
      { category: 'connections' as const, event: 'reconnected' },
      /'connected' and 'disconnected'/,
    ],
    ['a handler that is not a function', { handler: 'nope' as never }, /not a function/],
    ['negative minArguments', { minArguments: -1 }, /minArguments/],
    ['fractional maxArguments', { maxArguments: 1.5 }, /maxArguments/],
    ['minArguments above maxArguments', { minArguments: 2, maxArguments: 1 }, /minArguments <= maxArguments/],
  ])('refuses %s', (_name, registration, message) => {
    expect(build(registration)).toThrow(message);
    try {
      build(registration)();
    } catch (error) {
      expect(error).toBeInstanceOf(ServerlessHubError);
      expect((error as ServerlessHubError).code).toBe('UPSTREAM_CONFIGURATION_INVALID');
    }
  });

  it('refuses a registration without any authenticator', () => {
    expect(build({}, false)).toThrow(/no authenticator/);
  });

  it('refuses two handlers for one (hub, category, event), compared case-insensitively', () => {
    expect(
      () =>
        new UpstreamDispatcher({
          authenticator,
          handlers: [
            { hub: 'Chat', category: 'messages', event: 'Run', handler },
            { hub: 'chat', category: 'messages', event: 'run', handler },
          ],
        }),
    ).toThrow(/Two upstream handlers/);
  });

  it('refuses an unknown detailedErrors mode', () => {
    expect(() => new UpstreamDispatcher({ authenticator, handlers: [], detailedErrors: 'yes' as never })).toThrow(
      /detailedErrors/,
    );
  });

  it('accepts a rest parameter (maxArguments Infinity)', () => {
    expect(build({ minArguments: 1, maxArguments: Number.POSITIVE_INFINITY })).not.toThrow();
  });
});

describe('UpstreamDispatcher dispatch', () => {
  it('builds a frozen context with lowercased header names and joined repeated values', async () => {
    let seen: HubInvocationContext | undefined;
    const dispatcher = dispatcherFor((context) => {
      seen = context;
    });
    await dispatcher.dispatch(invoke('run', [1], { claims: 'role: a, role: b' }));
    const withArrays = invoke('run', [1]);
    await dispatcher.dispatch({ ...withArrays, headers: { ...withArrays.headers, 'X-Custom': ['one', 'two'] } });
    expect(seen).toBeDefined();
    const context = seen as HubInvocationContext;
    expect(Object.isFrozen(context)).toBe(true);
    expect(Object.isFrozen(context.headers)).toBe(true);
    expect(Object.isFrozen(context.arguments)).toBe(true);
    expect(context.headers['x-custom']).toBe('one, two');
    expect(context.headers['x-asrs-hub']).toBe('chat');
  });

  it('keeps credential headers out of the context', async () => {
    let seen: HubInvocationContext | undefined;
    const dispatcher = dispatcherFor((context) => {
      seen = context;
    });
    const base = invoke('run', []);
    await dispatcher.dispatch({
      ...base,
      headers: { ...base.headers, Authorization: 'Bearer t', authentication: 'Bearer t' },
    });
    expect(Object.keys(seen?.headers ?? {}).sort()).toEqual([
      'content-type',
      'x-asrs-category',
      'x-asrs-connection-id',
      'x-asrs-event',
      'x-asrs-hub',
    ]);
  });

  it('reads Fetch Headers as it reads a record: same context, credentials left out, same refusals', async () => {
    const seen: HubInvocationContext[] = [];
    const dispatcher = dispatcherFor((context) => {
      seen.push(context);
      return context.claimValues.role;
    });
    const record = invoke('run', [1], { claims: 'role: a, role: b' });
    const fetchHeaders = new Headers(record.headers as Record<string, string>);
    fetchHeaders.append('X-Custom', 'one');
    fetchHeaders.append('x-custom', 'two');
    fetchHeaders.set('Authorization', 'Bearer t');
    const fromFetch = await dispatcher.dispatch({ headers: fetchHeaders, body: record.body });
    const fromRecord = await dispatcher.dispatch({
      ...record,
      headers: { ...record.headers, 'X-Custom': ['one', 'two'], Authorization: 'Bearer t' },
    });
    expect(decodedCompletion(fromFetch)).toEqual(decodedCompletion(fromRecord));
    expect(seen[0]).toEqual(seen[1]);
    expect(seen[0]?.headers['x-custom']).toBe('one, two');
    expect(seen[0]?.headers.authorization).toBeUndefined();

    fetchHeaders.set('X-ASRS-Signature', computeUpstreamSignature('c1', ['another key']));
    expect(await dispatcher.dispatch({ headers: fetchHeaders, body: record.body })).toMatchObject({
      kind: 'rejected',
      code: 'UPSTREAM_UNAUTHORIZED',
    });
    fetchHeaders.delete('X-ASRS-Hub');
    expect(await dispatcher.dispatch({ headers: fetchHeaders, body: record.body })).toMatchObject({
      kind: 'rejected',
      code: 'UPSTREAM_BAD_REQUEST',
    });
    expect(seen).toHaveLength(2);
  });

  it('completes with the result of a synchronous handler, a promise or another thenable', async () => {
    const results: unknown[] = [
      7,
      Promise.resolve(8),
      {
        then: (resolve: (value: unknown) => void) => {
          resolve(9);
        },
      },
    ];
    for (const [index, result] of results.entries()) {
      const dispatcher = dispatcherFor(() => result);
      expect(decodedCompletion(await dispatcher.dispatch(invoke('run', []))), String(index)).toMatchObject({
        invocationId: '1',
        result: 7 + index,
      });
    }
  });

  it('runs the handler only after an asynchronous authenticator accepts', async () => {
    const calls: string[] = [];
    const verdicts = [{ ok: true } as const, { ok: false, reason: 'no' } as const];
    for (const verdict of verdicts) {
      const asynchronous: UpstreamAuthenticator = { authenticate: async () => Promise.resolve(verdict) };
      const dispatcher = dispatcherFor(() => calls.push(String(verdict.ok)), { authenticator: asynchronous });
      const outcome = await dispatcher.dispatch(invoke('run', []));
      expect(outcome.kind).toBe(verdict.ok ? 'completion' : 'rejected');
    }
    expect(calls).toEqual(['true']);
  });

  it('passes the signal and the host through to the handler', async () => {
    let call: UpstreamCall | undefined;
    const dispatcher = dispatcherFor((_context, received) => {
      call = received;
    });
    const host = { name: 'host' };
    const controller = new AbortController();
    await dispatcher.dispatch(invoke('run', []), { signal: controller.signal, host });
    expect(call?.signal).toBe(controller.signal);
    expect(call?.host).toBe(host);
    await dispatcher.dispatch(invoke('run', []));
    expect(call?.signal.aborted).toBe(false);
    expect(call && 'host' in call).toBe(false);
  });

  it('logs to the per-call logger instead of the dispatcher logger', async () => {
    const dispatcherLogs: LogEntry[] = [];
    const callLogs: LogEntry[] = [];
    const dispatcher = dispatcherFor(
      () => {
        throw new Error('boom');
      },
      { logs: dispatcherLogs },
    );
    await dispatcher.dispatch(invoke('run', []), { logger: recordingLogger(callLogs) });
    expect(dispatcherLogs).toEqual([]);
    expect(callLogs.map((entry) => entry.level)).toEqual(['error']);
  });

  it('treats a ServerlessHubError with code HUB_ERROR like a HubError', async () => {
    const dispatcher = dispatcherFor(() => {
      throw new ServerlessHubError('HUB_ERROR', 'Room is full.');
    });
    expect(decodedCompletion(await dispatcher.dispatch(invoke('run', [])))).toEqual({
      type: 3,
      invocationId: '1',
      error: 'Room is full.',
    });
  });

  it('answers 403 for a ServerlessHubError with code UPSTREAM_FORBIDDEN thrown by an async handler', async () => {
    const dispatcher = dispatcherFor(async () => {
      await Promise.resolve();
      throw new ServerlessHubError('UPSTREAM_FORBIDDEN', 'no');
    });
    expect(await dispatcher.dispatch(invoke('run', []))).toEqual({
      kind: 'rejected',
      code: 'UPSTREAM_FORBIDDEN',
      message: 'The call was denied.',
    });
  });

  it('knows a HubError and a denial thrown by another copy of the package (two installs in one app)', async () => {
    vi.resetModules();
    const other = await import('./hub-error.js');
    const otherErrors = await import('../errors/serverless-hub-error.js');
    expect(other.HubError).not.toBe(HubError);
    const hubError = dispatcherFor(() => {
      throw new other.HubError('Room is full.');
    });
    expect(decodedCompletion(await hubError.dispatch(invoke('run', [])))).toEqual({
      type: 3,
      invocationId: '1',
      error: 'Room is full.',
    });
    const denied = dispatcherFor(() => {
      throw new otherErrors.ServerlessHubError('UPSTREAM_FORBIDDEN', 'no');
    });
    expect(await denied.dispatch(invoke('run', []))).toEqual({
      kind: 'rejected',
      code: 'UPSTREAM_FORBIDDEN',
      message: 'The call was denied.',
    });
  });

  it('answers 200 to a disconnected event whose handler denies, logging the reason', async () => {
    const logs: LogEntry[] = [];
    const dispatcher = dispatcherFor(() => denyUpstream('not interested'), {
      category: 'connections',
      event: 'disconnected',
      logs,
    });
    expect(
      await dispatcher.dispatch(request({ category: 'connections', event: 'disconnected', body: '{"type":11}' })),
    ).toEqual({ kind: 'accepted' });
    expect(logs).toEqual([
      { level: 'info', message: expect.stringContaining('not interested') as string, error: undefined },
    ]);
  });

  it('refuses a disconnected body of another type or shape', async () => {
    const dispatcher = dispatcherFor(() => undefined, { category: 'connections', event: 'disconnected' });
    const outcome = (body: string) =>
      dispatcher.dispatch(request({ category: 'connections', event: 'disconnected', body }));
    expect(await outcome('{"type":10}')).toEqual({
      kind: 'rejected',
      code: 'UPSTREAM_BAD_REQUEST',
      message: 'The disconnected body has type 10; expected 11.',
    });
    expect(await outcome('[11]')).toMatchObject({ kind: 'rejected', code: 'UPSTREAM_BAD_REQUEST' });
    expect(await outcome('')).toEqual({ kind: 'accepted' });
  });

  it('refuses a disconnected body that is not UTF-8', async () => {
    const dispatcher = dispatcherFor(() => undefined, { category: 'connections', event: 'disconnected' });
    const base = request({ category: 'connections', event: 'disconnected' });
    const outcome = await dispatcher.dispatch({ ...base, body: new Uint8Array([0x7b, 0xff, 0x7d]) });
    expect(outcome).toMatchObject({ kind: 'rejected', code: 'UPSTREAM_BAD_REQUEST' });
  });

  it('answers 500 when the authenticator cannot decide, logging why', async () => {
    const logs: LogEntry[] = [];
    const failing: UpstreamAuthenticator = {
      authenticate: () => Promise.reject(new ServerlessHubError('UPSTREAM_INTERNAL', 'keys unreachable')),
    };
    const dispatcher = dispatcherFor(() => 'never', { authenticator: failing, logs });
    expect(await dispatcher.dispatch(invoke('run', []))).toEqual({
      kind: 'rejected',
      code: 'UPSTREAM_INTERNAL',
      message: 'The upstream request failed unexpectedly; see the application log.',
    });
    expect((logs[0]?.error as Error).message).toBe('keys unreachable');
  });

  it('uses the registration authenticator over the dispatcher one', async () => {
    const other = createUpstreamAuthenticator({ accessKeys: ['other-key'] });
    const dispatcher = dispatcherFor(() => 'ran', { authenticator: other });
    expect(await dispatcher.dispatch(invoke('run', []))).toMatchObject({
      kind: 'rejected',
      code: 'UPSTREAM_UNAUTHORIZED',
    });
  });

  it('completes with a generic error when the result cannot be encoded', async () => {
    const logs: LogEntry[] = [];
    const circular: Record<string, unknown> = {};
    circular.self = circular;
    const dispatcher = dispatcherFor(() => circular, { logs });
    expect(decodedCompletion(await dispatcher.dispatch(invoke('run', [])))).toEqual({
      type: 3,
      invocationId: '1',
      error: "An unexpected error occurred invoking 'run' on the server.",
    });
    expect(logs[0]?.level).toBe('error');
    expect((logs[0]?.error as Error).message).toContain('cannot be encoded as json');
  });

  describe('detailed errors', () => {
    const failing = () => {
      throw new TypeError('x is not a function');
    };
    const generic = "An unexpected error occurred invoking 'run' on the server.";

    it("are off by default, even with the connection's asrs.s.derror claim", async () => {
      const outcome = await dispatcherFor(failing).dispatch(invoke('run', [], { claims: 'asrs.s.derror: True' }));
      expect(decodedCompletion(outcome)).toMatchObject({ error: generic });
    });

    it("in 'claim' mode add the error's name and message only for connections with asrs.s.derror: True", async () => {
      const dispatcher = dispatcherFor(failing, { detailedErrors: 'claim' });
      expect(
        decodedCompletion(await dispatcher.dispatch(invoke('run', [], { claims: 'asrs.s.derror: True' }))),
      ).toMatchObject({
        error: `${generic} TypeError: x is not a function`,
      });
      expect(
        decodedCompletion(await dispatcher.dispatch(invoke('run', [], { claims: 'asrs.s.derror: False' }))),
      ).toMatchObject({ error: generic });
      expect(decodedCompletion(await dispatcher.dispatch(invoke('run', [])))).toMatchObject({ error: generic });
    });

    it("in 'always' mode describe non-Error values too, never with a stack", async () => {
      const dispatcher = dispatcherFor(
        () => {
          // eslint-disable-next-line @typescript-eslint/only-throw-error -- a handler may throw anything
          throw 'plain string';
        },
        { detailedErrors: 'always' },
      );
      expect(decodedCompletion(await dispatcher.dispatch(invoke('run', [])))).toMatchObject({
        error: `${generic} a non-Error value was thrown: "plain string"`,
      });
      const withStack = await dispatcherFor(failing, { detailedErrors: 'always' }).dispatch(invoke('run', []));
      expect(JSON.stringify(decodedCompletion(withStack))).not.toMatch(/\bat /);
    });

    it('still answer when a handler throws a value that cannot be turned into a string', async () => {
      const unprintable: unknown[] = [
        null,
        undefined,
        Object.create(null),
        { toString: '' },
        {
          [Symbol.toPrimitive]: () => {
            throw new Error('no');
          },
        },
      ];
      for (const thrown of unprintable) {
        for (const detailedErrors of ['off', 'always'] as const) {
          const dispatcher = dispatcherFor(
            () => {
              throw thrown;
            },
            { detailedErrors },
          );
          const completion = decodedCompletion(await dispatcher.dispatch(invoke('run', [])));
          expect(completion).toMatchObject({ type: 3, invocationId: '1' });
          expect((completion as { error: string }).error.startsWith(generic)).toBe(true);
        }
      }
    });
  });
});

describe('HubError and denyUpstream', () => {
  it('HubError is a ServerlessHubError with code HUB_ERROR and the given message', () => {
    const error = new HubError('Room is full.', { cause: new Error('inner') });
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect(error.code).toBe('HUB_ERROR');
    expect(error.message).toBe('Room is full.');
    expect((error.cause as Error).message).toBe('inner');
  });

  it('denyUpstream throws UPSTREAM_FORBIDDEN with the reason', () => {
    expect(() => denyUpstream('admins only')).toThrow(
      expect.objectContaining({ code: 'UPSTREAM_FORBIDDEN', message: 'admins only' }),
    );
    expect(() => denyUpstream()).toThrow(expect.objectContaining({ code: 'UPSTREAM_FORBIDDEN' }));
  });
});

describe('consoleUpstreamLogger', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it('writes warnings and errors to the console and drops debug and info', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    const error = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const info = vi.spyOn(console, 'info').mockImplementation(() => undefined);
    const log = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    const debug = vi.spyOn(console, 'debug').mockImplementation(() => undefined);
    const failure = new Error('boom');
    consoleUpstreamLogger.log('debug', 'd');
    consoleUpstreamLogger.log('info', 'i');
    consoleUpstreamLogger.log('warn', 'w');
    consoleUpstreamLogger.log('error', 'e', failure);
    expect(warn).toHaveBeenCalledWith('w');
    expect(error).toHaveBeenCalledWith('e', failure);
    expect(info).not.toHaveBeenCalled();
    expect(log).not.toHaveBeenCalled();
    expect(debug).not.toHaveBeenCalled();
  });
});
