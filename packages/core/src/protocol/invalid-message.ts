import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { errorMessage } from '../errors/describe-error.js';

/** The one way protocol code reports malformed input: a `PROTOCOL_INVALID_MESSAGE` error. */
export function invalidMessage(message: string, cause?: unknown): ServerlessHubError {
  return new ServerlessHubError('PROTOCOL_INVALID_MESSAGE', message, cause === undefined ? undefined : { cause });
}

/** Keeps a parser's own error as it is and wraps anything else (a decoder's RangeError, a TypeError). */
export function asInvalidMessage(error: unknown, context: string): ServerlessHubError {
  if (ServerlessHubError.is(error)) return error;
  return invalidMessage(`${context}: ${errorMessage(error)}`, error);
}

/** A reader told to reject messages of unknown types met one. */
export function unknownMessageType(): ServerlessHubError {
  return invalidMessage('Received a hub message of an unknown type; this server does not accept it.');
}
