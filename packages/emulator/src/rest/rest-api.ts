import type { IncomingMessage, ServerResponse } from 'node:http';
import { errorDetail, errorMessage, isValidHubName, MessageType } from '@serverless-hub/core';
import { restAudienceRule } from '../auth/access-token-verifier.js';
import type { ClientConnection } from '../client/client-connection.js';
import { BodyTooLargeError, bearerToken, mediaTypeOf, readBody } from '../http/http-utils.js';
import { OutboundMessage } from '../protocol/outbound-message.js';
import type { EmulatorContext } from '../service/emulator-context.js';

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
  | 'removeUserFromGroup';

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
  { segments: ['hubs', '{hub}', 'connections', '{connection}'], methods: { ...exists('connectionExists'), DELETE: 'closeConnection', POST: 'sendToConnection' } },
  { segments: ['hubs', '{hub}', 'connections', '{connection}', ':send'], methods: { POST: 'sendToConnection' } },
  { segments: ['hubs', '{hub}', 'connections', '{connection}', 'groups'], methods: { DELETE: 'removeConnectionFromAllGroups' } },
  { segments: ['hubs', '{hub}', 'connections', '{connection}', 'groups', '{group}'], methods: { PUT: 'addConnectionToGroup', DELETE: 'removeConnectionFromGroup' } },
  { segments: ['hubs', '{hub}', 'groups', '{group}'], methods: { ...exists('groupExists'), POST: 'sendToGroup' } },
  { segments: ['hubs', '{hub}', 'groups', '{group}', ':send'], methods: { POST: 'sendToGroup' } },
  { segments: ['hubs', '{hub}', 'groups', '{group}', ':closeConnections'], methods: { POST: 'closeGroup' } },
  { segments: ['hubs', '{hub}', 'groups', '{group}', 'connections', '{connection}'], methods: { PUT: 'addConnectionToGroup', DELETE: 'removeConnectionFromGroup' } },
  { segments: ['hubs', '{hub}', 'groups', '{group}', 'users', '{user}'], methods: { ...exists('userInGroup'), PUT: 'addUserToGroup', DELETE: 'removeUserFromGroup' } },
  { segments: ['hubs', '{hub}', 'users', '{user}'], methods: { ...exists('userExists'), POST: 'sendToUser' } },
  { segments: ['hubs', '{hub}', 'users', '{user}', ':send'], methods: { POST: 'sendToUser' } },
  { segments: ['hubs', '{hub}', 'users', '{user}', ':closeConnections'], methods: { POST: 'closeUser' } },
  { segments: ['hubs', '{hub}', 'users', '{user}', 'groups'], methods: { DELETE: 'removeUserFromAllGroups' } },
  { segments: ['hubs', '{hub}', 'users', '{user}', 'groups', '{group}'], methods: { ...exists('userInGroup'), PUT: 'addUserToGroup', DELETE: 'removeUserFromGroup' } },
];

interface Matched {
  readonly operation: Operation;
  readonly hub?: string;
  readonly connection?: string;
  readonly group?: string;
  readonly user?: string;
}

/** An answer of the REST API. */
interface RestAnswer {
  readonly status: number;
  /** `x-ms-error-code`, for expected conditions and errors. */
  readonly errorCode?: string;
  readonly message?: string;
  /** For the log: how many connections a send or close reached. */
  readonly reached?: number;
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
        throw new RestFailure(400, 'Error.InvalidArgument', `The path segment '${segment.slice(0, 100)}' is not valid percent-encoding.`);
      }
    });
}

function checkName(value: string | undefined, what: 'group' | 'user' | 'connection'): string {
  if (value === undefined || value === '' || value.length > maxNameLength || (what === 'group' && value.trim() === '')) {
    throw new RestFailure(400, 'Error.InvalidArgument', `Invalid ${what} name: it must have 1 to ${maxNameLength} characters${what === 'group' ? ', not all whitespace' : ''}.`);
  }
  return value;
}

/**
 * The data-plane REST API of the service (2022-06-01 and the older `/api/v1` forms): sends, groups,
 * user groups, existence checks and closing connections, authorized by access tokens whose audience
 * is the request URL without its query.
 */
export class RestApi {
  constructor(private readonly context: EmulatorContext) {}

  async handle(request: IncomingMessage, response: ServerResponse, url: URL, restPath: string): Promise<void> {
    const started = performance.now();
    const method = request.method ?? 'GET';
    let answer: RestAnswer;
    try {
      answer = await this.answer(request, url, restPath, method);
    } catch (error) {
      if (error instanceof RestFailure) answer = { status: error.status, errorCode: error.errorCode, message: error.message };
      else {
        this.context.logger.error(`rest ${method} ${url.pathname} failed: ${errorDetail(error)}`);
        answer = { status: 500, errorCode: 'Error.Internal', message: 'The emulator failed to process the request.' };
      }
    }
    if (!request.readableEnded) request.resume();
    this.write(response, method, answer);
    const elapsed = (performance.now() - started).toFixed(1);
    const detail = answer.reached === undefined ? '' : ` reached=${answer.reached}`;
    const line = `rest ${method} ${url.pathname} -> ${answer.status}${answer.errorCode === undefined ? '' : ` ${answer.errorCode}`}${detail} in ${elapsed} ms`;
    if (answer.status >= 500) this.context.logger.error(line);
    else if (answer.status === 400 || answer.status === 401 || answer.status === 413 || answer.status === 415) this.context.logger.warn(`${line}: ${answer.message ?? ''}`);
    else this.context.logger.info(line);
  }

  private write(response: ServerResponse, method: string, answer: RestAnswer): void {
    response.statusCode = answer.status;
    if (answer.errorCode !== undefined) response.setHeader('x-ms-error-code', answer.errorCode);
    if (answer.status === 401) response.setHeader('WWW-Authenticate', 'Bearer error="invalid_token"');
    if (answer.message === undefined || method === 'HEAD' || answer.status === 204) {
      response.end();
      return;
    }
    const body = JSON.stringify({ code: answer.errorCode, message: answer.message });
    response.setHeader('Content-Type', 'application/json; charset=utf-8');
    response.setHeader('Content-Length', Buffer.byteLength(body));
    response.end(body);
  }

  private async answer(request: IncomingMessage, url: URL, restPath: string, method: string): Promise<RestAnswer> {
    const matched = matchRoute(decodeSegments(restPath), method);
    if (matched === undefined) throw new RestFailure(404, 'Error.NotFound', `No REST API route matches ${method} ${url.pathname}.`);
    if (matched === 'method-not-allowed') throw new RestFailure(405, 'Error.MethodNotAllowed', `${method} is not allowed on ${url.pathname}.`);
    if (matched.operation === 'health') return { status: 200 };
    await this.authorize(request, url);

    const hubName = matched.hub ?? '';
    if (!validName(hubName)) {
      throw new RestFailure(400, 'Error.InvalidArgument', `Invalid hub name '${hubName.slice(0, 130)}': it must start with a letter and contain only letters, digits and _\`,.[] (at most 128 characters).`);
    }
    const application = url.searchParams.get('application');
    if (application !== null && application !== '' && !validName(application)) {
      throw new RestFailure(400, 'Error.InvalidArgument', `Invalid application name '${application.slice(0, 130)}'.`);
    }
    const hubKey = (application === null || application === '' ? hubName : `${application}_${hubName}`).toLowerCase();
    const hub = this.context.existingHub(hubKey);
    const now = Date.now();
    const excluded = new Set(url.searchParams.getAll('excluded'));
    const reason = url.searchParams.get('reason') ?? undefined;

    switch (matched.operation) {
      case 'broadcast': {
        const message = await this.readMessage(request);
        return { status: 202, reached: fanOut(hub?.connections.values(), message, excluded) };
      }
      case 'sendToConnection': {
        const id = checkName(matched.connection, 'connection');
        const message = await this.readMessage(request);
        const connection = hub?.connections.get(id);
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
        return { status: 204, reached: closeEach(hub === undefined ? [] : [...hub.connections.values()], excluded, reason) };
      case 'closeGroup': {
        const group = checkName(matched.group, 'group');
        return { status: 204, reached: closeEach(hub === undefined ? [] : [...hub.groupMembers(group, now)], excluded, reason) };
      }
      case 'closeUser': {
        const user = checkName(matched.user, 'user');
        return { status: 204, reached: closeEach(hub === undefined ? [] : [...hub.userConnectionsOf(user)], excluded, reason) };
      }
      case 'closeConnection': {
        const connection = hub?.connections.get(checkName(matched.connection, 'connection'));
        if (connection === undefined) return notExisting('Warning.Connection.NotExisted', 'The connection does not exist.');
        closeEach([connection], new Set(), reason);
        return { status: 200, reached: 1 };
      }
      case 'connectionExists':
        return hub?.connections.has(checkName(matched.connection, 'connection')) === true
          ? { status: 200 }
          : notExisting('Warning.Connection.NotExisted', 'The connection does not exist.');
      case 'userExists':
        return hub?.hasUser(checkName(matched.user, 'user')) === true ? { status: 200 } : notExisting('Warning.User.NotExisted', 'The user has no connection.');
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
        const connection = hub?.connections.get(checkName(matched.connection, 'connection'));
        if (hub === undefined || connection === undefined) return notExisting('Error.Connection.NotExisted', 'The connection does not exist.');
        hub.addToGroup(connection, group);
        return { status: 200 };
      }
      case 'removeConnectionFromGroup': {
        const group = checkName(matched.group, 'group');
        const connection = hub?.connections.get(checkName(matched.connection, 'connection'));
        if (hub === undefined || connection === undefined) return notExisting('Error.Connection.NotExisted', 'The connection does not exist.');
        hub.removeFromGroup(connection, group);
        return { status: 200 };
      }
      case 'removeConnectionFromAllGroups': {
        const connection = hub?.connections.get(checkName(matched.connection, 'connection'));
        if (hub !== undefined && connection !== undefined) hub.removeFromAllGroups(connection);
        return { status: 200 };
      }
      case 'addUserToGroup': {
        const user = checkName(matched.user, 'user');
        const group = checkName(matched.group, 'group');
        const ttl = parseTtl(url.searchParams.get('ttl'));
        this.context.hub(hubKey).addUserToGroup(user, group, ttl, now);
        return { status: 200 };
      }
      case 'removeUserFromGroup':
        hub?.removeUserFromGroup(checkName(matched.user, 'user'), checkName(matched.group, 'group'));
        return { status: 204 };
      case 'removeUserFromAllGroups':
        hub?.removeUserFromAllGroups(checkName(matched.user, 'user'));
        return { status: 204 };
    }
    throw new RestFailure(404, 'Error.NotFound', `No REST API route matches ${method} ${url.pathname}.`);
  }

  private async authorize(request: IncomingMessage, url: URL): Promise<void> {
    const token = bearerToken(request, new URLSearchParams());
    if (token === undefined) {
      throw new RestFailure(401, 'Error.Unauthorized', "No access token: send 'Authorization: Bearer <JWT>' signed with the access key, audience = the request URL without its query.");
    }
    const host = request.headers.host;
    const check = await this.context.verifier.verify(token, restAudienceRule(url.pathname, host), `http://${host ?? 'localhost'}${url.pathname}`);
    if (!check.ok) throw new RestFailure(401, 'Error.Unauthorized', check.reason);
  }

  private async readMessage(request: IncomingMessage): Promise<OutboundMessage> {
    const mediaType = mediaTypeOf(request.headers['content-type']);
    if (mediaType !== '' && mediaType !== 'application/json' && mediaType !== 'text/json' && !mediaType.endsWith('+json')) {
      throw new RestFailure(415, 'Error.UnsupportedMediaType', `The content type '${mediaType.slice(0, 100)}' is not supported; send the message as application/json.`);
    }
    let body: Buffer;
    try {
      body = await readBody(request, maxBodyBytes);
    } catch (error) {
      if (error instanceof BodyTooLargeError) throw new RestFailure(413, 'Error.PayloadTooLarge', `The message is larger than ${maxBodyBytes} bytes.`);
      throw new RestFailure(400, 'Error.InvalidArgument', 'The request body could not be read.');
    }
    let payload: unknown;
    try {
      payload = JSON.parse(body.toString('utf8'));
    } catch (error) {
      throw new RestFailure(400, 'Error.InvalidArgument', `The message is not valid JSON: ${errorMessage(error)}`);
    }
    if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) {
      throw new RestFailure(400, 'Error.InvalidArgument', 'The message must be a JSON object {"target": "...", "arguments": [...]}.');
    }
    const { target, arguments: args } = payload as { target?: unknown; arguments?: unknown };
    if (typeof target !== 'string' || target === '') throw new RestFailure(400, 'Error.InvalidArgument', "The message must have a non-empty string 'target'.");
    if (args !== undefined && args !== null && !Array.isArray(args)) throw new RestFailure(400, 'Error.InvalidArgument', "The message's 'arguments' must be an array.");
    return new OutboundMessage({ type: MessageType.Invocation, target, arguments: (args ?? []) as unknown[] });
  }
}

function notExisting(errorCode: string, message: string): RestAnswer {
  return { status: 404, errorCode, message };
}

function parseTtl(text: string | null): number | undefined {
  if (text === null || text === '') return undefined;
  if (!/^\d+$/.test(text) || Number(text) > 2_147_483_647) {
    throw new RestFailure(400, 'Error.InvalidArgument', `Invalid ttl '${text.slice(0, 30)}': it must be a whole number of seconds, 0 or more.`);
  }
  return Number(text);
}

function fanOut(connections: Iterable<ClientConnection> | undefined, message: OutboundMessage, excluded: ReadonlySet<string>): number {
  if (connections === undefined) return 0;
  let reached = 0;
  for (const connection of connections) {
    if (excluded.size > 0 && excluded.has(connection.id)) continue;
    connection.send(message);
    reached++;
  }
  return reached;
}

function closeEach(connections: readonly ClientConnection[], excluded: ReadonlySet<string>, reason: string | undefined): number {
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

