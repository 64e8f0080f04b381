import { recordParameter } from './metadata.js';

/**
 * Injects the invocation's `AbortSignal` into this parameter instead of a client argument; pass it on to
 * slow work (fetch, database calls) so that it stops when the invocation is abandoned.
 *
 * @example
 * ```ts
 * async lookup(id: string, @Signal() signal: AbortSignal) {
 *   const response = await fetch(`https://example.com/items/${id}`, { signal });
 *   return response.json();
 * }
 * ```
 */
export function Signal(): ParameterDecorator {
  return (target, member, index) => {
    recordParameter(target, member, index, 'signal');
  };
}
