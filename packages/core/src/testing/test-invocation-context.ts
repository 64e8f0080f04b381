import type { InvocationContext as FunctionsInvocationContext, LogLevel } from '@azure/functions';
import { InvocationContext } from './azure-functions-runtime.js';
import { format } from 'node:util';

/**
 * One line a function logged through its `InvocationContext`.
 *
 * @example
 * ```ts
 * const { logs } = createTestInvocationContext('chat_echo');
 * logs.filter((line: LoggedLine) => line.level === 'warning');
 * ```
 */
export interface LoggedLine {
  readonly level: LogLevel;
  /** The arguments formatted as `console.log` would. */
  readonly message: string;
  readonly args: readonly unknown[];
}

/**
 * An `InvocationContext` as the Functions host passes it, with the lines logged through it.
 *
 * @example
 * ```ts
 * const { context, logs }: TestInvocationContext = createTestInvocationContext('chat_negotiate');
 * ```
 */
export interface TestInvocationContext {
  readonly context: FunctionsInvocationContext;
  readonly logs: readonly LoggedLine[];
}

let invocationCounter = 0;

/**
 * Creates an `@azure/functions` `InvocationContext` for calling a function handler in a test, capturing
 * what the handler logs instead of printing it.
 *
 * @example
 * ```ts
 * const { context, logs } = createTestInvocationContext('chat_broadcast');
 * await handler(request, context);
 * expect(logs.some((line) => line.level === 'error')).toBe(false);
 * ```
 */
export function createTestInvocationContext(functionName: string): TestInvocationContext {
  const logs: LoggedLine[] = [];
  invocationCounter += 1;
  const context = new InvocationContext({
    invocationId: `test-invocation-${String(invocationCounter)}`,
    functionName,
    logHandler: (level, ...args) => {
      logs.push({ level, message: format(...args), args });
    },
  });
  return { context, logs };
}
