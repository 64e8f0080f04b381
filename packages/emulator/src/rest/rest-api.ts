import type { IncomingMessage, ServerResponse } from 'node:http';
import { isValidHubName } from '@serverless-hub/core';
import { errorDetail, errorMessage } from '@serverless-hub/core/upstream';
import { MessageType } from '@serverless-hub/core/protocol';
import { restAudienceRule } from '../auth/access-token-verifier.js';
import type { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import type { ClientConnection } from '../client/client-connection.js';
import { BodyTooLargeError, bearerToken, mediaTypeOf, readBody } from '../http/http-utils.js';
import { OutboundMessage } from '../protocol/outbound-message.js';
import type { EmulatorLogger } from '../logging/emulator-logger.js';
import type { ConnectionRegistry } from '../service/connection-registry.js';
import { readRestMessage, restMessageFormat } from './rest-message.js';

// The core guard narrows its argument to `never` when false; the names here are strings already.
const validName = (name: string): boolean => isValidHubName(name);

/** REST bodies are limited to 1 MB by the service. */
const maxBodyBytes = 1024 * 1024;
const maxNameLength = 1024;

type Operation =
  | 'health'
  | 'broadcast'
  | 'closeAll'
  | 'closeConnection'
  | 'connectionExists'
  | 'sendToConnection'
  | 'removeConnectionFromAllGroups'
  | 'addConnectionToGroup'
  | 'removeConnectionFromGroup'
  | 'groupExists'
  | 'sendToGroup'
  | 'closeGroup'
  | 'userExists'
  | 'sendToUser'
  | 'closeUser'
  | 'removeUserFromAllGroups'
  | 'userInGroup'
  | 'addUserToGroup'
  | 'removeUserFromGroup'
  | 'invokeConnection'
  | 'sendToStream'
  | 'completeStream'
  | 'listGroupConnections';

interface Route {
  readonly segments: readonly string[];
  readonly methods: Readonly<Partial<Record<string, Operation>>>;
}

const exists = (operation: Operation): Partial<Record<string, Operation>> => ({ HEAD: operation, GET: operation });

// Every route of the 2022-06-01 spec, plus the older forms the official emulator also serves
// (sends without `:send`, and the group/user and connection/group path orders).
const routes: readonly Route[] = [
  { segments: ['health'], methods: exists('health') },
  { segments: ['hubs', '{hub}'], methods: { POST: 'broadcast' } },
  { segments: ['hubs', '{hub}', ':send'], methods: { POST: 'broadcast' } },
  { segments: ['hubs', '{hub}', ':closeConnections'], methods: { POST: 'closeAll' } },
  {
    segments: ['hubs', '{hub}', 'connections', '{connection}'],
    methods: { ...exists('connectionExists'), DELETE: 'closeConnection', POST: 'sendToConnection' },
  },
  { segments: ['hubs', '{hub}', 'connections', '{connection}', ':send'], methods: { POST: 'sendToConnection' } },
  {
    segments: ['hubs', '{hub}', 'connections', '{connection}', 'groups'],
    methods: { DELETE: 'removeConnectionFromAllGroups' },
  },
  {
    segments: ['hubs', '{hub}', 'connections', '{connection}', 'groups', '{group}'],
    methods: { PUT: 'addConnectionToGroup', DELETE: 'removeConnectionFromGroup' },
  },
  { segments: ['hubs', '{hub}', 'groups', '{group}'], methods: { ...exists('groupExists'), POST: 'sendToGroup' } },
  { segments: ['hubs', '{hub}', 'groups', '{group}', ':send'], methods: { POST: 'sendToGroup' } },
  { segments: ['hubs', '{hub}', 'groups', '{group}', ':closeConnections'], methods: { POST: 'closeGroup' } },
  {
    segments: ['hubs', '{hub}', 'groups', '{group}', 'connections', '{connection}'],
    methods: { PUT: 'addConnectionToGroup', DELETE: 'removeConnectionFromGroup' },
  },
  {
    segments: ['hubs', '{hub}', 'groups', '{group}', 'users', '{user}'],
    methods: { ...exists('userInGroup'), PUT: 'addUserToGroup', DELETE: 'removeUserFromGroup' },
  },
  { segments: ['hubs', '{hub}', 'users', '{user}'], methods: { ...exists('userExists'), POST: 'sendToUser' } },
  { segments: ['hubs', '{hub}', 'users', '{user}', ':send'], methods: { POST: 'sendToUser' } },
  { segments: ['hubs', '{hub}', 'users', '{user}', ':closeConnections'], methods: { POST: 'closeUser' } },
  { segments: ['hubs', '{hub}', 'users', '{user}', 'groups'], methods: { DELETE: 'removeUserFromAllGroups' } },
  {
    segments: ['hubs', '{hub}', 'users', '{user}', 'groups', '{group}'],
    methods: { ...exists('userInGroup'), PUT: 'addUserToGroup', DELETE: 'removeUserFromGroup' },
  },
  // 2024-12-01: client results, streams to a client, group member lists.
  { segments: ['hubs', '{hub}', 'connections', '{connection}', ':invoke'], methods: { POST: 'invokeConnection' } },
  {
    segments: ['hubs', '{hub}', 'connections', '{connection}', 'streams', '{stream}', ':send'],
    methods: { POST: 'sendToStream' },
  },
  {
    segments: ['hubs', '{hub}', 'connections', '{connection}', 'streams', '{stream}', ':complete'],
    methods: { POST: 'completeStream' },
  },
  { segments: ['hubs', '{hub}', 'groups', '{group}', 'connections'], methods: { GET: 'listGroupConnections' } },
];

interface Matched {
  readonly operation: Operation;
  readonly hub?: string;
  readonly connection?: string;
  readonly group?: string;
  readonly user?: string;
  readonly stream?: string;
}

/** An answer of the REST API. */
interface RestAnswer {
  readonly status: number;
  /** `x-ms-error-code`, for expected conditions and errors. */
  readonly errorCode?: string;
  readonly message?: string;
  /** For the log: how many connections a send or close reached. */
  readonly reached?: number;
  /** A success answer's JSON body (a client's result, a page of group members). */
  readonly body?: string;
}

class RestFailure extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    message: string,
  ) {
    super(message);
  }
}

function matchRoute(segments: readonly string[], method: string): Matched | 'method-not-allowed' | undefined {
  for (const route of routes) {
    if (route.segments.length !== segments.length) continue;
    const parameters: Record<string, string> = {};
    let matches = true;
    for (let index = 0; index < segments.length; index++) {
      const pattern = route.segments[index] as string;
      const segment = segments[index] as string;
      if (pattern.startsWith('{')) parameters[pattern.slice(1, -1)] = segment;
      else if (pattern.toLowerCase() !== segment.toLowerCase()) {
        matches = false;
        break;
      }
    }
    if (!matches) continue;
    const operation = route.methods[method];
    if (operation === undefined) return 'method-not-allowed';
    return { operation, ...parameters };
  }
  return undefined;
}

function decodeSegments(path: string): string[] {
  return path
    .split('/')
    .filter((segment) => segment !== '')
    .map((segment) => {
      try {
        return decodeURIComponent(segment);
      } catch {
        throw new RestFailure(
          400,
          'Error.InvalidArgument',
          `The path segment '${segment.slice(0, 100)}' is not valid percent-encoding.`,
        );
      }
    });
}

function checkName(value: string | undefined, what: 'group' | 'user' | 'connection'): string {
  if (
    value === undefined ||
    value === '' ||
    value.length > maxNameLength ||
    (what === 'group' && value.trim() === '')
  ) {
    throw new RestFailure(
      400,
      'Error.InvalidArgument',
      `Invalid ${what} name: it must have 1 to ${maxNameLength} characters${what === 'group' ? ', not all whitespace' : ''}.`,
    );
  }
  return value;
}

/**
 * The data-plane REST API of the service (2022-06-01 and the older `/api/v1` forms): sends, groups,
 * user groups, existence checks and closing connections, authorized by access tokens whose audience
 * is the request URL without its query.
 */
export class RestApi {
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly verifier: AccessTokenVerifier,
    private readonly logger: EmulatorLogger,
  ) {}

  async handle(request: IncomingMessage, response: ServerResponse, url: URL, restPath: string): Promise<void> {
    const started = performance.now();
    const method = request.method ?? 'GET';
    let answer: RestAnswer;
    try {
      answer = await this.answer(request, response, url, restPath, method);
    } catch (error) {
      if (error instanceof RestFailure)
        answer = { status: error.status, errorCode: error.errorCode, message: error.message };
      else {
        this.logger.error(`rest ${method} ${url.pathname} failed: ${errorDetail(error)}`);
        answer = { status: 500, errorCode: 'Error.Internal', message: 'The emulator failed to process the request.' };
      }
    }
    if (!request.readableEnded) request.resume();
    this.write(response, method, answer);
    const elapsed = (performance.now() - started).toFixed(1);
    const detail = answer.reached === undefined ? '' : ` reached=${answer.reached}`;
    const line = `rest ${method} ${url.pathname} -> ${answer.status}${answer.errorCode === undefined ? '' : ` ${answer.errorCode}`}${detail} in ${elapsed} ms`;
    if (answer.status >= 500) this.logger.error(line);
    else if (answer.status === 400 || answer.status === 401 || answer.status === 413 || answer.status === 415)
      this.logger.warn(`${line}: ${answer.message ?? ''}`);
    else this.logger.info(line);
  }

  private write(response: ServerResponse, method: string, answer: RestAnswer): void {
    response.statusCode = answer.status;
    if (answer.errorCode !== undefined) response.setHeader('x-ms-error-code', answer.errorCode);
    if (answer.status === 401) response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    if (answer.body !== undefined) {
      response.setHeader('Content-Type', 'application/json; charset=utf-8');
      response.setHeader('Content-Length', Buffer.byteLength(answer.body));
      response.end(answer.body);
      return;
    }
    if (answer.message === undefined || method === 'HEAD' || answer.status === 204) {
      response.end();
      return;
    }
    const body = JSON.stringify({ code: answer.errorCode, message: answer.message });
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(body));
    response.end(body);
  }

  private async answer(
    request: IncomingMessage,
    response: ServerResponse,
    url: URL,
    restPath: string,
    method: string,
  ): Promise<RestAnswer> {
    const matched = matchRoute(decodeSegments(restPath), method);
    if (matched === undefined)
      throw new RestFailure(404, 'Error.NotFound', `No REST API route matches ${method} ${url.pathname}.`);
    if (matched === 'method-not-allowed')
      throw new RestFailure(405, 'Error.MethodNotAllowed', `${method} is not allowed on ${url.pathname}.`);
    if (matched.operation === 'health') return { status: 200 };
    await this.authorize(request, url);

    const hubName = matched.hub ?? '';
    if (!validName(hubName)) {
      throw new RestFailure(
        400,
        'Error.InvalidArgument',
        `Invalid hub name '${hubName.slice(0, 130)}': it must start with a letter and contain only letters, digits and _\`,.[] (at most 128 characters).`,
      );
    }
    const application = url.searchParams.get('application');
    if (application !== null && application !== '' && !validName(application)) {
      throw new RestFailure(400, 'Error.InvalidArgument', `Invalid application name '${application.slice(0, 130)}'.`);
    }
    const hubKey = (application === null || application === '' ? hubName : `${application}_${hubName}`).toLowerCase();
    const hub = this.registry.hub(hubKey);
    const now = Date.now();
    const excluded = new Set(url.searchParams.getAll('excluded'));
    const reason = url.searchParams.get('reason') ?? undefined;

    switch (matched.operation) {
      case 'broadcast': {
        const message = await this.readMessage(request);
        return { status: 202, reached: fanOut(hub?.allConnections(), message, excluded) };
      }
      case 'sendToConnection': {
        const id = checkName(matched.connection, 'connection');
        const message = await this.readMessage(request);
        const connection = hub?.connection(id);
        connection?.send(message);
        return { status: 202, reached: connection === undefined ? 0 : 1 };
      }
      case 'sendToUser': {
        const user = checkName(matched.user, 'user');
        const message = await this.readMessage(request);
        return { status: 202, reached: fanOut(hub?.userConnectionsOf(user).values(), message, excluded) };
      }
      case 'sendToGroup': {
        const group = checkName(matched.group, 'group');
        const message = await this.readMessage(request);
        return { status: 202, reached: fanOut(hub?.groupMembers(group, now).values(), message, excluded) };
      }
      case 'closeAll':
        return {
          status: 204,
          reached: closeEach(hub === undefined ? [] : [...hub.allConnections()], excluded, reason),
        };
      case 'closeGroup': {
        const group = checkName(matched.group, 'group');
        return {
          status: 204,
          reached: closeEach(hub === undefined ? [] : [...hub.groupMembers(group, now)], excluded, reason),
        };
      }
      case 'closeUser': {
        const user = checkName(matched.user, 'user');
        return {
          status: 204,
          reached: closeEach(hub === undefined ? [] : [...hub.userConnectionsOf(user)], excluded, reason),
        };
      }
      case 'closeConnection': {
        const connection = hub?.connection(checkName(matched.connection, 'connection'));
        if (connection === undefined)
          return notExisting('Warning.Connection.NotExisted', 'The connection does not exist.');
        closeEach([connection], new Set(), reason);
        return { status: 200, reached: 1 };
      }
      case 'connectionExists':
        return hub?.connection(checkName(matched.connection, 'connection')) !== undefined
          ? { status: 200 }
          : notExisting('Warning.Connection.NotExisted', 'The connection does not exist.');
      case 'userExists':
        return hub?.hasUser(checkName(matched.user, 'user')) === true
          ? { status: 200 }
          : notExisting('Warning.User.NotExisted', 'The user has no connection.');
      case 'groupExists':
        return hub?.groupHasConnections(checkName(matched.group, 'group'), now) === true
          ? { status: 200 }
          : notExisting('Warning.Group.NotExisted', 'The group has no connection.');
      case 'userInGroup':
        return hub?.isUserInGroup(checkName(matched.user, 'user'), checkName(matched.group, 'group'), now) === true
          ? { status: 200 }
          : notExisting('Info.User.NotInGroup', 'The user is not in the group.');
      case 'addConnectionToGroup': {
        const group = checkName(matched.group, 'group');
        const connection = hub?.connection(checkName(matched.connection, 'connection'));
        if (hub === undefined || connection === undefined)
          return notExisting('Error.Connection.NotExisted', 'The connection does not exist.');
        hub.addToGroup(connection, group);
        return { status: 200 };
      }
      case 'removeConnectionFromGroup': {
        const group = checkName(matched.group, 'group');
        const connection = hub?.connection(checkName(matched.connection, 'connection'));
        if (hub === undefined || connection === undefined)
          return notExisting('Error.Connection.NotExisted', 'The connection does not exist.');
        hub.removeFromGroup(connection, group);
        return { status: 200 };
      }
      case 'removeConnectionFromAllGroups': {
        const connection = hub?.connection(checkName(matched.connection, 'connection'));
        if (hub !== undefined && connection !== undefined) hub.removeFromAllGroups(connection);
        return { status: 200 };
      }
      case 'addUserToGroup': {
        const user = checkName(matched.user, 'user');
        const group = checkName(matched.group, 'group');
        const ttl = parseTtl(url.searchParams.get('ttl'));
        this.registry.hubOrNew(hubKey).addUserToGroup(user, group, ttl, now);
        return { status: 200 };
      }
      case 'removeUserFromGroup':
        hub?.removeUserFromGroup(checkName(matched.user, 'user'), checkName(matched.group, 'group'));
        return { status: 204 };
      case 'removeUserFromAllGroups':
        hub?.removeUserFromAllGroups(checkName(matched.user, 'user'));
        return { status: 204 };
      case 'invokeConnection': {
        const connection = hub?.connection(checkName(matched.connection, 'connection'));
        const { message } = await this.readMessage(request);
        if (connection === undefined)
          return notExisting('Error.Connection.NotExisted', 'The connection does not exist.');
        if (message.type !== MessageType.Invocation)
          throw new RestFailure(400, 'Error.InvalidArgument', 'The message must be an invocation.');
        // A caller that gives up (closes the request) stops the wait for the client.
        const callerGone = new AbortController();
        response.once('close', () => {
          callerGone.abort();
        });
        return invokeClient(connection, message.target, message.arguments, callerGone.signal);
      }
      case 'sendToStream': {
        const connection = hub?.connection(checkName(matched.connection, 'connection'));
        const streamId = checkStreamId(matched.stream);
        const completed = parseCompleted(url.searchParams.get('completed'));
        const item = await readStreamItem(request);
        if (connection === undefined)
          return notExisting('Error.Connection.NotExisted', 'The connection does not exist.');
        if (!connection.takeStream(streamId, completed)) return notExisting('Error.Stream.NotExisted', streamGone);
        connection.send(new OutboundMessage({ type: MessageType.StreamItem, invocationId: streamId, item }));
        if (completed) connection.send(new OutboundMessage({ type: MessageType.Completion, invocationId: streamId }));
        return { status: 202, reached: 1 };
      }
      case 'completeStream': {
        const connection = hub?.connection(checkName(matched.connection, 'connection'));
        const streamId = checkStreamId(matched.stream);
        // The spec names the error `reason`; the Management SDK sends it as `error`: both are read.
        const error = url.searchParams.get('reason') ?? url.searchParams.get('error');
        if (connection === undefined)
          return notExisting('Error.Connection.NotExisted', 'The connection does not exist.');
        if (!connection.takeStream(streamId, true)) return notExisting('Error.Stream.NotExisted', streamGone);
        connection.send(
          new OutboundMessage(
            error === null || error === ''
              ? { type: MessageType.Completion, invocationId: streamId }
              : { type: MessageType.Completion, invocationId: streamId, error },
          ),
        );
        return { status: 202, reached: 1 };
      }
      case 'listGroupConnections': {
        const group = checkName(matched.group, 'group');
        const members = hub === undefined ? [] : [...hub.groupMembers(group, now)];
        return listGroupPage(members, url, url.pathname, request.headers.host);
      }
    }
    throw new RestFailure(404, 'Error.NotFound', `No REST API route matches ${method} ${url.pathname}.`);
  }

  private async authorize(request: IncomingMessage, url: URL): Promise<void> {
    const token = bearerToken(request, new URLSearchParams());
    if (token === undefined) {
      throw new RestFailure(
        401,
        'Error.Unauthorized',
        "No access token: send 'Authorization: Bearer <JWT>' signed with the access key, audience = the request URL without its query.",
      );
    }
    const host = request.headers.host;
    const check = await this.verifier.verify(
      token,
      restAudienceRule(url.pathname, host),
      `http://${host ?? 'localhost'}${url.pathname}`,
    );
    if (!check.ok) throw new RestFailure(401, 'Error.Unauthorized', check.reason);
  }

  private async readMessage(request: IncomingMessage): Promise<OutboundMessage> {
    const mediaType = mediaTypeOf(request.headers['content-type']);
    const format = restMessageFormat(mediaType);
    if (format === undefined) {
      throw new RestFailure(
        415,
        'Error.UnsupportedMediaType',
        `The content type '${mediaType.slice(0, 100)}' is not supported; send the message as application/json, or as application/octet-stream (a MessagePack map of protocol name to message).`,
      );
    }
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError)
        throw new RestFailure(413, 'Error.PayloadTooLarge', `The message is larger than ${maxBodyBytes} bytes.`);
      throw new RestFailure(400, 'Error.InvalidArgument', 'The request body could not be read.');
    }
    const read = readRestMessage(body, format);
    if (!read.ok) throw new RestFailure(400, 'Error.InvalidArgument', read.reason);
    return read.message;
  }
}

async function readStreamItem(request: IncomingMessage): Promise<unknown> {
  const mediaType = mediaTypeOf(request.headers['content-type']);
  if (
    mediaType !== '' &&
    mediaType !== 'application/json' &&
    mediaType !== 'text/json' &&
    !mediaType.endsWith('+json')
  ) {
    throw new RestFailure(
      415,
      'Error.UnsupportedMediaType',
      `The content type '${mediaType.slice(0, 100)}' is not supported; send the stream item as application/json.`,
    );
  }
  let body: Buffer;
  try {
    body = await readBody(request, maxBodyBytes);
  } catch (error) {
    if (error instanceof BodyTooLargeError)
      throw new RestFailure(413, 'Error.PayloadTooLarge', `The stream item is larger than ${maxBodyBytes} bytes.`);
    throw new RestFailure(400, 'Error.InvalidArgument', 'The request body could not be read.');
  }
  // The Management SDK writes the item itself as the body (`null` for none).
  if (body.length === 0) return null;
  try {
    return JSON.parse(body.toString('utf8')) as unknown;
  } catch (error) {
    throw new RestFailure(400, 'Error.InvalidArgument', `The stream item is not valid JSON: ${errorMessage(error)}`);
  }
}

/** How long the service keeps a client invocation waiting (Azure/azure-signalr `specs/ClientInvocation.md`). */
const clientInvocationLimitMs = 10 * 60 * 1000;

async function invokeClient(
  connection: ClientConnection,
  target: string,
  args: readonly unknown[],
  callerGone: AbortSignal,
): Promise<RestAnswer> {
  const pending = connection.invokeClient(target, args, clientInvocationLimitMs, callerGone);
  if (pending === undefined) {
    throw new RestFailure(
      429,
      'Error.ClientInvocation.TooMany',
      'The connection has too many invocations waiting for its answer.',
    );
  }
  const outcome = await pending;
  switch (outcome.kind) {
    case 'result':
      return { status: 200, reached: 1, body: outcome.hasResult ? `{"result":${jsonOfResult(outcome.result)}}` : '{}' };
    case 'error':
      return { status: 400, errorCode: 'Error.ClientInvocation.Failed', message: outcome.error };
    case 'closed':
      return {
        status: 410,
        errorCode: 'Error.ClientInvocation.ConnectionClosed',
        message: 'The connection closed before the client answered the invocation.',
      };
    case 'timeout':
      return {
        status: 504,
        errorCode: 'Error.ClientInvocation.Timeout',
        message: 'The client did not answer the invocation in time.',
      };
    case 'cancelled':
      return { status: 499, errorCode: 'Error.ClientInvocation.Cancelled', message: 'The caller closed the request.' };
  }
}

/**
 * A client's result as JSON. A MessagePack client may answer with what JSON has no form for: binary
 * (written as base64, as .NET serializes byte arrays), 64-bit integers beyond 2^53 (as decimal numbers).
 */
function jsonOfResult(result: unknown): string {
  const json = JSON.stringify(toJsonValue(result)) as string | undefined;
  // A client's `undefined` has no JSON form; the client answered, so its result is null.
  return json ?? 'null';
}

// Before JSON.stringify, which would turn a Buffer into {"type":"Buffer",...} through its toJSON.
function toJsonValue(value: unknown): unknown {
  if (value instanceof Uint8Array)
    return Buffer.from(value.buffer, value.byteOffset, value.byteLength).toString('base64');
  if (typeof value === 'bigint')
    return value >= BigInt(Number.MIN_SAFE_INTEGER) && value <= BigInt(Number.MAX_SAFE_INTEGER)
      ? Number(value)
      : value.toString();
  if (Array.isArray(value)) return value.map(toJsonValue);
  if (value instanceof Map)
    return Object.fromEntries([...value].map(([key, entry]: [unknown, unknown]) => [String(key), toJsonValue(entry)]));
  if (typeof value === 'object' && value !== null && !(value instanceof Date)) {
    return Object.fromEntries(Object.entries(value).map(([key, entry]) => [key, toJsonValue(entry)]));
  }
  return value;
}

const maxStreamIdLength = 100;

const streamGone = 'The stream does not exist: the client did not open it, cancelled it, or it was completed.';

function checkStreamId(value: string | undefined): string {
  if (value === undefined || value === '' || value.length > maxStreamIdLength || value.trim() === '') {
    throw new RestFailure(
      400,
      'Error.InvalidArgument',
      `Invalid stream id: it must have 1 to ${maxStreamIdLength} characters, not all whitespace.`,
    );
  }
  return value;
}

function parseCompleted(text: string | null): boolean {
  if (text === null || text === '') return false;
  const lower = text.toLowerCase();
  if (lower === 'true') return true;
  if (lower === 'false') return false;
  throw new RestFailure(
    400,
    'Error.InvalidArgument',
    `Invalid completed '${text.slice(0, 30)}': expected true or false.`,
  );
}

const defaultPageSize = 200;

function parseBoundedInteger(text: string | null, name: string, max: number): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) < 1 || Number(text) > max) {
    throw new RestFailure(
      400,
      'Error.InvalidArgument',
      `Invalid ${name} '${text.slice(0, 30)}': expected a whole number from 1 to ${max}.`,
    );
  }
  return Number(text);
}

/**
 * One page of a group's connections, ordered by connection id. The continuation token is the last id of
 * the page (base64url), so a page goes on after it even when members joined or left in between.
 */
function listGroupPage(members: ClientConnection[], url: URL, path: string, host: string | undefined): RestAnswer {
  const params = url.searchParams;
  // Query parameter names are case-insensitive to the service (the Management SDK sends `maxPageSize`).
  const get = (name: string): string | null => {
    for (const [key, value] of params) if (key.toLowerCase() === name) return value;
    return null;
  };
  const pageSize = parseBoundedInteger(get('maxpagesize'), 'maxpagesize', defaultPageSize) ?? defaultPageSize;
  const top = parseBoundedInteger(get('top'), 'top', 2_147_483_647);
  const token = get('continuationtoken');
  let after: string | undefined;
  if (token !== null && token !== '') {
    after = Buffer.from(token, 'base64url').toString('utf8');
    if (after === '' || Buffer.from(after, 'utf8').toString('base64url') !== token) {
      throw new RestFailure(
        400,
        'Error.InvalidArgument',
        'Invalid continuationToken: pass the token of the previous page as it came.',
      );
    }
  }
  const ids = members.map((member) => member.id).sort();
  const start = after === undefined ? 0 : ids.findIndex((id) => id > after);
  const remaining = start < 0 ? [] : ids.slice(start);
  const page = remaining.slice(0, top === undefined ? pageSize : Math.min(pageSize, top));
  const byId = new Map(members.map((member) => [member.id, member]));
  const value = page.map((id) => {
    const userId = byId.get(id)?.userId;
    return userId === undefined ? { connectionId: id } : { connectionId: id, userId };
  });
  const last = page[page.length - 1];
  const more = last !== undefined && remaining.length > page.length && (top === undefined || top > page.length);
  let nextLink: string | undefined;
  if (more) {
    const next = new URLSearchParams();
    if (top !== undefined) next.set('top', String(top - page.length));
    next.set('maxpagesize', String(pageSize));
    next.set('continuationToken', Buffer.from(last, 'utf8').toString('base64url'));
    const application = params.get('application');
    if (application !== null) next.set('application', application);
    next.set('api-version', params.get('api-version') ?? '2024-12-01');
    nextLink = `http://${host ?? 'localhost'}${path}?${next.toString()}`;
  }
  return {
    status: 200,
    reached: value.length,
    body: JSON.stringify(nextLink === undefined ? { value } : { value, nextLink }),
  };
}

function notExisting(errorCode: string, message: string): RestAnswer {
  return { status: 404, errorCode, message };
}

function parseTtl(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 2_147_483_647) {
    throw new RestFailure(
      400,
      'Error.InvalidArgument',
      `Invalid ttl '${text.slice(0, 30)}': it must be a whole number of seconds, 0 or more.`,
    );
  }
  return Number(text);
}

function fanOut(
  connections: Iterable<ClientConnection> | undefined,
  message: OutboundMessage,
  excluded: ReadonlySet<string>,
): number {
  if (connections === undefined) return 0;
  let reached = 0;
  for (const connection of connections) {
    if (excluded.size > 0 && excluded.has(connection.id)) continue;
    connection.send(message);
    reached++;
  }
  return reached;
}

function closeEach(
  connections: readonly ClientConnection[],
  excluded: ReadonlySet<string>,
  reason: string | undefined,
): number {
  let closed = 0;
  for (const connection of connections) {
    if (excluded.has(connection.id)) continue;
    connection.close({
      sendCloseMessage: true,
      reason: reason === undefined ? 'closed through the REST API' : `closed through the REST API: ${reason}`,
      ...(reason === undefined || reason === '' ? {} : { error: reason }),
    });
    closed++;
  }
  return closed;
}
