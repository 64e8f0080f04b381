import * as v from 'valibot';

/** The longest message text the chat accepts, in characters. */
export const MAX_TEXT_LENGTH = 4000;
/** The highest number `countdown` starts from. */
export const MAX_COUNTDOWN = 100;
/** The longest user id, connection id or group name the service accepts, in characters. */
export const MAX_NAME_LENGTH = 1024;

/**
 * A message text from a client: a string of at most {@link MAX_TEXT_LENGTH} characters. Used with
 * `@Validate`, a bad value fails the client's `invoke()` with a message naming the parameter and the problem.
 *
 * @example
 * ```ts
 * async broadcast(@Validate(messageText) text: string) { ... }
 * ```
 */
export const messageText = v.pipe(
  v.string((issue) => `must be a string, not ${issue.received}`),
  v.maxLength(
    MAX_TEXT_LENGTH,
    (issue) => `is ${String(issue.input.length)} characters long; the chat accepts at most ${String(MAX_TEXT_LENGTH)}`,
  ),
);

/**
 * A user id, connection id or group name from a client: a string, not blank, at most
 * {@link MAX_NAME_LENGTH} characters, on one line.
 *
 * @example
 * ```ts
 * async joinGroup(@Validate(chatName) group: string) { ... }
 * ```
 */
export const chatName = v.pipe(
  v.string((issue) => `must be a string, not ${issue.received}`),
  v.check((value) => value.trim() !== '', 'must not be empty'),
  v.maxLength(
    MAX_NAME_LENGTH,
    (issue) => `is ${String(issue.input.length)} characters long; at most ${String(MAX_NAME_LENGTH)} are allowed`,
  ),
  v.check((value) => !/[\r\n]/.test(value), 'must not contain a line break'),
);

/**
 * Where a countdown starts: a whole number from 1 to {@link MAX_COUNTDOWN}.
 *
 * @example
 * ```ts
 * async *countdown(@Validate(countdownStart) n: number) { ... }
 * ```
 */
export const countdownStart = v.pipe(
  v.number((issue) => `must be a number, not ${issue.received}`),
  v.integer((issue) => `must be a whole number, not ${String(issue.input)}`),
  v.minValue(1, (issue) => `must be at least 1, not ${String(issue.input)}`),
  v.maxValue(MAX_COUNTDOWN, (issue) => `must be at most ${String(MAX_COUNTDOWN)}, not ${String(issue.input)}`),
);
