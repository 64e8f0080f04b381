/**
 * The error a client's invoke completes with when its argument count does not fit the hub method: the
 * words (grammar included) of the Azure Functions SignalR extension, which clients and their tests may
 * match. `expected` is the bound that was missed: the minimum for too few arguments, the maximum for too
 * many. The upstream dispatcher and the binding-mode trigger handler both answer with it, and so does a host
 * that checks the count itself (the emulator's functions host, for a trigger's `parameterNames`).
 *
 * @example
 * ```ts
 * argumentCountMessage(2, 1); // 'The function accept 2 arguments but message provided 1.'
 * ```
 */
export function argumentCountMessage(expected: number, provided: number): string {
  return `The function accept ${String(expected)} arguments but message provided ${String(provided)}.`;
}
