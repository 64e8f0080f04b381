import type { InvocationContext } from '@azure/functions';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubEventCall } from '../hub/hub-invoker.js';
import { argumentCountMessage } from '../hub/argument-count-message.js';
import { NEVER_ABORTED } from '../hub/never-aborted.js';
import { contextFromSignalRTrigger } from './signalr-trigger-context.js';
import type { SignalRTriggerEvent } from './signalr-trigger-context.js';
import { errorMessage } from '../errors/describe-error.js';

/** The event a binding-mode function serves, with the hub method's argument bounds. */
export interface SignalRTriggerTarget extends SignalRTriggerEvent {
  readonly minArguments: number;
  readonly maxArguments: number;
}

/**
 * An error whose text is fit for a client. The host reports a failed function to the client with the
 * error's message and stack, so the stack is replaced by the message alone: no file paths or frames leak.
 */
function clientFacing(message: string): Error {
  const error = new Error(message);
  error.stack = `Error: ${message}`;
  return error;
}

/**
 * The handler of a `signalRTrigger` function (binding mode): adapts the host's PascalCase invocation
 * context, checks the argument count, runs the hub event, and returns its result (which reaches the
 * client's `invoke()` with SignalR extension 1.15 or later). Failures follow the HTTP mode's rules as far
 * as the host allows: a denial or a failure of `connected` fails the function, which the host answers with
 * 403 (connection refused); a `HubError`'s message reaches the client; any other failure reaches it as a
 * generic message while the detail goes to the function's log; `disconnected` never fails.
 */
export function createSignalRTriggerHandler(
  call: HubEventCall,
  target: SignalRTriggerTarget,
): (invocation: unknown, functionContext: InvocationContext) => Promise<unknown> {
  const where = `'${target.event}' on hub '${target.hub}'`;
  const checksArguments = target.category === 'messages' && (target.minArguments > 0 || target.maxArguments !== Number.POSITIVE_INFINITY);
  const isConnected = target.category === 'connections' && target.event === 'connected';
  const isDisconnected = target.category === 'connections' && target.event === 'disconnected';

  return async (invocation, functionContext) => {
    let context;
    try {
      context = contextFromSignalRTrigger(invocation, target);
    } catch (error) {
      const message = errorMessage(error);
      functionContext.error(`signalRTrigger ${where}: ${message}`);
      throw clientFacing(message);
    }
    const count = context.arguments.length;
    if (checksArguments && (count < target.minArguments || count > target.maxArguments)) {
      const expected = count < target.minArguments ? target.minArguments : target.maxArguments;
      const message = argumentCountMessage(expected, count);
      functionContext.warn(`Invocation ${where} (connection '${context.connectionId}') not run: ${message}`);
      throw clientFacing(message);
    }
    try {
      return await call(context, NEVER_ABORTED, functionContext);
    } catch (error) {
      const connection = `(connection '${context.connectionId}')`;
      if (ServerlessHubError.is(error, 'UPSTREAM_FORBIDDEN')) {
        // A filter that crashed rather than decided is a defect of the app: logged as an error, with its stack.
        if (error.details?.['filterFailed'] === true) functionContext.error(`Call ${where} ${connection} refused: ${error.message}`, error.cause);
        else functionContext.info(`Call ${where} ${connection} denied: ${error.message}`);
        if (isDisconnected) return undefined;
        throw clientFacing(isConnected ? 'The connection was refused.' : 'The call was denied.');
      }
      if (ServerlessHubError.is(error, 'HUB_ARGUMENTS_INVALID')) {
        functionContext.warn(`Invocation ${where} ${connection} not run: ${error.message}`);
        if (isDisconnected) return undefined;
        throw clientFacing(error.message);
      }
      if (ServerlessHubError.is(error, 'HUB_ERROR')) {
        functionContext.info(`Handler of ${where} ${connection} raised a hub error: ${error.message}`);
        if (isDisconnected) return undefined;
        throw clientFacing(error.message);
      }
      functionContext.error(`Handler of ${where} ${connection} failed.`, error);
      if (isDisconnected) return undefined;
      throw clientFacing(isConnected ? 'The connection was refused.' : `An unexpected error occurred invoking '${context.event}' on the server.`);
    }
  };
}
