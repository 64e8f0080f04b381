import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { describeValue } from '../errors/describe-value.js';
import { HUB_NAME_RULE, isValidHubName } from '../hub/hub-name.js';

// Limits of the 2022-06-01 REST API (swagger `pattern`, `minLength`, `maxLength`, `format`); the hub
// name's is in hub/hub-name.ts.
const MAX_GROUP_NAME_LENGTH = 1024;
const MAX_USER_ID_LENGTH = 1024;
const MAX_TTL_SECONDS = 2_147_483_647;
const LONE_SURROGATE = /\p{Cs}/u;
const WHITESPACE_ONLY = /^\s+$/;

function invalid(message: string): ServerlessHubError {
  return new ServerlessHubError('REST_INVALID_ARGUMENT', message);
}

/**
 * Hub and application names: a letter, then letters, digits or `` _ ` , . [ ] ``, 128 characters at most
 * (the service's own rule; the swagger pattern of the `hub` and `application` parameters).
 */
export function assertHubName(
  value: unknown,
  what: 'hub name' | 'application name' = 'hub name',
): asserts value is string {
  if (!isValidHubName(value)) throw invalid(`Invalid ${what} ${describeValue(value)}: ${HUB_NAME_RULE}.`);
}

function assertIdentifier(value: unknown, what: string, maxLength: number): asserts value is string {
  if (typeof value !== 'string') {
    throw invalid(`Invalid ${what} ${describeValue(value)}: expected a string.`);
  }
  if (value.length === 0) throw invalid(`Invalid ${what}: it must not be empty.`);
  if (value.length > maxLength) {
    throw invalid(
      `Invalid ${what} ${describeValue(value)}: it has ${value.length} characters; the service accepts at most ${maxLength}.`,
    );
  }
  if (LONE_SURROGATE.test(value)) {
    throw invalid(
      `Invalid ${what} ${describeValue(value)}: it contains an unpaired UTF-16 surrogate, which cannot be sent in a URL.`,
    );
  }
  // URL parsers remove "." and ".." path segments, escaped or not (%2E is a dot to them), so
  // `groups/../:send` would reach `:send`, a broadcast to every connection.
  if (value === '.' || value === '..') {
    throw invalid(`Invalid ${what} ${describeValue(value)}: "." and ".." cannot be sent as a URL path segment.`);
  }
}

/** A connection id: a non-empty string. */
export function assertConnectionId(value: unknown): asserts value is string {
  assertIdentifier(value, 'connection id', Number.MAX_SAFE_INTEGER);
}

/** A user id: 1 to 1024 characters. */
export function assertUserId(value: unknown): asserts value is string {
  assertIdentifier(value, 'user id', MAX_USER_ID_LENGTH);
}

/** A group name: 1 to 1024 characters, not only white space, no line break (swagger `^(?!\s+$).+$`). */
export function assertGroupName(value: unknown): asserts value is string {
  assertIdentifier(value, 'group name', MAX_GROUP_NAME_LENGTH);
  if (WHITESPACE_ONLY.test(value))
    throw invalid(`Invalid group name ${describeValue(value)}: it must not be only white space.`);
  if (value.includes('\n'))
    throw invalid(`Invalid group name ${describeValue(value)}: it must not contain a line break.`);
}

/** The name of the client method a message invokes: a non-empty string. */
export function assertTarget(value: unknown): asserts value is string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalid(
      `Invalid message target ${describeValue(value)}: expected the non-empty name of the client method to invoke.`,
    );
  }
}

/** A user's time to live in a group: whole seconds, 0 to 2^31 - 1 (swagger `int32`). */
export function assertTtl(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 0 || value > MAX_TTL_SECONDS) {
    throw invalid(`Invalid ttl ${describeValue(value)}: expected whole seconds from 0 to ${MAX_TTL_SECONDS}.`);
  }
}

/** The reason given to clients whose connection is closed: any string. */
export function assertReason(value: unknown): asserts value is string {
  if (typeof value !== 'string') throw invalid(`Invalid close reason ${describeValue(value)}: expected a string.`);
  if (LONE_SURROGATE.test(value)) {
    throw invalid(
      `Invalid close reason ${describeValue(value)}: it contains an unpaired UTF-16 surrogate, which cannot be sent in a URL.`,
    );
  }
}

/** A list of ids, each valid by `assertEach`; `what` names the list in messages. */
export function assertIdList(
  value: unknown,
  what: string,
  assertEach: (item: unknown) => void,
): asserts value is readonly string[] {
  if (!Array.isArray(value)) throw invalid(`Invalid ${what} ${describeValue(value)}: expected an array of strings.`);
  for (const item of value as unknown[]) assertEach(item);
}

// Limits of the 2024-12-01 routes (streams to a client, group member lists).
const MAX_STREAM_ID_LENGTH = 100;
const MAX_PAGE_SIZE = 200;
const MAX_INT32 = 2_147_483_647;

/** A stream id (the invocation id of the client's stream): 1 to 100 characters, not only white space. */
export function assertStreamId(value: unknown): asserts value is string {
  assertIdentifier(value, 'stream id', MAX_STREAM_ID_LENGTH);
  if (WHITESPACE_ONLY.test(value))
    throw invalid(`Invalid stream id ${describeValue(value)}: it must not be only white space.`);
  if (value.includes('\n'))
    throw invalid(`Invalid stream id ${describeValue(value)}: it must not contain a line break.`);
}

/** `maxpagesize` of a group member list: whole number from 1 to 200. */
export function assertPageSize(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_PAGE_SIZE) {
    throw invalid(`Invalid maxPageSize ${describeValue(value)}: expected a whole number from 1 to ${MAX_PAGE_SIZE}.`);
  }
}

/** `top` of a group member list: whole number from 1 to 2^31 - 1. */
export function assertTop(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_INT32) {
    throw invalid(`Invalid top ${describeValue(value)}: expected a whole number from 1 to ${MAX_INT32}.`);
  }
}

/** A client invocation's time limit: whole milliseconds from 1 to 2^31 - 1. */
export function assertInvocationTimeout(value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > MAX_INT32) {
    throw invalid(`Invalid timeoutMs ${describeValue(value)}: expected whole milliseconds from 1 to ${MAX_INT32}.`);
  }
}
