import { HubError } from '@serverless-hub/core';

/** The longest message text the chat accepts, in characters. */
export const MAX_TEXT_LENGTH = 4000;
/** The longest user id, connection id or group name the service accepts, in characters. */
export const MAX_NAME_LENGTH = 1024;

/**
 * Checks a message text from a client: a string of at most {@link MAX_TEXT_LENGTH} characters. A bad
 * value fails the client's `invoke()` with a message saying what is wrong.
 *
 * @example
 * ```ts
 * async broadcast(text: string) { requireText(text); ... }
 * ```
 */
export function requireText(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw new HubError(`text must be a string, not ${describe(value)}.`);
  if (value.length > MAX_TEXT_LENGTH) throw new HubError(`text is ${value.length} characters long; the chat accepts at most ${MAX_TEXT_LENGTH}.`);
}

/**
 * Checks a user id, connection id or group name from a client: a string, not blank, at most
 * {@link MAX_NAME_LENGTH} characters, on one line.
 *
 * @example
 * ```ts
 * async joinGroup(group: string) { requireName(group, 'group'); ... }
 * ```
 */
export function requireName(value: unknown, what: 'userId' | 'connectionId' | 'group'): asserts value is string {
  if (typeof value !== 'string') throw new HubError(`${what} must be a string, not ${describe(value)}.`);
  if (value.trim() === '') throw new HubError(`${what} must not be empty.`);
  if (value.length > MAX_NAME_LENGTH) throw new HubError(`${what} is ${value.length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`);
  if (/[\r\n]/.test(value)) throw new HubError(`${what} must not contain a line break.`);
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  return typeof value === 'object' ? 'an object' : typeof value;
}
