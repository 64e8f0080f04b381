import type { IncomingMessage, ServerResponse } from 'node:http';
import { hubEndpointsFromSettings } from '@serverless-hub/core';
import {
  argumentCountMessage,
  createSignatureValidator,
  errorMessage,
  parseClaimsHeader,
} from '@serverless-hub/core/upstream';
import { hubProtocolByContentType, MessageType } from '@serverless-hub/core/protocol';
import type { HubProtocol } from '@serverless-hub/core/protocol';
import type { EmulatorLogger } from '../logging/emulator-logger.js';
import type {
  RegisteredFunction,
  RpcBindingInfo,
  RpcInvocationResponse,
  RpcParameterBinding,
  RpcTypedData,
} from './functions-core-contract.js';

/**
 * Runs a `signalRTrigger` function with the given inputs and trigger metadata, as the host asks the worker.
 *
 * @example
 * ```ts
 * const invoke: InvokeTrigger = (fn, inputData, triggerMetadata) => host.invoke(fn, inputData, triggerMetadata);
 * ```
 */
export type InvokeTrigger = (
  fn: RegisteredFunction,
  inputData: RpcParameterBinding[],
  triggerMetadata: Record<string, RpcTypedData>,
) => Promise<RpcInvocationResponse>;

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

// As the host converts values for the worker (azure-functions-host `ToRpc`): strings stay strings,
// numbers are `int` or `double`, everything else is JSON.
function toTypedData(value: unknown): RpcTypedData {
  if (typeof value === 'string') return { string: value };
  if (typeof value === 'number') return Number.isInteger(value) ? { int: value } : { double: value };
  if (value instanceof Uint8Array) return { bytes: value };
  return { json: JSON.stringify(value ?? null) };
}

// And back, as the host reads a return value (`ToObject`).
function fromTypedData(data: RpcTypedData | null | undefined): unknown {
  if (data === null || data === undefined) return undefined;
  if (typeof data.string === 'string') return data.string;
  if (typeof data.json === 'string') return JSON.parse(data.json) as unknown;
  if (data.bytes !== null && data.bytes !== undefined) return data.bytes;
  if (typeof data.int === 'number') return data.int;
  if (typeof data.double === 'number') return data.double;
  return undefined;
}

function triggerBinding(fn: RegisteredFunction): [string, RpcBindingInfo] {
  return Object.entries(fn.metadata.bindings).find(
    ([, binding]) => binding.type?.toLowerCase() === 'signalrtrigger',
  ) as [string, RpcBindingInfo];
}

function firstValues(query: string): Record<string, string> {
  const result: Record<string, string> = {};
  for (const [name, value] of new URLSearchParams(query.startsWith('?') ? query.slice(1) : query))
    if (!(name in result)) result[name] = value;
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
  functions: readonly RegisteredFunction[],
  invoke: InvokeTrigger,
  logger: EmulatorLogger,
): Promise<number> {
  const header = (name: string): string => text(request.headers[name]);
  const hub = header('x-asrs-hub');
  const category = header('x-asrs-category');
  const event = header('x-asrs-event');
  const connectionId = header('x-asrs-connection-id');
  if (hub === '' || category === '' || event === '' || connectionId === '') {
    return answer(
      response,
      400,
      'Bad request: the X-ASRS-Hub, X-ASRS-Category, X-ASRS-Event and X-ASRS-Connection-Id headers are required.',
    );
  }
  const found = functions
    .map((candidate) => ({ fn: candidate, trigger: triggerBinding(candidate) }))
    .find(
      ({ trigger: [, binding] }) =>
        same(text(binding.hubName), hub) && same(text(binding.category), category) && same(text(binding.event), event),
    );
  if (found === undefined)
    return answer(
      response,
      404,
      `No signalRTrigger function for hub '${hub}', category '${category}', event '${event}'.`,
    );

  const { fn } = found;
  const [triggerName, binding] = found.trigger;
  const name = fn.metadata.name;
  const setting = text(binding.connectionStringSetting) || 'AzureSignalRConnectionString';
  let keys: string[];
  try {
    // The service signs with the key of the endpoint that holds the connection: any endpoint's key is good.
    keys = hubEndpointsFromSettings(setting).flatMap(({ endpoint }) =>
      endpoint.auth.type === 'key' ? [endpoint.auth.accessKey] : [],
    );
  } catch (error) {
    logger.error(`${name}: ${errorMessage(error)}`);
    return answer(response, 500);
  }
  // As the extension: the signature is checked with access keys; identity-based connections have none.
  if (
    keys.length > 0 &&
    !createSignatureValidator(keys).isValid(connectionId, request.headers['x-asrs-signature'] as string | undefined)
  ) {
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
        for (const [name, value] of Object.entries(parsed))
          if (name.toLowerCase() === 'error' && typeof value === 'string') disconnectError = value;
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

  const names = binding.parameterNames;
  if (Array.isArray(names) && protocol !== undefined && names.length !== args.length) {
    return complete({ error: argumentCountMessage(names.length, args.length) });
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers))
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(', ') : value;
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
  // The extension's binding data: the invocation's fields, and each named parameter with its argument.
  const triggerMetadata: Record<string, RpcTypedData> = {};
  if (Array.isArray(names))
    names.forEach((parameter, index) => {
      if (typeof parameter === 'string' && index < args.length) triggerMetadata[parameter] = toTypedData(args[index]);
    });
  try {
    const answer = await invoke(fn, [{ name: triggerName, data: toTypedData(invocation) }], triggerMetadata);
    return complete({ result: fromTypedData(answer.returnValue) });
  } catch (error) {
    logger.warn(`${name} failed: ${errorMessage(error)}`);
    if (same(category, 'connections')) return answer(response, same(event, 'connected') ? 403 : 200);
    return complete({ error: errorMessage(error) });
  }
}
