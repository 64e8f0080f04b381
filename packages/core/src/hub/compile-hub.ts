import {
  readConstructorParameterMarkers,
  readHubClassMetadata,
  readHubMemberMetadata,
} from '@serverless-hub/decorators';
import type {
  EventMode,
  HubMemberMetadata,
  HubNegotiateOptions,
  HubOptions,
  ParameterMarker,
} from '@serverless-hub/decorators';
import { HUB_NEGOTIATE_OPTION_NAMES, compileConnectionInfoOptions } from '../negotiate/connection-info-options.js';
import { errorMessage } from '../errors/describe-error.js';
import type { StandardSchemaV1 } from '@standard-schema/spec';
import { resolveAppSettingReferences } from '../connection/app-setting-reference.js';
import { describeValue } from '../errors/describe-value.js';
import { DEFAULT_CONNECTION_SETTING } from '../connection/default-connection-setting.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { UpstreamCategory } from '../upstream/hub-invocation-context.js';
import type {
  CompiledFilter,
  HubClass,
  HubDescriptor,
  HubEventDescriptor,
  HubMethod,
  HubNegotiateDescriptor,
  ParameterSource,
} from './hub-descriptor.js';
import type { HubFilter, HubFilterFunction } from './hub-filter.js';
import { compileArgumentValidator } from './argument-validator.js';
import type { ArgumentValidator, ParameterSchema } from './argument-validator.js';
import { resolveHubName } from './hub-name.js';
import { readParameterList } from './parameter-list.js';
import type { DeclaredParameter } from './parameter-list.js';
import { ServerlessHub } from './serverless-hub.js';

/** Message event names: they become route segments and function names, so they stay URL- and name-safe. */
const EVENT_NAME = /^[A-Za-z_][A-Za-z0-9_.-]{0,127}$/;
const CONNECTION_EVENTS: ReadonlyMap<string, string> = new Map([
  ['onconnected', 'connected'],
  ['ondisconnected', 'disconnected'],
]);

/**
 * Members every object inherits from `Object.prototype` (`toString`, `valueOf`, `hasOwnProperty`, …): a
 * hub that overrides one means to change how its instances behave as objects, never to expose an event.
 */
const OBJECT_MEMBERS: ReadonlySet<string> = new Set(Object.getOwnPropertyNames(Object.prototype));
/** A route of the Functions host, under its prefix: plain segments only (no parameters, no dot segments). */
const NEGOTIATE_ROUTE = /^[A-Za-z0-9_-][A-Za-z0-9_.-]*(?:\/[A-Za-z0-9_-][A-Za-z0-9_.-]*)*$/;

/**
 * Registration-wide defaults for {@link compileHub}.
 *
 * @example
 * ```ts
 * compileHub(Chat, { eventMode: 'explicit' });
 * ```
 */
export interface CompileHubDefaults {
  /** The event mode of hubs whose `@Hub` options do not name one. Default `implicit`. */
  readonly eventMode?: EventMode;
}

function definitionError(message: string): ServerlessHubError {
  return new ServerlessHubError('HUB_DEFINITION_INVALID', message);
}

/** Members of `ServerlessHub` itself, which a hub must not replace by accident. */
function baseMemberNames(): ReadonlySet<string> {
  return new Set(Object.getOwnPropertyNames(ServerlessHub.prototype).filter((name) => name !== 'constructor'));
}

/** One prototype between the hub class and `ServerlessHub`, with its class and decorator metadata. */
interface Level {
  readonly prototype: object;
  readonly ctor: HubClass;
  readonly members: ReadonlyMap<string | symbol, HubMemberMetadata>;
}

const NO_MEMBER: HubMemberMetadata = Object.freeze({
  events: 0,
  eventNames: Object.freeze([]),
  notEvent: 0,
  negotiate: 0,
  filters: Object.freeze([]),
  parameters: new Map<number, readonly ParameterMarker[]>(),
  argumentsSchemas: Object.freeze([]),
  parameterSchemas: new Map<number, readonly StandardSchemaV1[]>(),
});

/**
 * Compiles a hub class into a frozen {@link HubDescriptor}: its name, connection setting, negotiate
 * method or options, and one descriptor per event with its parameter binding plan, argument count
 * bounds and filters. Runs once per hub, at registration; every definition mistake is reported here,
 * with what to change, instead of at the first request.
 *
 * Rules:
 * - hub name: `@Hub` name, else the class name (refused when it looks generated or minified);
 * - events (`implicit` mode): every method declared on the class or a base class below `ServerlessHub`,
 *   except the constructor, accessors, `#private` methods, methods whose name starts with `_`, overrides
 *   of `Object.prototype` members (`toString`, `valueOf`, …), `@NotEvent()` methods and the `@Negotiate()`
 *   method; a subclass's method replaces the base method of the same name. `explicit` mode: only the
 *   methods marked `@HubEvent()`, and `onConnected` / `onDisconnected`. Async generator methods are refused;
 * - `onConnected` / `onDisconnected` (any case, no `@HubEvent`) are the `connections` events; every other
 *   event is a `messages` event named after the method or its `@HubEvent(name)`; two methods with one event
 *   (case-insensitively) are an error;
 * - parameters: client arguments bind in order to the parameters that no decorator injects or ignores;
 *   a parameter with a default value or `@Optional()` may be omitted (and so may every one after it); a
 *   rest parameter takes the remaining arguments.
 *
 * @throws {ServerlessHubError} `HUB_DEFINITION_INVALID`, naming the class, member and rule.
 */
export function compileHub(hubClass: HubClass, defaults: CompileHubDefaults = {}): HubDescriptor {
  if (typeof hubClass !== 'function' || typeof hubClass.prototype !== 'object') {
    throw definitionError(`registerHubs got ${describe(hubClass)} where a hub class was expected.`);
  }
  const className = hubClass.name;
  const label = className || '(anonymous class)';
  if (!(hubClass.prototype instanceof ServerlessHub)) {
    throw definitionError(`${label} is not a hub: a hub class must extend ServerlessHub.`);
  }

  const levels = collectLevels(hubClass);
  const options = hubOptions(hubClass, label);
  const name = resolveHubName(className, options.name);
  const connectionStringSetting = settingName(options.connectionStringSetting, label);
  const negotiateOptions = validateNegotiateOptions(options.negotiate, label);
  const eventMode = checkEventMode(options.eventMode ?? defaults.eventMode ?? 'implicit', `@Hub eventMode of ${label}`);
  const negotiateRoute = checkNegotiateRoute(options.negotiateRoute, name, label);

  // Class filters of base classes run before those of subclasses.
  const classFilters: CompiledFilter[] = [];
  for (let index = levels.length - 1; index >= 0; index--) {
    const level = levels[index] as Level;
    for (const filter of readHubClassMetadata(level.ctor).filters)
      classFilters.push(compileFilter(filter, `${label} (class)`));
  }

  const baseMembers = baseMemberNames();
  const seen = new Set<string>();
  const events: HubEventDescriptor[] = [];
  const eventOwners = new Map<string, string>();
  let negotiate: HubNegotiateDescriptor | undefined;

  for (const level of levels) {
    rejectStrayMetadata(level, label);
    for (const key of Object.getOwnPropertyNames(level.prototype)) {
      if (key === 'constructor' || seen.has(key)) continue;
      seen.add(key);
      const where = `${label}.${key}`;
      const metadata = level.members.get(key) ?? NO_MEMBER;
      const decorated = metadata !== NO_MEMBER;
      const property = Object.getOwnPropertyDescriptor(level.prototype, key) as PropertyDescriptor;
      if (property.get !== undefined || property.set !== undefined) {
        if (decorated) throw definitionError(`${where} is an accessor; hub decorators apply to methods only.`);
        continue;
      }
      if (typeof property.value !== 'function') {
        if (decorated) throw definitionError(`${where} is not a method; hub decorators apply to methods only.`);
        continue;
      }
      const method = property.value as HubMethod;

      if (metadata.negotiate > 0) {
        checkNegotiateMethod(metadata, where);
        if (negotiate !== undefined) {
          throw definitionError(
            `${label} has two @Negotiate() methods, ${negotiate.methodName} and ${key}; a hub has one negotiate function.`,
          );
        }
        negotiate = Object.freeze({ methodName: key, method });
        continue;
      }
      if (metadata.notEvent > 0) {
        if (metadata.events > 0) throw definitionError(`${where} has both @NotEvent() and @HubEvent(); remove one.`);
        continue;
      }
      if (OBJECT_MEMBERS.has(key)) {
        if (decorated) {
          throw definitionError(
            `${where} overrides Object.prototype.${key}, which every object has; it is never an event, so hub decorators do not apply to it. Give the event another name and call ${key} from it if needed.`,
          );
        }
        continue;
      }
      if (baseMembers.has(key)) {
        throw definitionError(
          `${where} replaces ServerlessHub's own ${key}, and would also become an event clients can call. Rename the method, or mark it @NotEvent() if replacing ${key} is intended.`,
        );
      }
      if (key.startsWith('_')) {
        if (hasEventDecorators(metadata)) {
          throw definitionError(
            `${where} starts with "_", which marks a method as private (not an event), yet it has event decorators. Rename it, or remove the decorators.`,
          );
        }
        continue;
      }
      if (eventMode === 'explicit' && metadata.events === 0 && !CONNECTION_EVENTS.has(key.toLowerCase())) {
        if (hasEventDecorators(metadata)) {
          throw definitionError(
            `${where} has event decorators (filters, parameter decorators or @Validate) but no @HubEvent(), and ${label} exposes only @HubEvent() methods (eventMode 'explicit'). Mark it @HubEvent(), or remove the decorators.`,
          );
        }
        continue;
      }
      const event = compileEvent(key, method, metadata, where, classFilters);
      const eventKey = `${event.category}/${event.event.toLowerCase()}`;
      const owner = eventOwners.get(eventKey);
      if (owner !== undefined) {
        throw definitionError(
          `${label}.${owner} and ${where} both handle the ${event.category} event "${event.event}" (event names are matched case-insensitively). Give one of them another name with @HubEvent('name').`,
        );
      }
      eventOwners.set(eventKey, key);
      events.push(event);
    }
  }

  if (
    classFilters.length > 0 &&
    !events.some(({ category, event }) => category === 'connections' && event === 'connected')
  ) {
    events.push(connectGuard(classFilters));
  }

  if (negotiate !== undefined && negotiateOptions !== undefined) {
    throw definitionError(
      `${label} has both a @Negotiate() method (${negotiate.methodName}) and @Hub negotiate options; the method decides, so the options would be ignored. Remove one of them.`,
    );
  }
  if (negotiate === undefined && negotiateRoute !== false)
    checkNegotiateValues(negotiateOptions, name, connectionStringSetting, label);

  return Object.freeze({
    hubClass,
    className,
    name,
    connectionStringSetting,
    negotiateRoute,
    eventMode,
    negotiateOptions,
    negotiate,
    events: Object.freeze(events),
  });
}

/**
 * The values of a hub's negotiate options (binding expressions, lifetime bounds, ...), checked as its
 * options-based negotiate checks them when it is built at the first request, so that a bad one fails
 * registration instead.
 */
function checkNegotiateValues(
  options: HubNegotiateOptions | undefined,
  hubName: string,
  connectionStringSetting: string,
  label: string,
): void {
  try {
    compileConnectionInfoOptions({ ...options, hubName, connectionStringSetting });
  } catch (error) {
    throw new ServerlessHubError(
      'HUB_DEFINITION_INVALID',
      `@Hub negotiate options of ${label}: ${errorMessage(error)}`,
      {
        cause: error,
      },
    );
  }
}

/** Event, filter, parameter or schema decorators: what only an event can carry. */
function hasEventDecorators(metadata: HubMemberMetadata): boolean {
  return (
    metadata.events > 0 ||
    metadata.filters.length > 0 ||
    metadata.parameters.size > 0 ||
    metadata.argumentsSchemas.length > 0 ||
    metadata.parameterSchemas.size > 0
  );
}

/** Checks an event mode given by `@Hub` or `registerHubs` (options come from plain JavaScript too). */
export function checkEventMode(value: unknown, what: string): EventMode {
  if (value !== 'implicit' && value !== 'explicit') {
    throw definitionError(
      `${what} is ${describeValue(value)}; use 'implicit' (every public method is an event) or 'explicit' (only @HubEvent() methods).`,
    );
  }
  return value;
}

function checkNegotiateRoute(value: unknown, hubName: string, label: string): string | false {
  if (value === undefined) return `${hubName.toLowerCase()}/negotiate`;
  if (value === false) return false;
  if (
    typeof value !== 'string' ||
    !NEGOTIATE_ROUTE.test(value) ||
    value.split('/').some((segment) => segment === '.' || segment === '..')
  ) {
    throw definitionError(
      `@Hub negotiateRoute of ${label} is ${describeValue(value)}; give a route under the Functions route prefix made of plain segments (letters, digits, _, -, .), e.g. 'negotiate' for /api/negotiate, or false for no negotiate function.`,
    );
  }
  return value;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (typeof value === 'function') return `function ${value.name || '(anonymous)'}`;
  return typeof value;
}

/** The prototypes from the hub class down to (not including) `ServerlessHub.prototype`, most derived first. */
function collectLevels(hubClass: HubClass): Level[] {
  const levels: Level[] = [];
  for (let prototype = hubClass.prototype as object; prototype !== ServerlessHub.prototype;) {
    const ctor = (prototype as { constructor: HubClass }).constructor;
    levels.push({ prototype, ctor, members: readHubMemberMetadata(prototype) });
    prototype = Object.getPrototypeOf(prototype) as object;
  }
  return levels;
}

function hubOptions(hubClass: HubClass, label: string): HubOptions {
  const { hubs } = readHubClassMetadata(hubClass);
  if (hubs.length > 1) throw definitionError(`${label} has ${hubs.length} @Hub decorators; keep one.`);
  const options = hubs[0] ?? {};
  if (typeof options !== 'object') throw definitionError(`@Hub on ${label} takes a name or an options object.`);
  return options;
}

function settingName(value: unknown, label: string): string {
  if (value === undefined) return DEFAULT_CONNECTION_SETTING;
  if (typeof value !== 'string' || value.trim().length === 0) {
    throw definitionError(
      `@Hub on ${label} has connectionStringSetting ${JSON.stringify(value)}; give the name of an app setting, e.g. 'AzureSignalRConnectionString'.`,
    );
  }
  // `%Name%` names the setting through another setting, as C# binding options allow.
  return resolveAppSettingReferences(value, `@Hub connectionStringSetting of ${label}`);
}

/** The shape only; the values are checked once the hub's name and connection setting are known. */
function validateNegotiateOptions(value: unknown, label: string): HubNegotiateOptions | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw definitionError(
      `@Hub negotiate options of ${label}: expected an object { ${[...HUB_NEGOTIATE_OPTION_NAMES].map((name) => `${name}?`).join(', ')} }.`,
    );
  }
  for (const key of Object.keys(value)) {
    if (!HUB_NEGOTIATE_OPTION_NAMES.has(key)) {
      throw definitionError(
        `@Hub negotiate options of ${label}: unknown option "${key}" (known: ${[...HUB_NEGOTIATE_OPTION_NAMES].join(', ')}).`,
      );
    }
  }
  return Object.freeze({ ...(value as HubNegotiateOptions) });
}

/** Decorators on static members, constructor parameters, or members that are not prototype methods. */
function rejectStrayMetadata(level: Level, label: string): void {
  const levelLabel = level.ctor.name || label;
  for (const key of readHubMemberMetadata(level.ctor).keys()) {
    throw definitionError(`${levelLabel}.${String(key)} is static; hub decorators apply to instance methods only.`);
  }
  if (readConstructorParameterMarkers(level.ctor).length > 0) {
    throw definitionError(
      `${levelLabel}'s constructor has hub parameter decorators; they apply to hub method parameters. A hub's constructor receives the app's services from a DI container.`,
    );
  }
  for (const key of level.members.keys()) {
    if (typeof key === 'symbol')
      throw definitionError(`${levelLabel}.${String(key)} has a symbol name; hub events need string names.`);
    if (!Object.hasOwn(level.prototype, key)) {
      throw definitionError(
        `${levelLabel}.${key} is not a method (class fields and arrow functions live on instances); hub decorators apply to methods only.`,
      );
    }
  }
}

function checkNegotiateMethod(metadata: HubMemberMetadata, where: string): void {
  if (metadata.negotiate > 1) throw definitionError(`${where} has @Negotiate() twice; keep one.`);
  if (metadata.events > 0 || metadata.notEvent > 0) {
    throw definitionError(
      `${where} is the @Negotiate() method, which is never an event; remove @HubEvent()/@NotEvent().`,
    );
  }
  if (metadata.argumentsSchemas.length > 0 || metadata.parameterSchemas.size > 0) {
    throw definitionError(
      `${where} is the @Negotiate() method; it receives (request, functionContext), not client arguments, so @Validate does not apply. Check the request in the method.`,
    );
  }
  if (metadata.filters.length > 0) {
    throw definitionError(
      `${where} is the @Negotiate() method; filters guard upstream events, not negotiate. Check the request in the method instead (e.g. with this.getClaims).`,
    );
  }
  if (metadata.parameters.size > 0) {
    throw definitionError(
      `${where} is the @Negotiate() method; it always receives (request, functionContext), so parameter decorators do not apply.`,
    );
  }
}

/**
 * The `connected` event of a hub that has filters but no `onConnected`: filters apply to every event,
 * connecting included, so they must get to refuse a connection (403) even when the hub has nothing to do
 * on connect. Exported for registration, which adds one when only global filters exist.
 */
export function connectGuard(filters: readonly CompiledFilter[]): HubEventDescriptor {
  return Object.freeze({
    category: 'connections',
    event: 'connected',
    methodName: 'onConnected',
    method: acceptConnection,
    parameters: Object.freeze([]),
    directArguments: true,
    minArguments: 0,
    maxArguments: 0,
    argumentNames: Object.freeze([]),
    filters: Object.freeze([...filters]),
    validateArguments: undefined,
  });
}

function acceptConnection(): undefined {
  return undefined;
}

function compileEvent(
  key: string,
  method: HubMethod,
  metadata: HubMemberMetadata,
  where: string,
  classFilters: readonly CompiledFilter[],
): HubEventDescriptor {
  if (metadata.events > 1)
    throw definitionError(`${where} has ${metadata.events} @HubEvent decorators; a method handles one event.`);
  const explicitName = metadata.eventNames[0];
  let category: UpstreamCategory = 'messages';
  let event: string;
  if (explicitName !== undefined) {
    if (typeof explicitName !== 'string' || !EVENT_NAME.test(explicitName)) {
      throw definitionError(
        `@HubEvent on ${where} names the event ${JSON.stringify(explicitName)}; an event name starts with a letter or _ and has only letters, digits, _, - and . (128 characters at most).`,
      );
    }
    event = explicitName;
  } else {
    const connectionEvent = CONNECTION_EVENTS.get(key.toLowerCase());
    if (connectionEvent !== undefined) {
      category = 'connections';
      event = connectionEvent;
    } else {
      if (!EVENT_NAME.test(key)) {
        throw definitionError(
          `${where} cannot be an event name: event names start with a letter or _ and have only letters, digits, _, - and . (128 characters at most). Name the event with @HubEvent('name'), or make the method private with @NotEvent() or a leading "_".`,
        );
      }
      event = key;
    }
  }

  const { validation, ...binding } = compileParameters(method, metadata, where);
  if (category === 'connections' && (binding.maxArguments > 0 || validation.listSchema !== undefined)) {
    throw definitionError(
      `${where} handles the ${event} event, which carries no client arguments; its parameters may only be injected (@HubContext(), @FunctionContext(), @Signal()) or @Ignore()d. this.context also holds the connection's details.`,
    );
  }
  const filters = [...classFilters];
  for (const filter of metadata.filters) filters.push(compileFilter(filter, where));

  return Object.freeze({
    category,
    event,
    methodName: key,
    method,
    ...binding,
    filters: Object.freeze(filters),
    validateArguments: argumentValidator(event, validation),
  });
}

function argumentValidator(event: string, validation: ValidationPlan): ArgumentValidator | undefined {
  if (validation.listSchema === undefined && validation.parameters.length === 0) return undefined;
  return compileArgumentValidator(
    { event, argumentNames: validation.argumentNames, restFrom: validation.restFrom },
    validation.listSchema,
    validation.parameters,
  );
}

function checkSchema(schema: unknown, where: string): StandardSchemaV1 {
  // Schemas come from plain JavaScript too: check the shape, not only the type.
  const standard: unknown =
    (typeof schema === 'object' || typeof schema === 'function') && schema !== null
      ? (schema as { '~standard'?: unknown })['~standard']
      : undefined;
  const props =
    typeof standard === 'object' && standard !== null
      ? (standard as { version?: unknown; validate?: unknown })
      : undefined;
  if (props?.version !== 1 || typeof props.validate !== 'function') {
    throw definitionError(
      `@Validate on ${where} got ${describeValue(schema)}, which is not a Standard Schema (v1): pass a schema of a library that implements it, such as zod, valibot or ArkType.`,
    );
  }
  return schema as StandardSchemaV1;
}

interface ValidationPlan {
  readonly listSchema: StandardSchemaV1 | undefined;
  readonly parameters: readonly ParameterSchema[];
  readonly argumentNames: readonly (string | undefined)[];
  readonly restFrom: number | undefined;
}

interface ParameterBinding {
  readonly parameters: readonly ParameterSource[];
  readonly directArguments: boolean;
  readonly minArguments: number;
  readonly maxArguments: number;
  readonly argumentNames: readonly string[] | undefined;
  readonly validation: ValidationPlan;
}

const INJECTED: Readonly<Record<Exclude<ParameterMarker, 'optional'>, ParameterSource>> = Object.freeze({
  'hub-context': Object.freeze({ kind: 'hub-context' }),
  'function-context': Object.freeze({ kind: 'function-context' }),
  signal: Object.freeze({ kind: 'signal' }),
  ignore: Object.freeze({ kind: 'ignore' }),
});

function compileParameters(method: HubMethod, metadata: HubMemberMetadata, where: string): ParameterBinding {
  const markers = metadata.parameters;
  const schemas = metadata.parameterSchemas;
  const highestMarked = Math.max(-1, ...markers.keys(), ...schemas.keys());
  // When the source cannot be read, `fn.length` (plain parameters before any default) is all we know.
  const declared: readonly DeclaredParameter[] =
    readParameterList(method) ??
    Array.from({ length: Math.max(method.length, highestMarked + 1) }, () => ({
      name: undefined,
      hasDefault: false,
      rest: false,
    }));
  if (highestMarked >= declared.length) {
    throw definitionError(
      `${where} has a parameter decorator on parameter ${highestMarked + 1}, but declares only ${declared.length} parameters.`,
    );
  }

  const parameters: ParameterSource[] = [];
  const names: (string | undefined)[] = [];
  let argumentIndex = 0;
  let minArguments = 0;
  let firstOptional: string | undefined;
  let rest = false;
  let restFrom: number | undefined;
  let injected = false;
  const parameterSchemas: ParameterSchema[] = [];
  for (const [position, parameter] of declared.entries()) {
    const label = parameter.name === undefined ? `parameter ${position + 1}` : `parameter '${parameter.name}'`;
    const marks = markers.get(position) ?? [];
    if (marks.length > 1)
      throw definitionError(
        `${where}: ${label} has ${marks.length} parameter decorators (${marks.join(', ')}); a parameter takes one.`,
      );
    const mark = marks[0];
    const schemaList = schemas.get(position) ?? [];
    if (schemaList.length > 1)
      throw definitionError(
        `${where}: ${label} has ${schemaList.length} @Validate decorators; combine them into one schema.`,
      );
    const schema = schemaList[0] === undefined ? undefined : checkSchema(schemaList[0], `${where} ${label}`);
    if (mark !== undefined && mark !== 'optional') {
      if (parameter.rest)
        throw definitionError(`${where}: the rest ${label} cannot be injected; only a plain parameter can.`);
      if (schema !== undefined)
        throw definitionError(
          `${where}: ${label} is ${mark === 'ignore' ? 'ignored' : 'injected'}, not a client argument, so @Validate does not apply to it.`,
        );
      parameters.push(INJECTED[mark]);
      injected = true;
      continue;
    }
    if (schema !== undefined) parameterSchemas.push(Object.freeze({ argumentIndex, rest: parameter.rest, schema }));
    if (parameter.rest) {
      if (mark === 'optional')
        throw definitionError(`${where}: the rest ${label} is optional by nature; remove @Optional().`);
      parameters.push(Object.freeze({ kind: 'rest', from: argumentIndex }));
      names.push(parameter.name);
      rest = true;
      restFrom = argumentIndex;
      continue;
    }
    const optional = mark === 'optional' || parameter.hasDefault;
    if (optional) firstOptional ??= label;
    else if (firstOptional !== undefined) {
      throw definitionError(
        `${where}: ${firstOptional} is optional but ${label} after it is not; clients pass arguments by position, so only trailing parameters can be optional. Reorder them, or mark ${label} @Optional() too.`,
      );
    } else minArguments += 1;
    parameters.push(Object.freeze({ kind: 'argument', index: argumentIndex }));
    names.push(parameter.name);
    argumentIndex += 1;
  }

  if (metadata.argumentsSchemas.length > 1)
    throw definitionError(
      `${where} has ${metadata.argumentsSchemas.length} @Validate decorators on the method; combine them into one schema.`,
    );
  const listSchema =
    metadata.argumentsSchemas[0] === undefined ? undefined : checkSchema(metadata.argumentsSchemas[0], where);
  if (listSchema !== undefined && parameterSchemas.length > 0) {
    throw definitionError(
      `${where} has @Validate both on the method and on parameters; validate the argument list with one schema, or each parameter with its own.`,
    );
  }
  const argumentNames =
    names.every((name): name is string => name !== undefined) && !rest ? Object.freeze([...names]) : undefined;
  return {
    parameters: Object.freeze(parameters),
    directArguments: !injected,
    minArguments,
    maxArguments: rest ? Number.POSITIVE_INFINITY : argumentIndex,
    argumentNames,
    validation: {
      listSchema,
      parameters: Object.freeze(parameterSchemas),
      argumentNames: Object.freeze(names),
      restFrom,
    },
  };
}

const CLASS_SOURCE = /^class[\s{]/;

/** Validates one `@UseFilters` / global filter and decides how it runs. */
export function compileFilter(filter: unknown, where: string): CompiledFilter {
  if (typeof filter === 'function') {
    const candidate = filter as { name: string; prototype?: { canActivate?: unknown } };
    const name = candidate.name || '(anonymous filter)';
    if (typeof candidate.prototype?.canActivate === 'function') {
      return Object.freeze({ kind: 'class', name, type: filter as new (...args: never[]) => HubFilter });
    }
    if (CLASS_SOURCE.test(Function.prototype.toString.call(filter))) {
      throw definitionError(
        `Filter class ${name} on ${where} has no canActivate(context, signal) method; a filter class must implement HubFilter.`,
      );
    }
    return Object.freeze({ kind: 'function', name, run: filter as HubFilterFunction });
  }
  if (
    typeof filter === 'object' &&
    filter !== null &&
    typeof (filter as { canActivate?: unknown }).canActivate === 'function'
  ) {
    const name = (filter as { constructor?: { name?: string } }).constructor?.name ?? 'filter';
    return Object.freeze({ kind: 'instance', name, instance: filter as HubFilter });
  }
  throw definitionError(
    `A filter on ${where} is ${describe(filter)}; a filter is a class with canActivate(context, signal), an object with that method, or a function (context, signal) => boolean | void.`,
  );
}
