import type { IncomingMessage, ServerResponse } from 'node:http';
import type { InvocationContext } from '@azure/functions';
import { createSignatureValidator, endpointFromSettings, errorMessage, hubProtocolByContentType, MessageType, parseClaimsHeader } from '@serverless-hub/core';
import type { HubProtocol } from '@serverless-hub/core';
import type { EmulatorLogger } from '../logging/emulator-logger.js';

/** A `signalRTrigger` function as the framework's registry records it. */
export interface SignalRTriggerFunction {
  readonly name: string;
  readonly binding: Readonly<Record<string, unknown>>;
  readonly handler: (invocation: never, context: InvocationContext) => unknown;
}

/** The path of the Functions host's SignalR extension webhook (the service's upstream URL in binding mode). */
export const SIGNALR_WEBHOOK_PATH = '/runtime/webhooks/signalr';

type MakeContext = (functionName: string) => InvocationContext;

function text(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function answer(response: ServerResponse, status: number, body?: Uint8Array | string): number {
  response.statusCode = status;
  if (body === undefined || body.length === 0) {
    response.setHeader('Content-Length', 0);
    response.end();
  } else {
    if (typeof body === 'string') response.setHeader('Content-Type', 'text/plain; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(body));
    response.end(body);
  }
  return status;
}

function firstValues(query: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query.startsWith('?') ? query.slice(1) : query)) if (!(name in result)) result[name] = value;
  return result;
}

/**
 * What the Functions host's SignalR extension does for `signalRTrigger` functions (binding mode),
 * locally: it receives the service's upstream request at `/runtime/webhooks/signalr`, checks the
 * signature with the binding's connection string, finds the function by hub, category and event,
 * calls it with the PascalCase invocation context, and answers: 403 when a `connected` function
 * fails, and for invocations a framed Completion of the function's return value or error message
 * (what extension 1.15 and later send; the host's own error text, with its stack, is not copied).
 */
export async function handleSignalRWebhook(
  request: IncomingMessage,
  response: ServerResponse,
  body: Buffer,
  functions: readonly SignalRTriggerFunction[],
  makeContext: MakeContext,
  logger: EmulatorLogger,
): Promise<number> {
  const header = (name: string): string => text(request.headers[name]);
  const hub = header('x-asrs-hub');
  const category = header('x-asrs-category');
  const event = header('x-asrs-event');
  const connectionId = header('x-asrs-connection-id');
  if (hub === '' || category === '' || event === '' || connectionId === '') {
    return answer(response, 400, 'Bad request: the X-ASRS-Hub, X-ASRS-Category, X-ASRS-Event and X-ASRS-Connection-Id headers are required.');
  }
  const fn = functions.find(
    (candidate) => same(text(candidate.binding.hubName), hub) && same(text(candidate.binding.category), category) && same(text(candidate.binding.event), event),
  );
  if (fn === undefined) return answer(response, 404, `No signalRTrigger function for hub '${hub}', category '${category}', event '${event}'.`);

  const setting = text(fn.binding.connectionStringSetting) || 'AzureSignalRConnectionString';
  let endpoint;
  try {
    endpoint = endpointFromSettings(setting);
  } catch (error) {
    logger.error(`${fn.name}: ${errorMessage(error)}`);
    return answer(response, 500);
  }
  // As the extension: the signature is checked with an access key; identity-based connections have none.
  if (endpoint.auth.type === 'key' && !createSignatureValidator([endpoint.auth.accessKey]).isValid(connectionId, request.headers['x-asrs-signature'] as string | undefined)) {
    return answer(response, 401, 'The request is unauthorized, please check the Signature.');
  }

  let protocol: HubProtocol | undefined;
  let invocationId: string | undefined;
  let args: readonly unknown[] = [];
  let disconnectError: string | undefined;
  if (same(category, 'messages')) {
    try {
      protocol = hubProtocolByContentType(header('content-type'));
    } catch (error) {
      return answer(response, 415, errorMessage(error));
    }
    try {
      const invocation = protocol.parseUnframedInvocation(new Uint8Array(body));
      invocationId = invocation.invocationId;
      args = invocation.arguments;
    } catch (error) {
      return answer(response, 400, errorMessage(error));
    }
  } else if (same(event, 'disconnected') && body.length > 0) {
    try {
      const parsed: unknown = JSON.parse(body.toString('utf8'));
      if (typeof parsed === 'object' && parsed !== null) {
        for (const [name, value] of Object.entries(parsed)) if (name.toLowerCase() === 'error' && typeof value === 'string') disconnectError = value;
      }
    } catch {
      return answer(response, 400, 'The disconnected event body is not valid JSON.');
    }
  }

  const complete = (outcome: { result: unknown } | { error: string }): number => {
    if (protocol === undefined || invocationId === undefined) return answer(response, 200);
    const completion =
      'error' in outcome
        ? { type: MessageType.Completion, invocationId, error: outcome.error }
        : outcome.result === undefined
          ? { type: MessageType.Completion, invocationId }
          : { type: MessageType.Completion, invocationId, result: outcome.result };
    response.setHeader('Content-Type', protocol.contentType);
    return answer(response, 200, protocol.writeMessage(completion));
  };

  const names = fn.binding.parameterNames;
  if (Array.isArray(names) && protocol !== undefined && names.length !== args.length) {
    return complete({ error: `The function accept ${names.length} arguments but message provided ${args.length}.` });
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
  const invocation = {
    ConnectionId: connectionId,
    UserId: header('x-asrs-user-id') || undefined,
    Hub: hub,
    Category: category,
    Event: event,
    Arguments: protocol === undefined ? undefined : args,
    Error: disconnectError,
    Headers: headers,
    Query: firstValues(header('x-asrs-client-query')),
    Claims: parseClaimsHeader(header('x-asrs-user-claims') || undefined).first,
  };
  try {
    const result = await fn.handler(invocation as never, makeContext(fn.name));
    return complete({ result });
  } catch (error) {
    logger.warn(`${fn.name} failed: ${errorMessage(error)}`);
    if (same(category, 'connections')) return answer(response, same(event, 'connected') ? 403 : 200);
    return complete({ error: errorMessage(error) });
  }
}
