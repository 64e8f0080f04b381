// Client arguments validated through Standard Schema (zod, valibot, and a schema written against the
// interface alone): through the registered functions in HTTP and binding mode, and with the official
// client through the emulator, where the validation error text is what the client sees.
import { app as functionsApp } from '@azure/functions';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import {
  Hub,
  HubContext,
  Optional,
  ServerlessHub,
  Validate,
  registerHubs,
  silentUpstreamLogger,
} from '@serverless-hub/core';
import type {
  FunctionsApp,
  HubInvocationContext,
  RegisteredSignalRFunction,
  StandardSchemaV1,
} from '@serverless-hub/core';
import { createHubTestBed, invokeSignalRTrigger } from '@serverless-hub/core/testing';
import type { HubTestBed } from '@serverless-hub/core/testing';
import * as v from 'valibot';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { protocolOf, startHubsOnLocalHost, transports } from './emulator-helpers.js';
import type { HubsOnLocalHost, ProtocolKey } from './emulator-helpers.js';

const ran: string[] = [];

/** A schema written against the Standard Schema interface alone: an async check of a room name. */
const roomName: StandardSchemaV1<string, string> = {
  '~standard': {
    version: 1,
    vendor: 'hand-written',
    validate: async (value) => {
      await Promise.resolve();
      return typeof value === 'string' && /^[a-z]+$/.test(value)
        ? { value }
        : { issues: [{ message: 'Expected lowercase letters only' }] };
    },
  },
};

@Hub('shop')
class Shop extends ServerlessHub {
  order(
    @Validate(z.string().min(1)) item: string,
    @Validate(z.coerce.number().int().positive()) quantity: number,
  ): string {
    ran.push('order');
    return `${String(quantity)} × ${item} (${typeof quantity})`;
  }

  @Validate(v.tuple([v.pipe(v.string(), v.trim(), v.minLength(1)), v.optional(v.number(), 10)]))
  search(text: string, @Optional() limit?: number): string {
    ran.push('search');
    return `${text}:${String(limit)}`;
  }

  join(@HubContext() context: HubInvocationContext, @Validate(roomName) room: string): string {
    ran.push('join');
    return `${context.connectionId} in ${room}`;
  }

  note(
    @Validate(z.object({ title: z.string(), tags: z.array(z.string()).default([]) }))
    note: {
      title: string;
      tags: string[];
    },
  ): unknown {
    ran.push('note');
    return note;
  }

  echo(value: unknown): unknown {
    return value;
  }
}

describe('argument validation through the registered functions (HTTP mode)', () => {
  let bed: HubTestBed;
  afterEach(() => {
    bed.dispose();
    ran.length = 0;
  });

  it('hands the schemas’ outputs to the method: coerced and defaulted', async () => {
    bed = createHubTestBed([Shop]);
    expect((await bed.invoke('order', ['tea', '3'])).completion?.result).toBe('3 × tea (number)');
    expect((await bed.invoke('search', ['  cake  '])).completion?.result).toBe('cake:10');
    expect((await bed.invoke('note', [{ title: 't' }])).completion?.result).toEqual({ title: 't', tags: [] });
    expect((await bed.invoke('join', ['lobby'])).completion?.result).toBe('connection-1 in lobby');
    expect(ran).toEqual(['order', 'search', 'note', 'join']);
  });

  it('never runs the method on invalid arguments; invoke gets a completion naming method, parameter and problem', async () => {
    bed = createHubTestBed([Shop]);
    const answer = await bed.invoke('order', ['tea', 'many']);
    expect(answer.status).toBe(200);
    expect(answer.completion?.error).toMatch(/^Invalid arguments for 'order': parameter 'quantity' \(argument 2\): .+/);
    const list = await bed.invoke('search', ['   ', 5], { protocol: 'messagepack' });
    expect(list.status).toBe(200);
    expect(list.completion?.error).toMatch(/^Invalid arguments for 'search': parameter 'text' \(argument 1\): .+/);
    const nested = await bed.invoke('note', [{ title: 1 }]);
    expect(nested.completion?.error).toMatch(
      /^Invalid arguments for 'note': parameter 'note' \(argument 1\) at \.title: .+/,
    );
    const async = await bed.invoke('join', ['Lobby!']);
    expect(async.completion?.error).toBe(
      "Invalid arguments for 'join': parameter 'room' (argument 1): Expected lowercase letters only.",
    );
    expect(ran).toEqual([]);
  });

  it('answers a send with invalid arguments 200 (not 500, not 403) and logs why', async () => {
    bed = createHubTestBed([Shop]);
    const answer = await bed.send('order', ['', 1]);
    expect(answer.status).toBe(200);
    expect(answer.completion).toBeUndefined();
    expect(ran).toEqual([]);
    const line = answer.logs.find((logged) => logged.level === 'warning');
    expect(line?.message).toMatch(/Invalid arguments for 'order': parameter 'item' \(argument 1\)/);
  });

  it('leaves methods without schemas as they were', async () => {
    bed = createHubTestBed([Shop]);
    expect((await bed.invoke('echo', ['not-a-number'])).completion?.result).toBe('not-a-number');
  });
});

describe('argument validation in binding mode', () => {
  const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };
  let functions: readonly RegisteredSignalRFunction[];

  beforeAll(() => {
    @Hub('bindshop')
    class BindShop extends Shop {}
    const registration = registerHubs(NO_HOST, [BindShop], { mode: 'binding', logger: silentUpstreamLogger });
    functions = registration.functions.filter((fn): fn is RegisteredSignalRFunction => fn.trigger === 'signalRTrigger');
  });
  afterEach(() => {
    ran.length = 0;
  });

  it('fails the function with the validation message, and runs it with the outputs otherwise', async () => {
    const order = functions.find((fn) => fn.event === 'order') as RegisteredSignalRFunction;
    const refused = await invokeSignalRTrigger(order, { arguments: ['tea', 'lots'] });
    expect(refused.ok).toBe(false);
    expect(refused.error).toMatch(/^Invalid arguments for 'order': parameter 'quantity' \(argument 2\)/);
    expect(refused.stack).not.toMatch(/\bat /);
    expect(ran).toEqual([]);
    await expect(invokeSignalRTrigger(order, { arguments: ['tea', '2'] })).resolves.toMatchObject({
      ok: true,
      result: '2 × tea (number)',
    });
  });
});

describe('argument validation seen by the official client', () => {
  let local: HubsOnLocalHost;

  beforeAll(async () => {
    @Hub('clientshop')
    class ClientShop extends Shop {}
    local = await startHubsOnLocalHost(() =>
      registerHubs(functionsApp, [ClientShop], { logger: silentUpstreamLogger }),
    );
  });

  afterAll(() => local.close());

  function client(protocol: ProtocolKey): HubConnection {
    return new HubConnectionBuilder()
      .withUrl(`${local.functionsHost.url}/api/clientshop`, { transport: transports.WebSockets })
      .withHubProtocol(protocolOf(protocol))
      .configureLogging(LogLevel.None)
      .build();
  }

  it.each(['json', 'messagepack'] as const)(
    'rejects invoke with the validation text and receives converted values (%s)',
    async (protocol) => {
      const connection = client(protocol);
      await connection.start();
      try {
        await expect(connection.invoke('order', 'tea', '4')).resolves.toBe('4 × tea (number)');
        await expect(connection.invoke('order', 'tea', 'not-a-number')).rejects.toThrow(
          /Invalid arguments for 'order': parameter 'quantity' \(argument 2\): /,
        );
        await expect(connection.invoke('join', 'UPPER')).rejects.toThrow(
          "Invalid arguments for 'join': parameter 'room' (argument 1): Expected lowercase letters only.",
        );
        await expect(connection.invoke('search', 'pie')).resolves.toBe('pie:10');
      } finally {
        await connection.stop();
      }
    },
  );
});

describe('schema definition errors, at registration', () => {
  const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };
  function definitionMessage(hub: new () => ServerlessHub): string {
    try {
      registerHubs(NO_HOST, [hub], { logger: silentUpstreamLogger });
    } catch (error) {
      expect((error as { code?: unknown }).code).toBe('HUB_DEFINITION_INVALID');
      return (error as Error).message;
    }
    throw new Error('expected registration to fail');
  }

  it('refuses what is not a Standard Schema, schemas on injected parameters, and two schemas for one thing', () => {
    @Hub('notaschema')
    class NotASchema extends ServerlessHub {
      take(@Validate({ parse: () => 1 } as never) _value: unknown): void {}
    }
    expect(definitionMessage(NotASchema)).toMatch(
      /@Validate on NotASchema\.take parameter '_value' got an object, which is not a Standard Schema \(v1\)/,
    );

    @Hub('injected')
    class Injected extends ServerlessHub {
      take(@HubContext() @Validate(z.unknown()) _context: HubInvocationContext): void {}
    }
    expect(definitionMessage(Injected)).toMatch(
      /Injected\.take: parameter '_context' is injected, not a client argument, so @Validate does not apply/,
    );

    @Hub('twice')
    class Twice extends ServerlessHub {
      @Validate(z.tuple([z.string()]))
      take(@Validate(z.string()) _text: string): void {}
    }
    expect(definitionMessage(Twice)).toMatch(/Twice\.take has @Validate both on the method and on parameters/);

    @Hub('connectschema')
    class ConnectSchema extends ServerlessHub {
      @Validate(z.tuple([]))
      onConnected(): void {}
    }
    expect(definitionMessage(ConnectSchema)).toMatch(
      /ConnectSchema\.onConnected handles the connected event, which carries no client arguments/,
    );
  });
});
