import type { EventMode, HubNegotiateOptions } from '@serverless-hub/decorators';
import type { UpstreamCategory } from '../upstream/hub-invocation-context.js';
import type { ArgumentValidator } from './argument-validator.js';
import type { HubFilter, HubFilterFunction } from './hub-filter.js';

/** A hub class as registration accepts it: a class extending `ServerlessHub`. */
export type HubClass = abstract new (...args: never[]) => object;

/** A method of a hub, called with the hub instance as `this`. */
export type HubMethod = (this: object, ...args: unknown[]) => unknown;

/** Where one parameter of a hub method gets its value from, decided once at registration. */
export type ParameterSource =
  | { readonly kind: 'argument'; readonly index: number }
  | { readonly kind: 'rest'; readonly from: number }
  | { readonly kind: 'hub-context' }
  | { readonly kind: 'function-context' }
  | { readonly kind: 'signal' }
  | { readonly kind: 'ignore' };

/** A filter after validation: how to get an instance (or the function) to run. */
export type CompiledFilter =
  | { readonly kind: 'function'; readonly name: string; readonly run: HubFilterFunction }
  | { readonly kind: 'instance'; readonly name: string; readonly instance: HubFilter }
  | { readonly kind: 'class'; readonly name: string; readonly type: new (...args: never[]) => HubFilter };

/** One upstream event of a hub, compiled from one method. Frozen. */
export interface HubEventDescriptor {
  readonly category: UpstreamCategory;
  /** `connected` / `disconnected`, or the message event name (the invocation target) as declared. */
  readonly event: string;
  /** The method's name on the class. */
  readonly methodName: string;
  readonly method: HubMethod;
  /** Where each declared parameter's value comes from, by position. */
  readonly parameters: readonly ParameterSource[];
  /** True when client arguments map to parameters one to one, so the call is `method.apply(hub, arguments)`. */
  readonly directArguments: boolean;
  /** The fewest client arguments the method accepts. */
  readonly minArguments: number;
  /** The most client arguments the method accepts; `Infinity` with a rest parameter. */
  readonly maxArguments: number;
  /** Names of the client-bound parameters when every one is known (for binding metadata), else `undefined`. */
  readonly argumentNames: readonly string[] | undefined;
  /** Filters of the class (base classes first) and then of the method, in declaration order. */
  readonly filters: readonly CompiledFilter[];
  /** Checks and converts the client arguments (`@Validate`); `undefined` when the method declares no schema. */
  readonly validateArguments: ArgumentValidator | undefined;
}

/** The hub's `@Negotiate()` method. */
export interface HubNegotiateDescriptor {
  readonly methodName: string;
  readonly method: HubMethod;
}

/**
 * A hub class compiled once, at registration, from its decorators and methods: everything a call needs,
 * so that nothing is reflected per request. Frozen.
 */
export interface HubDescriptor {
  readonly hubClass: HubClass;
  /** The class name, for messages. */
  readonly className: string;
  /** The hub name, as declared (the service matches it case-insensitively). */
  readonly name: string;
  /** The app setting that holds the hub's connection string. */
  readonly connectionStringSetting: string;
  /** The negotiate function's route (under the Functions route prefix), or `false` for none. */
  readonly negotiateRoute: string | false;
  /** Whether events were found among every public method (`implicit`) or only `@HubEvent()` methods (`explicit`). */
  readonly eventMode: EventMode;
  /** Options for the generated negotiate function, when the hub gave some. */
  readonly negotiateOptions: HubNegotiateOptions | undefined;
  /** The `@Negotiate()` method, when the hub has one. */
  readonly negotiate: HubNegotiateDescriptor | undefined;
  readonly events: readonly HubEventDescriptor[];
}
