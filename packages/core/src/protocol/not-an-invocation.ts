import type { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubMessage } from './hub-message.js';
import { invalidMessage } from './invalid-message.js';
import { messageTypeNames } from './message-fields.js';

/**
 * The error for an unframed message body (an upstream request's) that holds another message than an
 * Invocation; `undefined` stands for a message type the codec does not know.
 */
export function notAnInvocation(message: HubMessage | undefined): ServerlessHubError {
  return invalidMessage(
    `The message body must be an Invocation message (type 1) or a StreamInvocation (type 4), got ${message === undefined ? 'an unknown message type' : `a ${messageTypeNames[message.type] ?? ''} message (type ${message.type})`}.`,
  );
}
