/**
 * The error a client's invoke completes with when its argument count does not fit the hub method: the
 * words (grammar included) of the Azure Functions SignalR extension, which clients and their tests may
 * match. `expected` is the bound that was missed: the minimum for too few arguments, the maximum for too
 * many. Internal; the upstream dispatcher and the binding-mode trigger handler both answer with it.
 *
 * @example
 * ```ts
 * argumentCountMessage(2, 1); // 'The function accept 2 arguments but message provided 1.'
 * ```
 */
export function argumentCountMessage(expected: number, provided: number): string {
  return `The function accept ${String(expected)} arguments but message provided ${String(provided)}.`;
}
