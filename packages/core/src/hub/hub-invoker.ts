import type { InvocationContext } from '@azure/functions';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubInvocationContext } from '../upstream/hub-invocation-context.js';
import type { CompiledFilter, HubDescriptor, HubEventDescriptor } from './hub-descriptor.js';
import type { HubContainer } from './hub-container.js';
import type { HubFilter } from './hub-filter.js';
import type { HubRuntime } from './hub-runtime.js';
import { runFilters, instanceStep } from './run-filters.js';
import type { FilterStep } from './run-filters.js';
import { attachInvocation } from './serverless-hub.js';
import type { ServerlessHub } from './serverless-hub.js';
import { describeValue } from '../errors/describe-value.js';

/** How hubs and class filters are created: with `new`, or from a DI container. */
export interface HubActivation {
  readonly container?: HubContainer | undefined;
  /** Filter class instances made with `new`, one per class for the whole registration. */
  readonly filterInstances?: Map<abstract new (...args: never[]) => HubFilter, HubFilter>;
}

/** Calls one event of one hub: filters, a fresh hub instance, argument binding, the method. */
export type HubEventCall = (
  context: HubInvocationContext,
  signal: AbortSignal,
  functionContext: InvocationContext | undefined,
) => unknown;

function registrationError(message: string): ServerlessHubError {
  return new ServerlessHubError('HUB_REGISTRATION_INVALID', message);
}

function describeInstance(value: unknown): string {
  if (typeof value !== 'object' || value === null) return describeValue(value);
  try {
    const name: unknown = (value as { constructor?: { name?: unknown } }).constructor?.name;
    return typeof name === 'string' && name !== '' ? `an instance of ${name}` : describeValue(value);
  } catch {
    // A proxy or a getter may throw; the message must still be made.
    return describeValue(value);
  }
}

/**
 * Turns a compiled filter into a step. Function and instance filters are used as they are; a filter
 * class is instantiated with `new` once per registration, or, with a container, resolved for every call
 * (so that its scope is the container's decision).
 */
export function filterStep(filter: CompiledFilter, activation: HubActivation): FilterStep {
  switch (filter.kind) {
    case 'function':
      return { name: filter.name, check: filter.run };
    case 'instance':
      return instanceStep(filter.name, filter.instance);
    case 'class': {
      const { container } = activation;
      if (container === undefined) {
        if (filter.type.length > 0) {
          throw registrationError(
            `Filter class ${filter.name} takes ${filter.type.length} constructor parameter(s), but registerHubs got no DI container to supply them. Pass { container } to registerHubs, or give the filter a constructor without parameters.`,
          );
        }
        let instance = activation.filterInstances?.get(filter.type);
        if (instance === undefined) {
          instance = new filter.type();
          activation.filterInstances?.set(filter.type, instance);
        }
        return instanceStep(filter.name, instance);
      }
      const type = filter.type;
      return {
        name: filter.name,
        check: (context, signal) => {
          const instance = container.get(type) as HubFilter | undefined;
          if (typeof instance?.canActivate !== 'function') {
            throw registrationError(
              `The DI container returned ${describeInstance(instance)} for filter ${filter.name}, which has no canActivate method.`,
            );
          }
          return instance.canActivate(context, signal);
        },
      };
    }
  }
}

/**
 * The filter steps of one hub event (global, class, method), made at registration so that a filter class
 * that cannot be made fails there.
 */
export function eventFilterSteps(
  event: HubEventDescriptor,
  globalFilters: readonly CompiledFilter[],
  activation: HubActivation,
): readonly FilterStep[] {
  return [...globalFilters, ...event.filters].map((filter) => filterStep(filter, activation));
}

/**
 * Builds the call of one hub event, once, when the hub's functions are built (at the first request): the
 * filter steps, the argument schemas, how the hub instance is made, and how its arguments are bound. The
 * call itself does no reflection. Filters run first, so a caller they refuse learns nothing from
 * validation messages.
 */
export function createEventCall(
  event: HubEventDescriptor,
  runtime: HubRuntime,
  steps: readonly FilterStep[],
  createHub: () => ServerlessHub,
): HubEventCall {
  const { method, parameters, directArguments, validateArguments } = event;

  const invoke = (
    context: HubInvocationContext,
    signal: AbortSignal,
    functionContext: InvocationContext | undefined,
    values: readonly unknown[],
  ): unknown => {
    const hub = createHub();
    attachInvocation(hub, { runtime, context, functionContext, signal });
    if (directArguments) return method.apply(hub, values as unknown[]);
    const args: unknown[] = [];
    for (const source of parameters) {
      switch (source.kind) {
        case 'argument':
          args.push(values[source.index]);
          break;
        case 'rest':
          for (let index = source.from; index < values.length; index++) args.push(values[index]);
          break;
        case 'hub-context':
          args.push(context);
          break;
        case 'function-context':
          args.push(functionContext);
          break;
        case 'signal':
          args.push(signal);
          break;
        case 'ignore':
          args.push(undefined);
          break;
      }
    }
    return method.apply(hub, args);
  };

  // Methods without schemas bind the client arguments as they came; with schemas, the schemas' outputs.
  const run =
    validateArguments === undefined
      ? (context: HubInvocationContext, signal: AbortSignal, functionContext: InvocationContext | undefined): unknown =>
          invoke(context, signal, functionContext, context.arguments)
      : (
          context: HubInvocationContext,
          signal: AbortSignal,
          functionContext: InvocationContext | undefined,
        ): unknown => {
          const values = validateArguments(context.arguments);
          if (values instanceof Promise)
            return values.then((checked) => invoke(context, signal, functionContext, checked));
          return invoke(context, signal, functionContext, values);
        };

  if (steps.length === 0) return run;
  return (context, signal, functionContext) => {
    const filtering = runFilters(steps, context, signal);
    if (filtering === undefined) return run(context, signal, functionContext);
    return filtering.then(() => run(context, signal, functionContext));
  };
}

/** How a hub instance is made for each call. */
export function hubFactory(descriptor: HubDescriptor, activation: HubActivation): () => ServerlessHub {
  const hubClass = descriptor.hubClass as unknown as new () => ServerlessHub;
  const { container } = activation;
  if (container === undefined) {
    if (hubClass.length > 0) {
      throw registrationError(
        `Hub ${descriptor.className} takes ${hubClass.length} constructor parameter(s), but registerHubs got no DI container to supply them. Pass { container } to registerHubs (e.g. an inversify Container), or give the hub a constructor without parameters.`,
      );
    }
    return () => new hubClass();
  }
  return () => {
    const hub = container.get(descriptor.hubClass);
    if (!(hub instanceof hubClass)) {
      throw registrationError(
        `The DI container returned ${describeInstance(hub)} for hub ${descriptor.className}. Bind the hub class to itself (container.bind(${descriptor.className}).toSelf()) or create the container with autobind: true.`,
      );
    }
    return hub;
  };
}
