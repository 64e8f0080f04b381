import type { GenericFunctionOptions, HttpFunctionOptions } from '@azure/functions';
import {
  HubEvent,
  FunctionContext,
  Hub,
  HubContext,
  Ignore,
  Negotiate,
  NotEvent,
  Optional,
  ServerlessHub,
  ServerlessHubError,
  Signal,
  UseFilters,
  registerHubs,
} from '@serverless-hub/core';
import { clearRegisteredFunctions, getRegisteredFunctions } from '@serverless-hub/core/testing';
import type {
  FunctionsApp,
  HubFilter,
  RegisterHubsOptions,
  RegisteredHttpFunction,
  RegisteredSignalRFunction,
} from '@serverless-hub/core';
import { afterEach, describe, expect, it } from 'vitest';

/** A stand-in for `@azure/functions`' app that keeps what it is given. */
interface RecordingApp extends FunctionsApp {
  readonly httpCalls: [string, HttpFunctionOptions][];
  readonly genericCalls: [string, GenericFunctionOptions][];
}

function recordingApp(): RecordingApp {
  const httpCalls: [string, HttpFunctionOptions][] = [];
  const genericCalls: [string, GenericFunctionOptions][] = [];
  return {
    httpCalls,
    genericCalls,
    http: (name, options) => {
      httpCalls.push([name, options]);
    },
    generic: (name, options) => {
      genericCalls.push([name, options]);
    },
  };
}

function errorOf(run: () => unknown): ServerlessHubError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    return error as ServerlessHubError;
  }
  throw new Error('expected an error');
}

function expectDefinitionError(
  hubs: readonly (abstract new (...args: never[]) => object)[],
  message: RegExp,
  options?: RegisterHubsOptions,
): void {
  const app = recordingApp();
  const error = errorOf(() => registerHubs(app, hubs, options));
  expect(error.code).toBe('HUB_DEFINITION_INVALID');
  expect(error.message).toMatch(message);
  expect(app.httpCalls).toEqual([]);
  expect(app.genericCalls).toEqual([]);
}

function expectRegistrationError(run: (app: RecordingApp) => unknown, message: RegExp): void {
  const app = recordingApp();
  const error = errorOf(() => run(app));
  expect(error.code).toBe('HUB_REGISTRATION_INVALID');
  expect(error.message).toMatch(message);
}

function named<T extends abstract new (...args: never[]) => object>(name: string, hubClass: T): T {
  return Object.defineProperty(hubClass, 'name', { value: name });
}

afterEach(() => {
  clearRegisteredFunctions();
});

describe('mapping a hub class to functions (HTTP mode)', () => {
  class Base extends ServerlessHub {
    shared(): string {
      return 'base';
    }
    overridden(): string {
      return 'base';
    }
  }

  @Hub()
  class Chat extends Base {
    #secret = 1;
    constructor() {
      super();
      this.#secret = 2;
    }
    get value(): number {
      return this.#secret;
    }
    set value(next: number) {
      this.#secret = next;
    }
    async onConnected(): Promise<void> {}
    ONDISCONNECTED(): void {}
    broadcast(_text: string): void {}
    @HubEvent('send')
    sendMessage(_text: string): void {}
    @NotEvent()
    helper(): void {}
    _private(): void {}
    #hidden(): number {
      return this.#secret;
    }
    override overridden(): string {
      return `derived ${String(this.#hidden())}`;
    }
    @Negotiate()
    connect(): Promise<unknown> {
      return this.negotiate();
    }
  }

  it('names the hub after its class and registers negotiate plus one function per event', () => {
    const app = recordingApp();
    const registration = registerHubs(app, [Chat]);
    const summary = registration.functions.map((fn) => [
      fn.name,
      fn.role,
      fn.category,
      fn.event,
      (fn as RegisteredHttpFunction).route,
      (fn as RegisteredHttpFunction).methods,
    ]);
    expect(summary).toEqual([
      ['chat_negotiate', 'negotiate', undefined, undefined, 'chat/negotiate', ['GET', 'POST']],
      ['chat_onconnected', 'upstream', 'connections', 'connected', 'chat/connections/connected', ['POST']],
      ['chat_ondisconnected', 'upstream', 'connections', 'disconnected', 'chat/connections/disconnected', ['POST']],
      ['chat_broadcast', 'upstream', 'messages', 'broadcast', 'chat/messages/broadcast', ['POST']],
      ['chat_sendmessage', 'upstream', 'messages', 'send', 'chat/messages/send', ['POST']],
      ['chat_overridden', 'upstream', 'messages', 'overridden', 'chat/messages/overridden', ['POST']],
      ['chat_shared', 'upstream', 'messages', 'shared', 'chat/messages/shared', ['POST']],
    ]);
    expect(registration.functions.every((fn) => fn.hub === 'Chat')).toBe(true);
    expect(
      app.httpCalls.map(([name, options]) => [
        name,
        options.route,
        options.methods,
        options.authLevel,
        typeof options.handler,
      ]),
    ).toEqual(summary.map(([name, , , , route, methods]) => [name, route, methods, 'anonymous', 'function']));
    expect(app.genericCalls).toEqual([]);
    expect(getRegisteredFunctions().map((fn) => fn.name)).toEqual(summary.map(([name]) => name));
  });

  it('takes an explicit hub name, connection setting and auth level', () => {
    @Hub({ name: 'Room.V2', connectionStringSetting: 'RoomConnection' })
    class Room extends ServerlessHub {
      join(): void {}
    }
    const app = recordingApp();
    const { functions } = registerHubs(app, [Room], { authLevel: 'function' });
    expect(functions.map((fn) => [fn.name, fn.hub, (fn as RegisteredHttpFunction).route])).toEqual([
      ['room_v2_negotiate', 'Room.V2', 'room.v2/negotiate'],
      ['room_v2_join', 'Room.V2', 'room.v2/messages/join'],
    ]);
    expect(app.httpCalls.every(([, options]) => options.authLevel === 'function')).toBe(true);
  });

  it('keeps ServerlessHub members out of the events, and allows replacing one with @NotEvent()', () => {
    @Hub('custom')
    class Custom extends ServerlessHub {
      @NotEvent()
      override log(...args: unknown[]): void {
        super.log('[custom]', ...args);
      }
      ping(): string {
        return 'pong';
      }
    }
    const { functions } = registerHubs(recordingApp(), [Custom]);
    expect(functions.map((fn) => fn.name)).toEqual(['custom_negotiate', 'custom_ping']);
  });

  it('registers several hubs in one call, each with its own functions', () => {
    @Hub('one')
    class One extends ServerlessHub {
      a(): void {}
    }
    @Hub('two')
    class Two extends ServerlessHub {
      b(): void {}
    }
    const { functions } = registerHubs(recordingApp(), [One, Two]);
    expect(functions.map((fn) => fn.name)).toEqual(['one_negotiate', 'one_a', 'two_negotiate', 'two_b']);
  });
});

describe('mapping in binding mode', () => {
  @Hub({ name: 'chat', connectionStringSetting: 'ChatConnection' })
  class Chat extends ServerlessHub {
    onConnected(): void {}
    broadcast(_text: string, _to: string): void {}
    search(_text: string, _limit = 10): void {}
    many(..._items: unknown[]): void {}
    injected(@HubContext() _context: unknown, _text: string, @Signal() _signal: AbortSignal): void {}
  }

  it('registers one signalRTrigger function per event with its binding, and the HTTP negotiate function', () => {
    const app = recordingApp();
    const { functions } = registerHubs(app, [Chat], { mode: 'binding' });
    expect(app.httpCalls.map(([name, options]) => [name, options.route])).toEqual([
      ['chat_negotiate', 'chat/negotiate'],
    ]);
    expect(app.genericCalls.map(([name, options]) => [name, options.trigger])).toEqual([
      [
        'chat_onconnected',
        {
          type: 'signalRTrigger',
          name: 'invocation',
          hubName: 'chat',
          category: 'connections',
          event: 'connected',
          connectionStringSetting: 'ChatConnection',
        },
      ],
      [
        'chat_broadcast',
        {
          type: 'signalRTrigger',
          name: 'invocation',
          hubName: 'chat',
          category: 'messages',
          event: 'broadcast',
          connectionStringSetting: 'ChatConnection',
          parameterNames: ['_text', '_to'],
        },
      ],
      // Optional and rest parameters: the host's exact-count check would refuse valid calls, so no parameterNames.
      [
        'chat_search',
        {
          type: 'signalRTrigger',
          name: 'invocation',
          hubName: 'chat',
          category: 'messages',
          event: 'search',
          connectionStringSetting: 'ChatConnection',
        },
      ],
      [
        'chat_many',
        {
          type: 'signalRTrigger',
          name: 'invocation',
          hubName: 'chat',
          category: 'messages',
          event: 'many',
          connectionStringSetting: 'ChatConnection',
        },
      ],
      [
        'chat_injected',
        {
          type: 'signalRTrigger',
          name: 'invocation',
          hubName: 'chat',
          category: 'messages',
          event: 'injected',
          connectionStringSetting: 'ChatConnection',
          parameterNames: ['_text'],
        },
      ],
    ]);
    const trigger = functions[2] as RegisteredSignalRFunction;
    expect(trigger.trigger).toBe('signalRTrigger');
    expect(trigger.binding).toMatchObject({ hubName: 'chat', event: 'broadcast' });
  });

  it('accepts hub names that are not route-safe in binding mode', () => {
    @Hub('chat,v2')
    class Odd extends ServerlessHub {
      a(): void {}
    }
    expect(() => registerHubs(recordingApp(), [Odd], { mode: 'binding' })).not.toThrow();
  });
});

describe('hub definition errors', () => {
  it('refuses what is not a hub class', () => {
    expectDefinitionError([(() => ({})) as unknown as abstract new () => object], /where a hub class was expected/);
    class Plain {}
    expectDefinitionError([Plain], /Plain is not a hub: a hub class must extend ServerlessHub/);
  });

  it('refuses generated or minified class names without an explicit name', () => {
    expectDefinitionError([[class extends ServerlessHub {}][0]!], /class is anonymous.*@Hub\('name'\)/);
    expectDefinitionError([named('e', class extends ServerlessHub {})], /"e" is one or two characters long/);
    expectDefinitionError([named('Ab', class extends ServerlessHub {})], /"Ab" is one or two characters long/);
    expectDefinitionError([named('Chat$1', class extends ServerlessHub {})], /contains "\$"/);
    expectDefinitionError(
      [named('_class', class extends ServerlessHub {})],
      /"_class" is one that transpilers and bundlers generate/,
    );
    expectDefinitionError([named('_class2', class extends ServerlessHub {})], /generate/);
    expectDefinitionError([named('default', class extends ServerlessHub {})], /generate/);
    expectDefinitionError([named('Chät', class extends ServerlessHub {})], /cannot be a hub name/);
    // An explicit name makes any class name fine.
    const minified = named('e', class extends ServerlessHub {});
    Hub('chat')(minified);
    expect(registerHubs(recordingApp(), [minified]).functions[0]?.hub).toBe('chat');
  });

  it('refuses hub names the service does not accept', () => {
    @Hub('1chat')
    class Digit extends ServerlessHub {}
    expectDefinitionError([Digit], /names the hub "1chat", which the service does not accept/);
    @Hub('a b')
    class Space extends ServerlessHub {}
    expectDefinitionError([Space], /"a b"/);
  });

  it('refuses two @Hub decorators and a bad connection setting', () => {
    @Hub('a')
    @Hub('b')
    class Twice extends ServerlessHub {}
    expectDefinitionError([Twice], /Twice has 2 @Hub decorators/);
    @Hub({ name: 'chat', connectionStringSetting: ' ' })
    class Setting extends ServerlessHub {}
    expectDefinitionError([Setting], /connectionStringSetting " "/);
  });

  it('refuses malformed negotiate options, at registration', () => {
    @Hub({ name: 'chat', negotiate: { userid: 'x' } as never })
    class Unknown extends ServerlessHub {}
    expectDefinitionError([Unknown], /unknown option "userid"/);
    @Hub({ name: 'chat', negotiate: { userId: '{headers.}' } })
    class BadExpression extends ServerlessHub {}
    expectDefinitionError([BadExpression], /negotiate options of BadExpression: .*userId/);
    @Hub({ name: 'chat', negotiate: { idToken: '{headers.authorization}' } })
    class NoClaimTypes extends ServerlessHub {}
    expectDefinitionError([NoClaimTypes], /idToken needs claimTypeList/);
    @Hub({ name: 'chat', negotiate: { lifetime: 5 } })
    class ShortLifetime extends ServerlessHub {}
    expectDefinitionError([ShortLifetime], /lifetime/);
  });

  it('refuses conflicting negotiate definitions', () => {
    @Hub('chat')
    class TwoMethods extends ServerlessHub {
      @Negotiate()
      a(): void {}
      @Negotiate()
      b(): void {}
    }
    expectDefinitionError([TwoMethods], /two @Negotiate\(\) methods, a and b/);
    @Hub('chat')
    class NegotiateEvent extends ServerlessHub {
      @Negotiate()
      @HubEvent('x')
      a(): void {}
    }
    expectDefinitionError([NegotiateEvent], /NegotiateEvent.a is the @Negotiate\(\) method, which is never an event/);
    @Hub('chat')
    class NegotiateFilter extends ServerlessHub {
      @Negotiate()
      @UseFilters(() => true)
      a(): void {}
    }
    expectDefinitionError([NegotiateFilter], /filters guard upstream events, not negotiate/);
    @Hub('chat')
    class NegotiateParameter extends ServerlessHub {
      @Negotiate()
      a(@HubContext() _context: unknown): void {}
    }
    expectDefinitionError([NegotiateParameter], /parameter decorators do not apply/);
    @Hub('chat')
    class NegotiateTwice extends ServerlessHub {
      @Negotiate()
      @Negotiate()
      a(): void {}
    }
    expectDefinitionError([NegotiateTwice], /@Negotiate\(\) twice/);
    @Hub({ name: 'chat', negotiate: { userId: '{headers.x-user}' } })
    class Both extends ServerlessHub {
      @Negotiate()
      a(): void {}
    }
    expectDefinitionError([Both], /both a @Negotiate\(\) method \(a\) and @Hub negotiate options/);
  });

  it('refuses methods that would replace ServerlessHub members', () => {
    @Hub('chat')
    class Shadow extends ServerlessHub {
      override negotiate(): never {
        throw new Error('not used');
      }
    }
    expectDefinitionError([Shadow], /Shadow.negotiate replaces ServerlessHub's own negotiate/);
  });

  it('refuses contradictory event decorators', () => {
    @Hub('chat')
    class NotEventAndEvent extends ServerlessHub {
      @NotEvent()
      @HubEvent('x')
      a(): void {}
    }
    expectDefinitionError([NotEventAndEvent], /both @NotEvent\(\) and @HubEvent\(\)/);
    @Hub('chat')
    class PrivateEvent extends ServerlessHub {
      @HubEvent('x')
      _a(): void {}
    }
    expectDefinitionError([PrivateEvent], /starts with "_", which marks a method as private/);
    @Hub('chat')
    class TwoNames extends ServerlessHub {
      @HubEvent('x')
      @HubEvent('y')
      a(): void {}
    }
    expectDefinitionError([TwoNames], /TwoNames.a has 2 @HubEvent decorators/);
  });

  it('refuses two methods for one event, case-insensitively', () => {
    @Hub('chat')
    class SameName extends ServerlessHub {
      @HubEvent('send')
      a(): void {}
      @HubEvent('send')
      b(): void {}
    }
    expectDefinitionError([SameName], /SameName.a and SameName.b both handle the messages event "send"/);
    @Hub('chat')
    class SameCase extends ServerlessHub {
      echo(): void {}
      Echo(): void {}
    }
    expectDefinitionError([SameCase], /both handle the messages event "Echo"/);
    @Hub('chat')
    class TwoConnected extends ServerlessHub {
      onConnected(): void {}
      OnConnected(): void {}
    }
    expectDefinitionError([TwoConnected], /both handle the connections event "connected"/);
  });

  it('refuses event names that cannot be routes or function names', () => {
    @Hub('chat')
    class BadEventName extends ServerlessHub {
      @HubEvent('send message')
      a(): void {}
    }
    expectDefinitionError([BadEventName], /names the event "send message"/);
    @Hub('chat')
    class DollarMethod extends ServerlessHub {
      $send(): void {}
    }
    expectDefinitionError([DollarMethod], /DollarMethod.\$send cannot be an event name/);
  });

  it('refuses client arguments on connection events', () => {
    @Hub('chat')
    class ConnectedWithArgument extends ServerlessHub {
      onConnected(_who: string): void {}
    }
    expectDefinitionError([ConnectedWithArgument], /handles the connected event, which carries no client arguments/);
    @Hub('chat')
    class ConnectedInjected extends ServerlessHub {
      onConnected(
        @HubContext() _context: unknown,
        @FunctionContext() _functionContext: unknown,
        @Ignore() _x: unknown,
      ): void {}
    }
    expect(() => registerHubs(recordingApp(), [ConnectedInjected])).not.toThrow();
  });

  it('refuses parameter lists that cannot bind by position', () => {
    @Hub('chat')
    class TwoMarkers extends ServerlessHub {
      a(@HubContext() @Signal() _x: unknown): void {}
    }
    expectDefinitionError([TwoMarkers], /parameter '_x' has 2 parameter decorators/);
    @Hub('chat')
    class RequiredAfterOptional extends ServerlessHub {
      a(_text: string, @Optional() _limit?: number, _third?: string): void {}
    }
    expectDefinitionError(
      [RequiredAfterOptional],
      /parameter '_limit' is optional but parameter '_third' after it is not/,
    );
    @Hub('chat')
    class RequiredAfterDefault extends ServerlessHub {
      a(_text = 'x', _other?: string): void {}
    }
    expectDefinitionError([RequiredAfterDefault], /'_text' is optional but parameter '_other'/);
  });

  it('refuses decorators where they do not apply', () => {
    class OnAccessor extends ServerlessHub {
      @NotEvent()
      get value(): number {
        return 1;
      }
    }
    Hub('chat')(OnAccessor);
    expectDefinitionError([OnAccessor], /OnAccessor.value is an accessor/);

    class OnField extends ServerlessHub {
      field = (): number => 1;
    }
    HubEvent('x')(OnField.prototype, 'field', {});
    Hub('chat')(OnField);
    expectDefinitionError([OnField], /OnField.field is not a method/);

    @Hub('chat')
    class OnStatic extends ServerlessHub {
      @HubEvent('x')
      static helper(): void {}
    }
    expectDefinitionError([OnStatic], /OnStatic.helper is static/);

    @Hub('chat')
    class OnConstructor extends ServerlessHub {
      constructor(@HubContext() readonly context2: unknown) {
        super();
      }
    }
    expectDefinitionError([OnConstructor], /OnConstructor's constructor has hub parameter decorators/);

    const symbol = Symbol('s');
    class OnSymbol extends ServerlessHub {
      [symbol](): void {}
    }
    HubEvent('x')(OnSymbol.prototype, symbol, Object.getOwnPropertyDescriptor(OnSymbol.prototype, symbol)!);
    Hub('chat')(OnSymbol);
    expectDefinitionError([OnSymbol], /has a symbol name/);
  });

  it('refuses malformed filters', () => {
    @Hub('chat')
    @UseFilters(42 as never)
    class NumberFilter extends ServerlessHub {}
    expectDefinitionError([NumberFilter], /A filter on NumberFilter \(class\) is number/);
    class NoCanActivate {
      check(): boolean {
        return true;
      }
    }
    @Hub('chat')
    class ClassWithoutCanActivate extends ServerlessHub {
      @UseFilters(NoCanActivate as never)
      a(): void {}
    }
    expectDefinitionError(
      [ClassWithoutCanActivate],
      /Filter class NoCanActivate on ClassWithoutCanActivate.a has no canActivate/,
    );
    @Hub('chat')
    class Global extends ServerlessHub {}
    expectDefinitionError([Global], /registerHubs \(global filters\)/, { filters: [null as never] });
  });
});

describe('registration errors', () => {
  @Hub('chat')
  class Chat extends ServerlessHub {
    echo(value: unknown): unknown {
      return value;
    }
  }

  it('refuses a missing app, hubs or bad options', () => {
    expectRegistrationError(() => registerHubs(undefined as never, [Chat]), /needs the Functions app/);
    expectRegistrationError(() => registerHubs({ http: () => undefined } as never, [Chat]), /with http and generic/);
    expectRegistrationError((app) => registerHubs(app, []), /non-empty array of hub classes/);
    expectRegistrationError((app) => registerHubs(app, Chat as never), /non-empty array of hub classes/);
    expectRegistrationError(
      (app) => registerHubs(app, [Chat], { mode: 'webhook' as never }),
      /mode must be 'http' or 'binding', got "webhook"/,
    );
    expectRegistrationError(
      (app) => registerHubs(app, [Chat], { container: {} as never }),
      /container given to registerHubs has no get/,
    );
    expectRegistrationError(
      (app) => registerHubs(app, [Chat], { filters: (() => true) as never }),
      /filters must be an array/,
    );
    expectRegistrationError(
      (app) => registerHubs(app, [Chat], { services: {} as never }),
      /services must be a function/,
    );
    expectRegistrationError((app) => registerHubs(app, [Chat], { authLevel: 'user' as never }), /authLevel must be/);
  });

  it('refuses two hubs with one name, and one hub twice', () => {
    @Hub('CHAT')
    class Other extends ServerlessHub {}
    expectRegistrationError((app) => registerHubs(app, [Chat, Other]), /Hubs Chat and Other are both named "CHAT"/);
    expectRegistrationError((app) => registerHubs(app, [Chat, Chat]), /Hub class Chat is given to registerHubs twice/);
    registerHubs(recordingApp(), [Chat]);
    expectRegistrationError((app) => registerHubs(app, [Other]), /A hub named "CHAT" is already registered/);
  });

  it('refuses hub names that cannot be route segments in HTTP mode', () => {
    @Hub('chat,v2')
    class Comma extends ServerlessHub {}
    expectRegistrationError((app) => registerHubs(app, [Comma]), /"chat,v2" becomes a route segment/);
  });

  it('refuses function name collisions, within a registration and with earlier functions', () => {
    @Hub('room.v2')
    class Dotted extends ServerlessHub {}
    @Hub('room_v2')
    class Underscored extends ServerlessHub {}
    expectRegistrationError(
      (app) => registerHubs(app, [Dotted, Underscored]),
      /would both be named "room_v2_negotiate"/,
    );

    @Hub('room')
    class Room extends ServerlessHub {
      a_b(): void {}
    }
    @Hub('room.a')
    class RoomA extends ServerlessHub {
      b(): void {}
    }
    registerHubs(recordingApp(), [Room]);
    const app = recordingApp();
    const error = errorOf(() => registerHubs(app, [RoomA]));
    expect(error.code).toBe('HUB_REGISTRATION_INVALID');
    expect(error.message).toMatch(/"room_a_b" for RoomA.b is already taken by the messages event "a_b" of hub "room"/);
    // Nothing is registered when any check fails.
    expect(app.httpCalls).toEqual([]);
    expect(getRegisteredFunctions().map((fn) => fn.name)).toEqual(['room_negotiate', 'room_a_b']);
  });

  it('refuses hub names whose routes would start with admin, which the Functions host refuses', () => {
    // azure-functions-host ScriptHost: a route starting with "admin" conflicts with the host's own routes.
    @Hub('AdminTools')
    class AdminTools extends ServerlessHub {}
    expectRegistrationError(
      (app) => registerHubs(app, [AdminTools]),
      /"AdminTools" makes its routes start with "admin" \(admintools\/negotiate\).*Name the hub with @Hub\('name'\)/,
    );
    @Hub('administration')
    class Administration extends ServerlessHub {}
    expectRegistrationError(
      (app) => registerHubs(app, [Administration], { mode: 'binding' }),
      /The specified route conflicts with one or more built in routes/,
    );
  });

  it('refuses function names longer than the host accepts', () => {
    @Hub(`h${'x'.repeat(120)}`)
    class Long extends ServerlessHub {
      method(): void {}
    }
    expectRegistrationError((app) => registerHubs(app, [Long]), /is not valid for the Functions host/);
  });

  it('refuses hubs and filter classes that need constructor arguments but get no container', () => {
    class Store {}
    @Hub('chat')
    class Injected extends ServerlessHub {
      constructor(readonly store: Store) {
        super();
      }
    }
    expectRegistrationError(
      (app) => registerHubs(app, [Injected]),
      /Hub Injected takes 1 constructor parameter\(s\), but registerHubs got no DI container/,
    );

    class NeedsStore implements HubFilter {
      constructor(readonly store: Store) {}
      canActivate(): boolean {
        return true;
      }
    }
    @Hub('chat')
    @UseFilters(NeedsStore)
    class Filtered extends ServerlessHub {
      a(): void {}
    }
    expectRegistrationError(
      (app) => registerHubs(app, [Filtered]),
      /Filter class NeedsStore takes 1 constructor parameter\(s\)/,
    );
  });
});
