import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { createHubInvocationContext } from '../upstream/hub-invocation-context.js';
import type { HubInvocationContext, UpstreamCategory } from '../upstream/hub-invocation-context.js';

/** The event a `signalRTrigger` function was registered for. */
export interface SignalRTriggerEvent {
  readonly hub: string;
  readonly category: UpstreamCategory;
  readonly event: string;
}

function malformed(what: string): ServerlessHubError {
  return new ServerlessHubError('UPSTREAM_BAD_REQUEST', `The signalRTrigger invocation context is malformed: ${what}.`);
}

/** The object's properties by lowercased name: the host writes PascalCase, other writers camelCase. */
function byLowercaseName(value: object): Map<string, unknown> {
  const fields = new Map<string, unknown>();
  for (const [name, field] of Object.entries(value)) fields.set(name.toLowerCase(), field);
  return fields;
}

function optionalString(fields: Map<string, unknown>, name: string): string | undefined {
  const value = fields.get(name.toLowerCase());
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw malformed(`${name} must be a string`);
  return value;
}

/** A string map (`Headers`, `Query`, `Claims`); .NET may write a repeated value as an array. */
function stringMap(fields: Map<string, unknown>, name: string): Record<string, string | readonly string[]> | undefined {
  const value = fields.get(name.toLowerCase());
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'object' || Array.isArray(value)) throw malformed(`${name} must be an object of strings`);
  const result = Object.create(null) as Record<string, string | readonly string[]>;
  for (const [key, entry] of Object.entries(value as Record<string, unknown>)) {
    if (typeof entry === 'string') result[key] = entry;
    else if (Array.isArray(entry) && entry.every((item) => typeof item === 'string')) result[key] = entry;
    else if (entry !== null && entry !== undefined) throw malformed(`${name}.${key} must be a string`);
  }
  return result;
}

function joined(map: Record<string, string | readonly string[]> | undefined): Record<string, string> | undefined {
  if (map === undefined) return undefined;
  const result: Record<string, string> = {};
  for (const [key, value] of Object.entries(map)) result[key] = typeof value === 'string' ? value : value.join(', ');
  return result;
}

/**
 * Adapts the invocation context that the Functions host's SignalR extension passes to a non-.NET
 * `signalRTrigger` function — an object with PascalCase keys (`ConnectionId`, `UserId`, `Hub`,
 * `Category`, `Event`, `Arguments`, `Headers`, `Query`, `Claims`, `Error`) — to the same
 * {@link HubInvocationContext} the HTTP upstream path builds. Names are read case-insensitively; the
 * registered hub, category and event fill in what the host leaves out.
 *
 * @throws {ServerlessHubError} `UPSTREAM_BAD_REQUEST` naming the malformed field.
 */
export function contextFromSignalRTrigger(invocation: unknown, registered: SignalRTriggerEvent): HubInvocationContext {
  if (typeof invocation !== 'object' || invocation === null || Array.isArray(invocation)) {
    throw malformed('expected an object with ConnectionId, Hub, Category, Event and Arguments');
  }
  const fields = byLowercaseName(invocation);
  const connectionId = optionalString(fields, 'ConnectionId');
  if (connectionId === undefined) throw malformed('ConnectionId is missing');

  const rawArguments = fields.get('arguments');
  let args: readonly unknown[] = [];
  if (Array.isArray(rawArguments)) args = rawArguments;
  else if (rawArguments !== undefined && rawArguments !== null) throw malformed('Arguments must be an array');
  if (registered.category === 'connections') args = [];

  const headers = joined(stringMap(fields, 'Headers'));
  const contentType =
    headers === undefined
      ? undefined
      : Object.entries(headers).find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  return createHubInvocationContext({
    connectionId,
    userId: optionalString(fields, 'UserId'),
    hub: optionalString(fields, 'Hub') ?? registered.hub,
    category: registered.category,
    event:
      registered.category === 'connections' ? registered.event : (optionalString(fields, 'Event') ?? registered.event),
    claims: stringMap(fields, 'Claims'),
    query: stringMap(fields, 'Query'),
    headers,
    arguments: args,
    error: optionalString(fields, 'Error'),
    invocationId: optionalString(fields, 'InvocationId'),
    protocol: contentType?.toLowerCase().startsWith('application/x-msgpack') === true ? 'messagepack' : 'json',
  });
}
