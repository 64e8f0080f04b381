import type { MessageHeaders } from './hub-message.js';
import { invalidMessage } from './invalid-message.js';

// Field readers shared by the JSON and MessagePack codecs: both decode untrusted values of unknown
// shape and must name the message type and field that is wrong.

/**
 * Deepest nesting of arrays and maps accepted in a hub message, the message itself being level 1. Parsing
 * (JSON.parse, the MessagePack decoder) copes with any depth, but writing the value again (JSON.stringify,
 * structured cloning, String()) overflows the stack a few thousand levels down: a client could then make
 * every hub method that forwards or logs an argument fail, and crash a server that echoes messages.
 *
 * @example
 * ```ts
 * if (depthOf(value) > MAX_MESSAGE_DEPTH) refuse();
 * ```
 */
export const MAX_MESSAGE_DEPTH = 64;

function exceedsDepth(value: object, remaining: number): boolean {
  if (remaining === 0) return true;
  if (Array.isArray(value)) {
    for (const item of value as unknown[]) {
      if (typeof item === 'object' && item !== null && exceedsDepth(item, remaining - 1)) return true;
    }
    return false;
  }
  if (value instanceof Uint8Array) return false;
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'object' && item !== null && exceedsDepth(item, remaining - 1)) return true;
  }
  return false;
}

/**
 * Refuses a decoded message nested deeper than {@link MAX_MESSAGE_DEPTH}. Costs at most one walk of the
 * value's first {@link MAX_MESSAGE_DEPTH} levels, whatever the depth of the rest.
 *
 * @throws {ServerlessHubError} `PROTOCOL_INVALID_MESSAGE` when the value is nested deeper.
 * @example
 * ```ts
 * assertMessageDepth(JSON.parse(body)); // throws for [[[[…]]]] 65 levels deep
 * ```
 */
export function assertMessageDepth(value: unknown): void {
  if (typeof value === 'object' && value !== null && exceedsDepth(value, MAX_MESSAGE_DEPTH)) {
    throw invalidMessage(`A hub message is nested deeper than ${MAX_MESSAGE_DEPTH} levels of arrays and maps.`);
  }
}

export const messageTypeNames: Readonly<Record<number, string>> = {
  1: 'Invocation',
  2: 'StreamItem',
  3: 'Completion',
  4: 'StreamInvocation',
  5: 'CancelInvocation',
  6: 'Ping',
  7: 'Close',
  8: 'Ack',
  9: 'Sequence',
};

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

/** "an Invocation message", "a Ping message". */
export function messageLabel(messageName: string): string {
  return `${/^[AEIOU]/.test(messageName) ? 'an' : 'a'} ${messageName} message`;
}

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (value instanceof Uint8Array) return 'binary';
  return `${typeof value === 'object' || typeof value === 'undefined' ? 'an' : 'a'} ${typeof value}`;
}

export function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !(value instanceof Uint8Array);
}

export function readHeaders(value: unknown, messageName: string): MessageHeaders {
  if (!isPlainObject(value)) {
    throw invalidMessage(
      `The headers of ${messageLabel(messageName)} must be a map of strings, got ${describe(value)}.`,
    );
  }
  for (const key in value) {
    if (typeof value[key] !== 'string') {
      throw invalidMessage(
        `The header '${key.slice(0, 100)}' of ${messageLabel(messageName)} must be a string, got ${describe(value[key])}.`,
      );
    }
  }
  return value as MessageHeaders;
}

export function readRequiredString(value: unknown, field: string, messageName: string): string {
  if (value === undefined) throw invalidMessage(`${capitalize(messageLabel(messageName))} must have '${field}'.`);
  if (typeof value !== 'string')
    throw invalidMessage(`The '${field}' of ${messageLabel(messageName)} must be a string, got ${describe(value)}.`);
  if (value === '') throw invalidMessage(`The '${field}' of ${messageLabel(messageName)} must not be empty.`);
  return value;
}

/** An optional invocation id: absent and `null` both mean none. */
export function readOptionalInvocationId(value: unknown, messageName: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  return readRequiredString(value, 'invocationId', messageName);
}

export function readArguments(value: unknown, messageName: string): unknown[] {
  if (value === undefined) throw invalidMessage(`${capitalize(messageLabel(messageName))} must have 'arguments'.`);
  if (!Array.isArray(value))
    throw invalidMessage(`The 'arguments' of ${messageLabel(messageName)} must be an array, got ${describe(value)}.`);
  return value;
}

export function readStreamIds(value: unknown, messageName: string): string[] {
  if (!Array.isArray(value))
    throw invalidMessage(
      `The 'streamIds' of ${messageLabel(messageName)} must be an array of strings, got ${describe(value)}.`,
    );
  for (const id of value) {
    if (typeof id !== 'string')
      throw invalidMessage(`The 'streamIds' of ${messageLabel(messageName)} must be strings, got ${describe(id)}.`);
  }
  return value as string[];
}

export function readOptionalError(value: unknown, messageName: string): string | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string')
    throw invalidMessage(`The 'error' of ${messageLabel(messageName)} must be a string, got ${describe(value)}.`);
  return value;
}

export function readSequenceId(value: unknown, messageName: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw invalidMessage(
      `The 'sequenceId' of ${messageLabel(messageName)} must be a non-negative integer, got ${describe(value)}.`,
    );
  }
  return value;
}

export function readOptionalBoolean(value: unknown, field: string, messageName: string): boolean | undefined {
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean')
    throw invalidMessage(`The '${field}' of ${messageLabel(messageName)} must be a boolean, got ${describe(value)}.`);
  return value;
}

export function readMessageType(value: unknown): number {
  if (value === undefined) throw invalidMessage("A hub message must have 'type'.");
  if (typeof value !== 'number' || !Number.isInteger(value)) {
    throw invalidMessage(`The 'type' of a hub message must be an integer, got ${describe(value)}.`);
  }
  return value;
}

/** Headers, or `undefined` when absent, `null` or an empty map: an empty map is the same as none. */
export function readOptionalHeaders(value: unknown, messageName: string): MessageHeaders | undefined {
  if (value === undefined || value === null) return undefined;
  const headers = readHeaders(value, messageName);
  for (const _ in headers) return headers;
  return undefined;
}

/** Stream ids, or `undefined` when absent, `null` or empty: an empty list is the same as none. */
export function readOptionalStreamIds(value: unknown, messageName: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  const streamIds = readStreamIds(value, messageName);
  return streamIds.length === 0 ? undefined : streamIds;
}
