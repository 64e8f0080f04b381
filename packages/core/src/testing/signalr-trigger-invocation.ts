import type { InvocationContext } from '@azure/functions';
import type { RegisteredSignalRFunction } from '../functions/function-registry.js';
import { createTestInvocationContext } from './test-invocation-context.js';
import type { LoggedLine } from './test-invocation-context.js';
import { errorDetail, errorMessage } from '../errors/describe-error.js';

/**
 * What the Functions host's SignalR extension tells a `signalRTrigger` function about an event.
 *
 * @example
 * ```ts
 * await invokeSignalRTrigger(fn, { connectionId: 'c1', userId: 'alice', claims: { role: 'admin' }, arguments: ['hi'] });
 * ```
 */
export interface SignalRTriggerInvocationOptions {
  /** Default `connection-1`. */
  readonly connectionId?: string;
  readonly userId?: string;
  /** First value of each claim type, as the extension passes them. */
  readonly claims?: Readonly<Record<string, string>>;
  readonly query?: Readonly<Record<string, string>>;
  readonly headers?: Readonly<Record<string, string>>;
  readonly arguments?: readonly unknown[];
  /** The close error of a disconnected event. */
  readonly error?: string;
}

/**
 * The outcome of a `signalRTrigger` function: its return value, or the message of what it threw.
 *
 * @example
 * ```ts
 * const outcome = await invokeSignalRTrigger(fn, { arguments: [42] });
 * if (!outcome.ok) console.log(outcome.error);
 * ```
 */
export interface SignalRTriggerOutcome {
  readonly ok: boolean;
  /** The return value (what the client's `invoke()` resolves to, with extension ≥ 1.15). */
  readonly result?: unknown;
  /** The thrown error's message (the host reports it to the client). */
  readonly error?: string;
  /** The thrown error's stack as the host would report it. */
  readonly stack?: string;
  readonly logs: readonly LoggedLine[];
}

/**
 * Builds the invocation context object the Functions host passes to a non-.NET `signalRTrigger`
 * function: PascalCase keys, as the host serializes the extension's `InvocationContext`.
 *
 * @example
 * ```ts
 * const invocation = createSignalRTriggerInvocation(fn, { arguments: ['hi'], userId: 'alice' });
 * // { ConnectionId: 'connection-1', UserId: 'alice', Hub: 'chat', Category: 'messages', Event: 'broadcast', Arguments: ['hi'], ... }
 * ```
 */
export function createSignalRTriggerInvocation(
  fn: RegisteredSignalRFunction,
  options: SignalRTriggerInvocationOptions = {},
): Record<string, unknown> {
  return {
    Arguments: options.arguments === undefined ? null : [...options.arguments],
    Error: options.error ?? null,
    Category: fn.category,
    Event: fn.event,
    Hub: fn.hub?.toLowerCase(),
    ConnectionId: options.connectionId ?? 'connection-1',
    UserId: options.userId ?? null,
    Headers: { ...options.headers },
    Query: { ...options.query },
    Claims: { ...options.claims },
  };
}

/**
 * Runs a binding-mode (`signalRTrigger`) function as the Functions host would, and reports its return
 * value or failure and what it logged.
 *
 * @example
 * ```ts
 * const fn = getRegisteredFunctions().find((f) => f.name === 'chat_echo') as RegisteredSignalRFunction;
 * const outcome = await invokeSignalRTrigger(fn, { arguments: [42] });
 * expect(outcome.result).toBe(42);
 * ```
 */
export async function invokeSignalRTrigger(
  fn: RegisteredSignalRFunction,
  options: SignalRTriggerInvocationOptions = {},
): Promise<SignalRTriggerOutcome> {
  const { context, logs } = createTestInvocationContext(fn.name);
  const handler = fn.handler as (invocation: unknown, context: InvocationContext) => Promise<unknown>;
  try {
    const result = await handler(createSignalRTriggerInvocation(fn, options), context);
    return { ok: true, ...(result === undefined ? {} : { result }), logs };
  } catch (error) {
    const stack = error instanceof Error ? errorDetail(error) : undefined;
    return { ok: false, error: errorMessage(error), ...(stack === undefined ? {} : { stack }), logs };
  }
}
