/**
 * Severity of an {@link UpstreamLogger} entry, from least to most severe.
 *
 * @example
 * ```ts
 * const onlyProblems = new Set<UpstreamLogLevel>(['warn', 'error']);
 * const dispatcher = new UpstreamDispatcher({
 *   handlers,
 *   logger: { log: (level, message) => { if (onlyProblems.has(level)) console.warn(message); } },
 * });
 * ```
 */
export type UpstreamLogLevel = 'debug' | 'info' | 'warn' | 'error';

/**
 * Where the upstream dispatcher writes what happened to a request. Messages never contain access keys,
 * tokens or signatures; `error` is the original failure (with its stack) so that a logger can record it.
 *
 * The Azure Functions adapter logs through the invocation's `InvocationContext`, so entries land in the
 * function's log and Application Insights; other transports use the dispatcher's logger.
 *
 * @example
 * ```ts
 * const logger: UpstreamLogger = {
 *   log(level, message, error) {
 *     myLogger[level]({ err: error }, message);
 *   },
 * };
 * const dispatcher = new UpstreamDispatcher({ handlers, authenticator, logger });
 * ```
 */
export interface UpstreamLogger {
  log(level: UpstreamLogLevel, message: string, error?: unknown): void;
}

/**
 * The default logger: warnings and errors go to `console.warn` / `console.error` (a failing handler must
 * never fail silently); debug and info entries are dropped so that a healthy app stays quiet.
 *
 * @example
 * ```ts
 * const dispatcher = new UpstreamDispatcher({ handlers, authenticator, logger: consoleUpstreamLogger });
 * ```
 */
export const consoleUpstreamLogger: UpstreamLogger = Object.freeze({
  log(level: UpstreamLogLevel, message: string, error?: unknown): void {
    if (level === 'error') {
      if (error === undefined) console.error(message);
      else console.error(message, error);
    } else if (level === 'warn') {
      if (error === undefined) console.warn(message);
      else console.warn(message, error);
    }
  },
});

/**
 * A logger that drops everything, for tests and benchmarks that assert on outcomes only.
 *
 * @example
 * ```ts
 * const dispatcher = new UpstreamDispatcher({ handlers, authenticator, logger: silentUpstreamLogger });
 * ```
 */
export const silentUpstreamLogger: UpstreamLogger = Object.freeze({
  log(): void {
    // Intentionally empty: this logger exists to discard entries.
  },
});
