import { recordParameter } from './metadata.js';

/**
 * Injects the Azure Functions `InvocationContext` of the current function call (for its logger,
 * invocation id, ...) into this parameter instead of a client argument.
 *
 * @example
 * ```ts
 * async broadcast(text: string, @FunctionContext() functionContext: InvocationContext) {
 *   functionContext.warn('broadcasting', text.length);
 * }
 * ```
 */
export function FunctionContext(): ParameterDecorator {
  return (target, member, index) => {
    recordParameter(target, member, index, 'function-context');
  };
}
