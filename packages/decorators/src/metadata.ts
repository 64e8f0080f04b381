// The one module that owns the hub metadata: its keys, its shapes, how decorators record it and how
// `@serverless-hub/core` reads it. Decorators only record here; every rule about what the metadata
// means (and every error for metadata that makes no sense) lives in core's hub compiler, which reads
// it once per hub at registration.
//
// Metadata is kept in non-enumerable, symbol-keyed own properties of the decorated class and its
// prototype rather than in `reflect-metadata`: no global polyfill is needed, reading is a plain property
// lookup, and `Symbol.for` keys keep working when two copies of this package end up in one app.

import type { StandardSchemaV1 } from '@standard-schema/spec';

/** The options of `@Hub(...)`, as written by the hub author. *
 * @example
 * ```ts
 * @Hub({ name: 'chat', connectionStringSetting: 'ChatSignalR' })
 * class Chat extends ServerlessHub {}
 * ```
 */
export interface HubOptions {
  /**
   * The hub name the service and the clients use. Default: the class name. Must match the service's
   * hub name rule `^[A-Za-z][A-Za-z0-9_`,.[\]]{0,127}$`.
   */
  readonly name?: string;
  /** The app setting holding the service connection string. Default: `AzureSignalRConnectionString`. */
  readonly connectionStringSetting?: string;
  /**
   * How the generated negotiate function identifies the user when the hub has no `@Negotiate()` method,
   * with the options of the official `SignalRConnectionInfo` input binding.
   */
  readonly negotiate?: HubNegotiateOptions;
  /**
   * Which methods are events. `implicit` (the default unless `registerHubs` says otherwise): every public
   * method, as in C#. `explicit`: only methods marked `@HubEvent()` (plus `onConnected` / `onDisconnected`),
   * so a helper method can never be called by clients by mistake.
   */
  readonly eventMode?: EventMode;
  /**
   * The route of the hub's negotiate function, under the Functions route prefix (`api`): default
   * `{hub}/negotiate`. `'negotiate'` serves `/api/negotiate`, where C# class-based apps usually serve it,
   * so clients built with the base URL `/api` connect unchanged. `false` registers no negotiate function
   * for this hub (the app negotiates elsewhere).
   */
  readonly negotiateRoute?: string | false;
}

/**
 * How a hub's events are found: every public method (`implicit`), or only methods marked `@HubEvent()`
 * (`explicit`).
 *
 * @example
 * ```ts
 * @Hub({ name: 'chat', eventMode: 'explicit' })
 * class Chat extends ServerlessHub {}
 * ```
 */
export type EventMode = 'implicit' | 'explicit';

/**
 * Options of the negotiate function generated for a hub without a `@Negotiate()` method. `userId` and
 * `idToken` are binding expressions evaluated against the negotiate request (`{headers.NAME}`,
 * `{query.NAME}`) or literal values, as in the official `SignalRConnectionInfo` binding.
 *
 * @example
 * ```ts
 * @Hub({ name: 'chat', negotiate: { userId: '{headers.x-ms-client-principal-id}', lifetime: 600 } })
 * class Chat extends ServerlessHub {}
 * ```
 */
export interface HubNegotiateOptions {
  /** The user id, e.g. `{headers.x-ms-client-principal-id}`. */
  readonly userId?: string;
  /**
   * A JWT whose claims named in `claimTypeList` are added to the connection's claims, e.g.
   * `{headers.x-ms-token-aad-id-token}`. Read without verification, as the official binding does: point
   * it only at a value clients cannot forge (App Service authentication's headers).
   */
  readonly idToken?: string;
  /** Which claim types of `idToken` are copied (required with `idToken`). */
  readonly claimTypeList?: readonly string[];
  /** Lifetime of the client access token, in seconds (60 to 86 400). Default: one hour. */
  readonly lifetime?: number;
  /** Asks the service to send detailed error messages to clients (`asrs.s.derror`). Default false. */
  readonly enableDetailedErrors?: boolean;
  /** Marks the connection as a diagnostic client, whose traffic the service logs in detail (`asrs.s.dc`). Default false. */
  readonly isDiagnosticClient?: boolean;
  /** Asks the service to close the connection when its access token expires (`asrs.s.coae`, C# `CloseOnAuthenticationExpiration`). Default false. */
  readonly closeOnAuthenticationExpiration?: boolean;
}

/**
 * A filter as `@UseFilters(...)` accepts it: a class whose instances have `canActivate(context, signal)`,
 * such an instance (for filters configured with values, e.g. `new RequireRole('admin')`), or a function `(context, signal) => boolean | void | Promise<boolean | void>`. `@serverless-hub/core`
 * gives the precise types (`HubFilter`, `HubFilterFunction`); this package only records references.
 *
 * @example
 * ```ts
 * recordFilters(Chat, undefined, [AdminOnly, new RequireRole('ops'), (context: HubInvocationContext) => context.userId !== undefined]);
 * ```
 */
export type FilterReference =
  | (abstract new (...args: never[]) => { canActivate(context: never, signal: AbortSignal): unknown })
  | ((context: never, signal: AbortSignal) => unknown)
  | { canActivate(context: never, signal: AbortSignal): unknown };

/**
 * What a parameter decorator asks for in place of a client argument.
 *
 * @example
 * ```ts
 * readHubMemberMetadata(Chat.prototype).get('broadcast')?.parameters.get(0); // ['hub-context']
 * ```
 */
export type ParameterMarker = 'hub-context' | 'function-context' | 'signal' | 'ignore' | 'optional';

/**
 * A parameter decorator found on a constructor parameter: a {@link ParameterMarker}, or `validate` for
 * `@Validate(schema)`.
 *
 * @example
 * ```ts
 * readConstructorParameterMarkers(Chat); // [{ index: 0, marker: 'validate' }] for constructor(@Validate(s) x)
 * ```
 */
export type ConstructorParameterMarker = ParameterMarker | 'validate';

/**
 * Metadata of a hub class itself (not inherited by subclasses).
 *
 * @example
 * ```ts
 * const { hubs, filters } = readHubClassMetadata(Chat);
 * ```
 */
export interface HubClassMetadata {
  /** Every `@Hub(...)` applied to the class, normalized to options; more than one is a definition error. */
  readonly hubs: readonly HubOptions[];
  /** `@UseFilters(...)` on the class, in declaration order. */
  readonly filters: readonly FilterReference[];
}

/**
 * Metadata of one member (method) of a hub class, as declared on one prototype (or, for static members, the class).
 *
 * @example
 * ```ts
 * const member = readHubMemberMetadata(Chat.prototype).get('broadcast');
 * member?.eventNames; // ['send'] for @HubEvent('send')
 * ```
 */
export interface HubMemberMetadata {
  /** How many times `@HubEvent()` / `@HubEvent(name)` was applied; more than once is a definition error. */
  readonly events: number;
  /** The names of every `@HubEvent(name)` applied. */
  readonly eventNames: readonly string[];
  /** How many times `@NotEvent()` was applied. */
  readonly notEvent: number;
  /** How many times `@Negotiate()` was applied. */
  readonly negotiate: number;
  /** `@UseFilters(...)` on the method, in declaration order. */
  readonly filters: readonly FilterReference[];
  /** Parameter decorators by parameter index, each list in declaration order. */
  readonly parameters: ReadonlyMap<number, readonly ParameterMarker[]>;
  /** `@Validate(schema)` on the method: schemas of the whole client argument list; more than one is a definition error. */
  readonly argumentsSchemas: readonly StandardSchemaV1[];
  /** `@Validate(schema)` on parameters, by parameter index; more than one per parameter is a definition error. */
  readonly parameterSchemas: ReadonlyMap<number, readonly StandardSchemaV1[]>;
}

const CLASS_KEY: unique symbol = Symbol.for('@serverless-hub/decorators:class');
const MEMBERS_KEY: unique symbol = Symbol.for('@serverless-hub/decorators:members');
/** Parameter decorators on constructor parameters, recorded so that the compiler can refuse them clearly. */
const CONSTRUCTOR_PARAMETERS_KEY: unique symbol = Symbol.for('@serverless-hub/decorators:constructor-parameters');

interface MutableClassMetadata {
  hubs: HubOptions[];
  filters: FilterReference[];
}

interface MutableMemberMetadata {
  events: number;
  eventNames: string[];
  notEvent: number;
  negotiate: number;
  filters: FilterReference[];
  parameters: Map<number, ParameterMarker[]>;
  argumentsSchemas: StandardSchemaV1[];
  parameterSchemas: Map<number, StandardSchemaV1[]>;
}

type Holder = Record<symbol, unknown>;

function ownSlot<T>(target: object, key: symbol, create: () => T): T {
  if (Object.hasOwn(target, key)) return (target as Holder)[key] as T;
  const value = create();
  Object.defineProperty(target, key, { value, enumerable: false, configurable: true, writable: false });
  return value;
}

function classSlot(target: object): MutableClassMetadata {
  return ownSlot<MutableClassMetadata>(target, CLASS_KEY, () => ({ hubs: [], filters: [] }));
}

function memberSlot(target: object, member: string | symbol): MutableMemberMetadata {
  const members = ownSlot(target, MEMBERS_KEY, () => new Map<string | symbol, MutableMemberMetadata>());
  let slot = members.get(member);
  if (slot === undefined) {
    slot = {
      events: 0,
      eventNames: [],
      notEvent: 0,
      negotiate: 0,
      filters: [],
      parameters: new Map(),
      argumentsSchemas: [],
      parameterSchemas: new Map(),
    };
    members.set(member, slot);
  }
  return slot;
}

// Legacy decorators stacked on one declaration are applied bottom-up, so lists are prepended to keep
// the order in which the author wrote them.

/** @internal Records `@Hub(...)`. */
export function recordHub(target: object, options: HubOptions): void {
  classSlot(target).hubs.unshift(options);
}

/**
 * Records the filters of `@UseFilters(...)` (the decorator of `@serverless-hub/core`, typed with its
 * filter types) on a class, or on a member when `member` is given, after those already recorded.
 *
 * @example
 * ```ts
 * const signedIn = (context: { userId?: string }) => context.userId !== undefined;
 * recordFilters(Chat, undefined, [signedIn]);             // as @UseFilters(signedIn) on the class
 * readHubClassMetadata(Chat).filters;                      // [signedIn]
 * ```
 */
export function recordFilters(
  target: object,
  member: string | symbol | undefined,
  filters: readonly FilterReference[],
): void {
  const slot = member === undefined ? classSlot(target) : memberSlot(target, member);
  slot.filters.unshift(...filters);
}

/** @internal Records `@HubEvent()` or `@HubEvent(name)`. */
export function recordEvent(target: object, member: string | symbol, name: string | undefined): void {
  const slot = memberSlot(target, member);
  slot.events += 1;
  if (name !== undefined) slot.eventNames.unshift(name);
}

/**
 * @internal Records `@Validate(schema)`: on a method when `index` is undefined, else on that parameter
 * (`member` undefined: a constructor parameter, recorded so that the compiler can refuse it).
 */
export function recordSchema(
  target: object,
  member: string | symbol | undefined,
  index: number | undefined,
  schema: StandardSchemaV1,
): void {
  if (member === undefined) {
    ownSlot(
      target,
      CONSTRUCTOR_PARAMETERS_KEY,
      () => [] as { index: number; marker: ConstructorParameterMarker }[],
    ).push({ index: index ?? 0, marker: 'validate' });
    return;
  }
  const slot = memberSlot(target, member);
  if (index === undefined) {
    slot.argumentsSchemas.unshift(schema);
    return;
  }
  const schemas = slot.parameterSchemas.get(index);
  if (schemas === undefined) slot.parameterSchemas.set(index, [schema]);
  else schemas.unshift(schema);
}

/** @internal Records `@NotEvent()`. */
export function recordNotEvent(target: object, member: string | symbol): void {
  memberSlot(target, member).notEvent += 1;
}

/** @internal Records `@Negotiate()`. */
export function recordNegotiate(target: object, member: string | symbol): void {
  memberSlot(target, member).negotiate += 1;
}

/** @internal Records a parameter decorator. `member` is `undefined` for constructor parameters. */
export function recordParameter(
  target: object,
  member: string | symbol | undefined,
  index: number,
  marker: ParameterMarker,
): void {
  if (member === undefined) {
    ownSlot(
      target,
      CONSTRUCTOR_PARAMETERS_KEY,
      () => [] as { index: number; marker: ConstructorParameterMarker }[],
    ).push({ index, marker });
    return;
  }
  const parameters = memberSlot(target, member).parameters;
  const markers = parameters.get(index);
  if (markers === undefined) parameters.set(index, [marker]);
  else markers.unshift(marker);
}

const EMPTY_CLASS: HubClassMetadata = Object.freeze({ hubs: Object.freeze([]), filters: Object.freeze([]) });
const EMPTY_MEMBERS: ReadonlyMap<string | symbol, HubMemberMetadata> = new Map();

/**
 * Reads the metadata that decorators recorded on a hub class itself (its own, not its base classes').
 *
 * @example
 * ```ts
 * @Hub('chat') @UseFilters(SignedIn) class Chat extends ServerlessHub {}
 * readHubClassMetadata(Chat); // { hubs: [{ name: 'chat' }], filters: [SignedIn] }
 * ```
 */
export function readHubClassMetadata(target: abstract new (...args: never[]) => unknown): HubClassMetadata {
  return Object.hasOwn(target, CLASS_KEY)
    ? ((target as unknown as Holder)[CLASS_KEY] as HubClassMetadata)
    : EMPTY_CLASS;
}

/**
 * Reads the member metadata that decorators recorded on one prototype (instance members) or one class
 * (static members) — only members declared there, not inherited ones.
 *
 * @example
 * ```ts
 * class Chat extends ServerlessHub { @HubEvent('send') broadcast(text: string) {} }
 * readHubMemberMetadata(Chat.prototype).get('broadcast')?.eventNames; // ['send']
 * ```
 */
export function readHubMemberMetadata(target: object): ReadonlyMap<string | symbol, HubMemberMetadata> {
  return Object.hasOwn(target, MEMBERS_KEY)
    ? ((target as Holder)[MEMBERS_KEY] as ReadonlyMap<string | symbol, HubMemberMetadata>)
    : EMPTY_MEMBERS;
}

/**
 * Reads the parameter decorators applied to a class's constructor parameters (which hubs do not
 * support: a hub's constructor takes the app's services, from a DI container).
 *
 * @example
 * ```ts
 * readConstructorParameterMarkers(Chat); // [] when none
 * ```
 */
export function readConstructorParameterMarkers(
  target: abstract new (...args: never[]) => unknown,
): readonly { readonly index: number; readonly marker: ConstructorParameterMarker }[] {
  return Object.hasOwn(target, CONSTRUCTOR_PARAMETERS_KEY)
    ? ((target as unknown as Holder)[CONSTRUCTOR_PARAMETERS_KEY] as {
        index: number;
        marker: ConstructorParameterMarker;
      }[])
    : [];
}
