// Binding mode: the same hubs behind the Functions host's own SignalR trigger, driven with the PascalCase
// invocation context the host passes to non-.NET functions.
import { InvocationContext } from '@azure/functions';
import { Hub, HubContext, HubError, ServerlessHub, UseFilters, registerHubs } from '@serverless-hub/core';
import {
  clearRegisteredFunctions,
  getRegisteredFunctions,
  createRecordingServices,
  createTestInvocationContext,
  invokeSignalRTrigger,
} from '@serverless-hub/core/testing';
import type { FunctionsApp, HubInvocationContext, RegisteredSignalRFunction } from '@serverless-hub/core';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';

const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };
const events: string[] = [];

@Hub('chat')
class Chat extends ServerlessHub<{ joined(id: string): void }> {
  @UseFilters((context) => context.claims.banned !== 'true')
  async onConnected(): Promise<void> {
    events.push(`connected ${this.context.connectionId}`);
    await this.clients.all.joined(this.context.connectionId);
  }

  onDisconnected(): void {
    events.push(`disconnected ${this.context.connectionId} ${this.context.error ?? 'clean'}`);
    throw new Error('cleanup failed');
  }

  echo(value: unknown): unknown {
    return value;
  }

  describe(@HubContext() context: HubInvocationContext, label: string): unknown {
    return {
      label,
      same: context === this.context,
      hub: context.hub,
      event: context.event,
      category: context.category,
      userId: context.userId ?? null,
      claims: context.claims,
      query: context.query,
      agent: context.headers['user-agent'],
      protocol: context.protocol,
      functionName: this.functionContext?.functionName,
    };
  }

  search(text: string, limit = 5): string {
    return `${text}:${String(limit)}`;
  }

  @UseFilters(() => false)
  guarded(): string {
    return 'never';
  }

  refuse(): never {
    throw new HubError('Not allowed here.');
  }

  crash(): never {
    throw new Error('secret detail');
  }

  async *ticks(): AsyncGenerator<number> {
    yield await Promise.resolve(1);
  }
}

const services = createRecordingServices();
let functions: Map<string, RegisteredSignalRFunction>;

beforeAll(() => {
  registerHubs(NO_HOST, [Chat], { mode: 'binding', services: () => services });
  functions = new Map(
    getRegisteredFunctions()
      .filter((fn): fn is RegisteredSignalRFunction => fn.trigger === 'signalRTrigger')
      .map((fn) => [fn.event ?? '', fn]),
  );
});

afterAll(() => {
  clearRegisteredFunctions();
});

beforeEach(() => {
  events.length = 0;
  services.reset();
});

function fn(event: string): RegisteredSignalRFunction {
  const found = functions.get(event);
  if (found === undefined) throw new Error(`no function for ${event}`);
  return found;
}

describe('signalRTrigger functions', () => {
  it('returns the method’s result, which the extension passes to the client’s invoke()', async () => {
    const outcome = await invokeSignalRTrigger(fn('echo'), { arguments: [{ a: [1, 'b'] }] });
    expect(outcome).toMatchObject({ ok: true, result: { a: [1, 'b'] } });
  });

  it('adapts the host’s PascalCase context to the same invocation context as HTTP mode', async () => {
    const outcome = await invokeSignalRTrigger(fn('describe'), {
      connectionId: 'c9',
      userId: 'alice',
      claims: { role: 'admin' },
      query: { room: 'lobby' },
      headers: { 'User-Agent': 'test-agent', 'Content-Type': 'application/x-msgpack' },
      arguments: ['x'],
    });
    expect(outcome.result).toEqual({
      label: 'x',
      same: true,
      hub: 'chat',
      event: 'describe',
      category: 'messages',
      userId: 'alice',
      claims: { role: 'admin' },
      query: { room: 'lobby' },
      agent: 'test-agent',
      protocol: 'messagepack',
      functionName: 'chat_describe',
    });
  });

  it('reads camelCase contexts too, and refuses malformed ones', async () => {
    const handler = fn('echo').handler as (invocation: unknown, context: InvocationContext) => Promise<unknown>;
    const { context } = createTestInvocationContext('chat_echo');
    await expect(handler({ connectionId: 'c1', arguments: [7], hub: 'chat', event: 'echo' }, context)).resolves.toBe(7);
    await expect(handler({ Arguments: [7] }, context)).rejects.toThrow(
      'The signalRTrigger invocation context is malformed: ConnectionId is missing.',
    );
    await expect(handler({ ConnectionId: 'c1', Arguments: 'x' }, context)).rejects.toThrow(
      'Arguments must be an array',
    );
    await expect(handler('nope', context)).rejects.toThrow(/expected an object/);
  });

  it('checks argument counts with the official message, allowing optional trailing parameters', async () => {
    expect((await invokeSignalRTrigger(fn('search'), { arguments: ['a'] })).result).toBe('a:5');
    expect((await invokeSignalRTrigger(fn('search'), { arguments: ['a', 2] })).result).toBe('a:2');
    const tooMany = await invokeSignalRTrigger(fn('search'), { arguments: ['a', 2, 3] });
    expect(tooMany.error).toBe('The function accept 2 arguments but message provided 3.');
    const none = await invokeSignalRTrigger(fn('echo'), {});
    expect(none.error).toBe('The function accept 1 arguments but message provided 0.');
  });

  it('runs connected with its filters: allowed connections run onConnected, denied ones fail (the host answers 403)', async () => {
    const allowed = await invokeSignalRTrigger(fn('connected'), { connectionId: 'c1' });
    expect(allowed.ok).toBe(true);
    expect(services.messages).toEqual([{ to: { kind: 'all' }, target: 'joined', arguments: ['c1'] }]);
    const refused = await invokeSignalRTrigger(fn('connected'), { connectionId: 'c2', claims: { banned: 'true' } });
    expect(refused).toMatchObject({ ok: false, error: 'The connection was refused.' });
    expect(events).toEqual(['connected c1']);
  });

  it('never fails disconnected, and gives it the close error', async () => {
    const outcome = await invokeSignalRTrigger(fn('disconnected'), { connectionId: 'c3', error: 'timeout' });
    expect(outcome.ok).toBe(true);
    expect(events).toEqual(['disconnected c3 timeout']);
    expect(outcome.logs.some((line) => line.level === 'error' && line.message.includes('cleanup failed'))).toBe(true);
  });

  it('fails denied and failing calls with client-safe messages and stacks', async () => {
    const denied = await invokeSignalRTrigger(fn('guarded'));
    expect(denied).toMatchObject({ ok: false, error: 'The call was denied.', stack: 'Error: The call was denied.' });
    const refused = await invokeSignalRTrigger(fn('refuse'));
    expect(refused).toMatchObject({ ok: false, error: 'Not allowed here.', stack: 'Error: Not allowed here.' });
    const crashed = await invokeSignalRTrigger(fn('crash'));
    expect(crashed).toMatchObject({ ok: false, error: "An unexpected error occurred invoking 'crash' on the server." });
    expect(crashed.stack).not.toMatch(/secret detail|\.ts:|\/src\//);
    expect(crashed.logs.some((line) => line.level === 'error' && line.message.includes('secret detail'))).toBe(true);
  });

  it('fails a stream method with a message saying the trigger cannot stream (the extension knows invocations only)', async () => {
    const outcome = await invokeSignalRTrigger(fn('ticks'));
    expect(outcome).toMatchObject({
      ok: false,
      error:
        "'ticks' streams its result, which the SignalR trigger (mode 'binding') cannot deliver; register the hub in the default HTTP mode.",
    });
  });
});
