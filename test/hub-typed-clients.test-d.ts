// Type tests, checked by the compiler in `pnpm typecheck` (an `expectTypeOf` that does not hold is a type
// error): the typed client proxy of ServerlessHub<TClient> and the filter types.
import { ServerlessHub, UseFilters } from '@serverless-hub/core';
import type { ClientProxy, HubInvocationContext, TypedHubClients } from '@serverless-hub/core';
import { describe, expectTypeOf, it } from 'vitest';

interface ChatClient {
  newMessage(message: { from: string; text: string }): void;
  typing(userId: string, active?: boolean): void;
  count: number;
  send(raw: string): void;
}

class Chat extends ServerlessHub<ChatClient> {
  async check(): Promise<void> {
    const all = this.clients.all;
    expectTypeOf(all.newMessage).parameters.toEqualTypeOf<[message: { from: string; text: string }]>();
    expectTypeOf(all.newMessage).returns.toEqualTypeOf<Promise<void>>();
    expectTypeOf(all.typing).parameters.toEqualTypeOf<[userId: string, active?: boolean]>();

    await all.newMessage({ from: 'a', text: 'b' });
    await this.clients.user('bob').typing('bob');
    await this.clients.groupExcept('room', ['c1']).typing('bob', true);

    // @ts-expect-error wrong argument type
    await all.newMessage('hello');
    // @ts-expect-error missing property
    await all.newMessage({ from: 'a' });
    // @ts-expect-error too many arguments
    await all.typing('bob', true, 'extra');
    // @ts-expect-error not a client method
    await all.unknownMethod();
    // @ts-expect-error properties that are not methods are not callable
    await all.count();

    // The untyped form stays, and `send` keeps its REST meaning even when the client has a `send` method.
    expectTypeOf(all.send).toEqualTypeOf<(target: string, ...args: unknown[]) => Promise<void>>();
    await all.send('anything', 1, { a: 2 });
    await all.sendMessage('anything', [1], { signal: AbortSignal.timeout(1_000) });
    // @ts-expect-error the target name is required
    await all.send();
  }
}

describe('typed client proxy', () => {
  it('exposes TClient methods as promise-returning senders on every target', () => {
    expectTypeOf<Chat['clients']>().toEqualTypeOf<TypedHubClients<ChatClient>>();
    expectTypeOf<TypedHubClients<ChatClient>['user']>().returns.toEqualTypeOf<ClientProxy<ChatClient>>();
    expectTypeOf<TypedHubClients<ChatClient>['groups']>().parameters.toEqualTypeOf<[groupNames: readonly string[]]>();
  });

  it('offers only the untyped send on hubs without a client interface', () => {
    class Loose extends ServerlessHub {
      async go(): Promise<void> {
        await this.clients.all.send('whatever', 1, 'two');
        // @ts-expect-error declare a client interface (ServerlessHub<TClient>) for typed calls
        await this.clients.all.whatever(1, 'two');
      }
    }
    expectTypeOf<Loose>().toHaveProperty('go');
  });

  it('types inline filter functions with the invocation context', () => {
    UseFilters((context, signal) => {
      expectTypeOf(context).toEqualTypeOf<HubInvocationContext>();
      expectTypeOf(signal).toEqualTypeOf<AbortSignal>();
      return context.userId !== undefined;
    });
    // @ts-expect-error a filter returns boolean, nothing, or a promise of them
    UseFilters(() => 'yes');
  });
});

interface TimeClient {
  notify(text: string): void;
  localTime(): string;
  sum(a: number, b: number): Promise<number>;
}

class Clock extends ServerlessHub<TimeClient> {
  async check(): Promise<void> {
    const client = this.clients.client('c1');
    expectTypeOf(await client.invoke('localTime')).toEqualTypeOf<string>();
    // A client method returning a promise is awaited for its value.
    expectTypeOf(await client.invoke('sum', 1, 2)).toEqualTypeOf<number>();
    expectTypeOf(await client.invokeMessage('sum', [1, 2], { timeoutMs: 1_000 })).toEqualTypeOf<number>();
    // @ts-expect-error a void method sends; it cannot be awaited for a result
    await client.invoke('notify', 'hi');
    // @ts-expect-error wrong argument types
    await client.invoke('sum', '1', 2);
    // @ts-expect-error not a client method
    await client.invoke('unknown');
    // Only a single connection can be invoked.
    // @ts-expect-error `all` has no invoke
    await this.clients.all.invoke('localTime');
    expectTypeOf(this.groups.listConnections('room')).toEqualTypeOf<
      AsyncIterable<{ readonly connectionId: string; readonly userId?: string }>
    >();
  }
}

class Untyped extends ServerlessHub {
  async check(): Promise<void> {
    expectTypeOf(await this.clients.client('c1').invoke('anything', 1, 'two')).toEqualTypeOf<unknown>();
  }
}

describe('client results are typed by the client interface', () => {
  it('compiles', () => {
    expectTypeOf(Clock).toBeConstructibleWith();
    expectTypeOf(Untyped).toBeConstructibleWith();
  });
});
