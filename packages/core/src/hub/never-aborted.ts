/**
 * The signal of a hub call that nothing can cancel (no upstream request or caller gave one). One shared
 * signal: handlers may always read `signal.aborted` or add a listener, and no call pays for an
 * `AbortController` of its own. Internal.
 *
 * @example
 * ```ts
 * await call(context, options?.signal ?? NEVER_ABORTED, functionContext);
 * ```
 */
export const NEVER_ABORTED: AbortSignal = new AbortController().signal;
