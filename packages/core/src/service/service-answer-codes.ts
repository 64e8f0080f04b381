// `x-ms-error-code` values with which the service answers a 404 that is an answer, not a failure
// (compared case-insensitively, as the official SDK does).

function codes(...values: string[]): ReadonlySet<string> {
  return new Set(values.map((value) => value.toLowerCase()));
}

/** Adding a connection to a group: the connection does not exist. */
export const ADD_CONNECTION_TO_GROUP_ANSWERS = codes('Error.Connection.NotExisted');
/**
 * Removing a connection from a group: the swagger documents a 404 without naming its code; the lenient
 * reading (*unconfirmed*) takes either connection-not-existed code as "the connection does not exist".
 */
export const REMOVE_CONNECTION_FROM_GROUP_ANSWERS = codes(
  'Error.Connection.NotExisted',
  'Warning.Connection.NotExisted',
);
/** Closing a connection, or checking it exists: the connection does not exist. */
export const CONNECTION_ANSWERS = codes('Warning.Connection.NotExisted');
/** Checking a user exists. */
export const USER_ANSWERS = codes('Warning.User.NotExisted');
/** Checking a group exists. */
export const GROUP_ANSWERS = codes('Warning.Group.NotExisted');
/**
 * Checking a user is in a group: `Info.User.NotInGroup`; a user or group that does not exist is, on the
 * lenient reading (*unconfirmed*), not in the group either.
 */
export const USER_IN_GROUP_ANSWERS = codes(
  'Info.User.NotInGroup',
  'Warning.User.NotExisted',
  'Warning.Group.NotExisted',
);

/** Invoking a client: the connection does not exist (either spelling). */
export const CLIENT_CONNECTION_ANSWERS = codes('Error.Connection.NotExisted', 'Warning.Connection.NotExisted');

/**
 * Sending to a client's stream, or completing it: the connection does not exist, or the stream does not
 * (`Error.Stream.NotExisted`: the client cancelled it or it ended; this project's emulator's code,
 * *unconfirmed* against the service, which documents only `default: ErrorDetail`).
 */
export const CLIENT_STREAM_ANSWERS = codes(
  'Error.Connection.NotExisted',
  'Warning.Connection.NotExisted',
  'Error.Stream.NotExisted',
);

/**
 * `x-ms-error-code` values of a client invocation that did not produce a result. The 2024-12-01 spec
 * documents only `default: ErrorDetail` for them; these are the codes this project's emulator answers
 * with (*unconfirmed* against the service), compared case-insensitively.
 */
export const CLIENT_INVOCATION_ERROR_CODES = {
  /** The client's method threw: the client's error message is the service's message. */
  failed: 'error.clientinvocation.failed',
  /** The connection closed before the client answered. */
  disconnected: 'error.clientinvocation.connectionclosed',
  /** The service stopped waiting for the client. */
  timeout: 'error.clientinvocation.timeout',
} as const;
