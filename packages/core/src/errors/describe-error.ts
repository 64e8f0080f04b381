import { types } from 'node:util';
import { describeValue } from './describe-value.js';

function readField(error: Error, field: 'name' | 'message' | 'stack'): string | undefined {
  try {
    const value: unknown = error[field];
    return typeof value === 'string' ? value : undefined;
  } catch {
    // A getter that throws on a thrown error must not turn error handling into a second failure.
    return undefined;
  }
}

/**
 * One line about anything that was thrown: `Name: message` for an `Error`, a safe description
 * otherwise (`throw null`, `throw Object.create(null)` and objects whose `toString` throws included).
 * It never throws, so it is safe inside `catch` blocks that must still answer.
 *
 * @example
 * ```ts
 * try { await handler(); } catch (error) { log(`handler failed: ${describeError(error)}`); }
 * describeError(new TypeError('bad')); // 'TypeError: bad'
 * describeError(Object.create(null)); // 'a non-Error value was thrown: an object'
 * ```
 */
export function describeError(error: unknown): string {
  if (!isError(error)) return describeThrown(error);
  const name = readField(error, 'name') ?? 'Error';
  const message = readField(error, 'message') ?? '';
  return message === '' ? name : `${name}: ${message}`;
}

/**
 * The message of an `Error`, or the description of anything else that was thrown; never throws.
 *
 * @example
 * ```ts
 * errorMessage(new Error('boom')); // 'boom'
 * errorMessage('boom'); // 'a non-Error value was thrown: "boom"'
 * ```
 */
export function errorMessage(error: unknown): string {
  if (!isError(error)) return describeThrown(error);
  return readField(error, 'message') ?? '';
}

/**
 * What a log line shows of a failure: the stack of an `Error` (which starts with its name and
 * message), or the description of anything else that was thrown; never throws.
 *
 * @example
 * ```ts
 * logger.error(`request failed: ${errorDetail(error)}`);
 * ```
 */
export function errorDetail(error: unknown): string {
  if (!isError(error)) return describeThrown(error);
  return readField(error, 'stack') ?? describeError(error);
}

// isNativeError also recognizes errors made in another realm (a vm context, a test environment), which
// `instanceof Error` does not; instanceof keeps objects that merely inherit from Error.prototype.
function isError(value: unknown): value is Error {
  try {
    return types.isNativeError(value) || value instanceof Error;
  } catch {
    return false;
  }
}

function describeThrown(value: unknown): string {
  return `a non-Error value was thrown: ${describeValue(value)}`;
}
