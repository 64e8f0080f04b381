import type { InvocationContext } from '@azure/functions';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { HubEventCall } from '../hub/hub-invoker.js';
import { argumentCountMessage } from '../hub/argument-count-message.js';
import { NEVER_ABORTED } from '../hub/never-aborted.js';
import { contextFromSignalRTrigger } from './signalr-trigger-context.js';
import type { SignalRTriggerEvent } from './signalr-trigger-context.js';
import { errorMessage } from '../errors/describe-error.js';
import { eventFailure } from '../hub/failure-policy.js';
import { HubError } from '../upstream/hub-error.js';

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
 * client's `invoke()` with SignalR extension 1.15 or later). Failures are answered by the failure policy
 * the HTTP mode uses (`eventFailure`), as far as the host allows: a refusal or a completion error fails
 * the function with that text (the host answers a failed `connected` with 403), and `disconnected` never
 * fails.
 */
export function createSignalRTriggerHandler(
  call: HubEventCall,
  target: SignalRTriggerTarget,
): (invocation: unknown, functionContext: InvocationContext) => Promise<unknown> {
  const where = `'${target.event}' on hub '${target.hub}'`;
  const checksArguments =
    target.category === 'messages' && (target.minArguments > 0 || target.maxArguments !== Number.POSITIVE_INFINITY);
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
    const failed = (error: unknown): unknown => {
      const { answer, log } = eventFailure(error, {
        where: `${where} (connection '${context.connectionId}')`,
        event: context.event,
        isConnected,
        isDisconnected,
        // The host reports a failed function to the caller: there is always someone to tell.
        answerable: true,
        detailed: false,
      });
      functionContext[log.level](log.message, ...(log.error === undefined ? [] : [log.error]));
      if (answer.kind === 'accept') return undefined;
      throw clientFacing(answer.kind === 'refuse' ? answer.message : answer.error);
    };
    const count = context.arguments.length;
    if (checksArguments && (count < target.minArguments || count > target.maxArguments)) {
      const expected = count < target.minArguments ? target.minArguments : target.maxArguments;
      return failed(new ServerlessHubError('HUB_ARGUMENTS_INVALID', argumentCountMessage(expected, count)));
    }
    try {
      const result = await call(context, NEVER_ABORTED, functionContext);
      if (typeof result === 'object' && result !== null && Symbol.asyncIterator in result) {
        // The extension's trigger knows invocations only: a stream method cannot be answered through it.
        void (result as AsyncIterable<unknown>)[Symbol.asyncIterator]().return?.();
        throw new HubError(
          `'${context.event}' streams its result, which the SignalR trigger (mode 'binding') cannot deliver; register the hub in the default HTTP mode.`,
        );
      }
      return result;
    } catch (error) {
      return failed(error);
    }
  };
}
