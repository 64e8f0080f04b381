// Event discovery that exposes no more than the author meant: Object.prototype overrides, async
// generators, the explicit event mode, the registration log, and filters that fail rather than deny.
import { app as functionsApp } from '@azure/functions';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import {
  HubEvent,
  Hub,
  HubError,
  NotEvent,
  ServerlessHub,
  UseFilters,
  Validate,
  denyUpstream,
  registerHubs,
} from '@serverless-hub/core';
import type { FunctionsApp, ServerlessHubError, UpstreamLogLevel, UpstreamLogger } from '@serverless-hub/core';
import { createHubTestBed } from '@serverless-hub/core/testing';
import type { HubTestBed } from '@serverless-hub/core/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { startHubsOnLocalHost, transports } from './emulator-helpers.js';
import type { HubsOnLocalHost } from './emulator-helpers.js';

const NO_HOST: FunctionsApp = { http: () => undefined, generic: () => undefined };

function recordingLogger(): UpstreamLogger & {
  readonly lines: { level: UpstreamLogLevel; message: string; error: unknown }[];
} {
  const lines: { level: UpstreamLogLevel; message: string; error: unknown }[] = [];
  return { lines, log: (level, message, error) => void lines.push({ level, message, error }) };
}

function eventsOf(functions: readonly { hub: string | undefined; event: string | undefined }[], hub: string): string[] {
  return functions.filter((fn) => fn.hub === hub && fn.event !== undefined).map((fn) => fn.event as string);
}

function definitionError(run: () => unknown): ServerlessHubError {
  try {
    run();
  } catch (error) {
    return error as ServerlessHubError;
  }
  throw new Error('expected registration to fail');
}

@Hub('objects')
class Objects extends ServerlessHub {
  override toString(): string {
    return 'Objects hub';
  }
  override valueOf(): number {
    return 1;
  }
  override toLocaleString(): string {
    return 'hub';
  }
  override hasOwnProperty(): boolean {
    return true;
  }
  override propertyIsEnumerable(): boolean {
    return false;
  }
  ping(): string {
    return 'pong';
  }
}

@Hub({ name: 'strict', eventMode: 'explicit' })
class Strict extends ServerlessHub {
  onConnected(): void {
    // Connection events need no @HubEvent() in explicit mode: clients cannot invoke them.
  }
  @HubEvent()
  visible(): string {
    return this.#secret();
  }
  @HubEvent('renamed')
  other(): string {
    return 'renamed';
  }
  /** TypeScript `private` is gone at run time; explicit mode keeps this from being an event. */
  private helper(): string {
    return 'helper';
  }
  #secret(): string {
    return this.helper();
  }
}

describe('event discovery', () => {
  it('never makes overrides of Object.prototype members events', () => {
    const { functions } = registerHubs(NO_HOST, [Objects], { logger: recordingLogger() });
    expect(eventsOf(functions, 'objects')).toEqual(['ping']);
  });

  it('refuses hub decorators on an Object.prototype override', () => {
    @Hub('objects2')
    class Decorated extends ServerlessHub {
      @HubEvent('str')
      override toString(): string {
        return '';
      }
    }
    const error = definitionError(() => registerHubs(NO_HOST, [Decorated]));
    expect(error.code).toBe('HUB_DEFINITION_INVALID');
    expect(error.message).toMatch(/Decorated\.toString overrides Object\.prototype\.toString/);
  });

  it('registers async generator methods as stream events, and @NotEvent() ones not at all', () => {
    @Hub('streams')
    class Streams extends ServerlessHub {
      async *ticks(): AsyncGenerator<number> {
        yield await Promise.resolve(1);
      }
    }
    expect(eventsOf(registerHubs(NO_HOST, [Streams], { logger: recordingLogger() }).functions, 'streams')).toEqual([
      'ticks',
    ]);

    @Hub('streams2')
    class Helper extends ServerlessHub {
      @NotEvent()
      async *ticks(): AsyncGenerator<number> {
        yield await Promise.resolve(1);
      }
      ping(): string {
        return 'pong';
      }
    }
    expect(eventsOf(registerHubs(NO_HOST, [Helper], { logger: recordingLogger() }).functions, 'streams2')).toEqual([
      'ping',
    ]);
  });

  it('exposes only @HubEvent() methods (and connection events) in explicit mode', () => {
    const { functions } = registerHubs(NO_HOST, [Strict], { logger: recordingLogger() });
    expect(eventsOf(functions, 'strict').sort()).toEqual(['connected', 'renamed', 'visible']);
  });

  it('takes the registration-wide default, which a hub can override', () => {
    @Hub('loose')
    class Loose extends ServerlessHub {
      @HubEvent()
      marked(): void {}
      unmarked(): void {}
    }
    @Hub({ name: 'implicitly', eventMode: 'implicit' })
    class Implicitly extends ServerlessHub {
      unmarked(): void {}
    }
    const { functions } = registerHubs(NO_HOST, [Loose, Implicitly], {
      eventMode: 'explicit',
      logger: recordingLogger(),
    });
    expect(eventsOf(functions, 'loose')).toEqual(['marked']);
    expect(eventsOf(functions, 'implicitly')).toEqual(['unmarked']);
  });

  it('refuses event decorators on a method that explicit mode does not expose, and a bad mode', () => {
    @Hub({ name: 'half', eventMode: 'explicit' })
    class Half extends ServerlessHub {
      @UseFilters(() => true)
      guarded(): void {}
    }
    expect(definitionError(() => registerHubs(NO_HOST, [Half])).message).toMatch(
      /Half\.guarded has event decorators .* but no @HubEvent\(\)/,
    );
    @Hub({ name: 'half2', eventMode: 'explicit' })
    class Half2 extends ServerlessHub {
      take(@Validate(z.string()) _text: string): void {}
    }
    expect(definitionError(() => registerHubs(NO_HOST, [Half2])).message).toMatch(/Half2\.take has event decorators/);
    expect(definitionError(() => registerHubs(NO_HOST, [Half2], { eventMode: 'everything' as never })).message).toMatch(
      /registerHubs eventMode is "everything"/,
    );
  });

  it('lists every exposed event in the registration log', () => {
    @Hub('listed')
    class Listed extends ServerlessHub {
      onConnected(): void {}
      @HubEvent('say')
      broadcast(@Validate(z.string()) _text: string): void {}
      echo(value: unknown): unknown {
        return value;
      }
    }
    const logger = recordingLogger();
    registerHubs(NO_HOST, [Listed], { logger });
    expect(logger.lines).toEqual([
      {
        level: 'info',
        message:
          "Hub 'listed' (class Listed, implicit events, http mode): negotiate at listed/negotiate; 3 events: connections/connected → onConnected, messages/say → broadcast (validated), messages/echo → echo.",
        error: undefined,
      },
    ]);
  });
});

describe('filters that fail rather than deny', () => {
  class Broken extends Error {}
  @Hub('filtered')
  class Filtered extends ServerlessHub {
    @UseFilters(() => {
      throw new Broken('the filter has a bug');
    })
    buggy(): string {
      return 'ran';
    }
    @UseFilters(() => false)
    refused(): string {
      return 'ran';
    }
    @UseFilters(() => denyUpstream('not you'))
    denied(): string {
      return 'ran';
    }
    @UseFilters(() => {
      throw new HubError('closed for today');
    })
    closed(): string {
      return 'ran';
    }
  }

  let bed: HubTestBed;
  afterEach(() => {
    bed.dispose();
  });

  it('logs a failing filter at error level with its stack; still refuses the call', async () => {
    bed = createHubTestBed([Filtered]);
    const answer = await bed.invoke('buggy', []);
    expect(answer.status).toBe(403);
    const errors = answer.logs.filter((line) => line.level === 'error');
    expect(errors).toHaveLength(1);
    expect(errors[0]?.message).toMatch(/Filter .* failed on the messages event 'buggy'/);
    expect(
      errors[0]?.args.some(
        (arg) => arg instanceof Broken && typeof arg.stack === 'string' && arg.stack.includes('hub-events.test.ts'),
      ),
    ).toBe(true);
  });

  it('logs denials (false, denyUpstream, HubError) at info level, without an error', async () => {
    bed = createHubTestBed([Filtered]);
    for (const event of ['refused', 'denied', 'closed']) {
      const answer = await bed.invoke(event, []);
      expect(answer.status).toBe(403);
      expect(answer.logs.filter((line) => line.level === 'error')).toEqual([]);
      expect(answer.logs.some((line) => line.level === 'information' && line.message.includes('denied'))).toBe(true);
    }
  });
});

describe('refused names seen by the official client', () => {
  let local: HubsOnLocalHost;

  beforeAll(async () => {
    @Hub({ name: 'strictclient', eventMode: 'explicit' })
    class StrictClient extends Strict {}
    @Hub('objectsclient')
    class ObjectsClient extends Objects {}
    local = await startHubsOnLocalHost(() =>
      registerHubs(functionsApp, [StrictClient, ObjectsClient], { logger: recordingLogger() }),
    );
  });

  afterAll(() => local.close());

  it('cannot invoke Object.prototype overrides or unmarked methods, and can invoke the events', async () => {
    for (const [hub, allowed, refused] of [
      ['strictclient', 'visible', ['helper', 'other']],
      ['objectsclient', 'ping', ['toString', 'valueOf', 'hasOwnProperty']],
    ] as const) {
      const connection = new HubConnectionBuilder()
        .withUrl(`${local.functionsHost.url}/api/${hub}`, { transport: transports.WebSockets })
        .configureLogging(LogLevel.None)
        .build();
      await connection.start();
      try {
        await expect(connection.invoke(allowed)).resolves.toEqual(expect.any(String));
        for (const name of refused) await expect(connection.invoke(name)).rejects.toThrow();
      } finally {
        await connection.stop();
      }
    }
  });
});
