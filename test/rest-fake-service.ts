// A local stand-in for the Azure SignalR Service data-plane REST API (2022-06-01), for the REST client
// tests: it records every request, checks its token like the service (HS256 over the access key, `aud` =
// the request URL without its query, `exp` required), and answers like the service, including the 404
// answers with `x-ms-error-code`. Tests replace `reply` to script failures.
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { jwtVerify } from 'jose';
import type { JWTPayload } from 'jose';
import type { ServiceEndpoint } from '@serverless-hub/core';

export const ACCESS_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';

export interface RecordedRequest {
  readonly method: string;
  /** The path as received (still escaped), without the query. */
  readonly path: string;
  /** The path's segments, unescaped. */
  readonly segments: readonly string[];
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
  /** The body's bytes (binary sends are not UTF-8). */
  readonly rawBody: Buffer;
  /** The verified token's claims, or undefined when the token failed verification (see `tokenError`). */
  readonly token: JWTPayload | undefined;
  readonly tokenError: string | undefined;
  /** The raw Authorization header value. */
  readonly authorization: string | undefined;
}

/** How the fake answers: a status (with error code and body), never (`hang`), or a dropped connection. */
export type Reply =
  { readonly status: number; readonly errorCode?: string; readonly body?: string } | 'hang' | 'destroy';

export interface ServiceState {
  readonly connections: Set<string>;
  readonly users: Set<string>;
  readonly groups: Set<string>;
  /** `${user}\n${group}` */
  readonly userGroups: Set<string>;
}

function notFound(errorCode: string): Reply {
  return { status: 404, errorCode, body: JSON.stringify({ code: errorCode, message: `${errorCode}.` }) };
}

/** The answers of the real service for a valid request, from the swagger and section 6 of the wire facts. */
export function serviceReply(request: RecordedRequest, state: ServiceState): Reply {
  const { method, segments } = request;
  if (segments[0] === 'api' && segments[1] === 'health' && segments.length === 2 && method === 'HEAD')
    return { status: 200 };
  if (segments[0] !== 'api' || segments[1] !== 'hubs' || segments.length < 3) return { status: 404 };
  const rest = segments.slice(3);
  const route = `${method} ${rest.map((segment, index) => (index % 2 === 1 && !segment.startsWith(':') ? '*' : segment)).join('/')}`;
  const [, first, , second] = rest;
  switch (route) {
    case 'POST :send':
    case 'POST connections/*/:send':
    case 'POST users/*/:send':
    case 'POST groups/*/:send':
      return { status: 202 };
    case 'POST :closeConnections':
    case 'POST groups/*/:closeConnections':
    case 'POST users/*/:closeConnections':
      return { status: 204 };
    case 'PUT groups/*/connections/*':
      return state.connections.has(second ?? '') ? { status: 200 } : notFound('Error.Connection.NotExisted');
    case 'DELETE groups/*/connections/*':
    case 'DELETE connections/*/groups':
      return { status: 200 };
    case 'DELETE connections/*':
      return state.connections.has(first ?? '') ? { status: 200 } : notFound('Warning.Connection.NotExisted');
    case 'HEAD connections/*':
      return state.connections.has(first ?? '') ? { status: 200 } : notFound('Warning.Connection.NotExisted');
    case 'HEAD users/*':
      return state.users.has(first ?? '') ? { status: 200 } : notFound('Warning.User.NotExisted');
    case 'HEAD groups/*':
      return state.groups.has(first ?? '') ? { status: 200 } : notFound('Warning.Group.NotExisted');
    case 'PUT users/*/groups/*':
      return { status: 200 };
    case 'DELETE users/*/groups/*':
    case 'DELETE users/*/groups':
      return { status: 204 };
    case 'HEAD users/*/groups/*':
      return state.userGroups.has(`${first ?? ''}\n${second ?? ''}`)
        ? { status: 200 }
        : notFound('Info.User.NotInGroup');
    default:
      return { status: 404 };
  }
}

export class FakeRestService {
  readonly requests: RecordedRequest[] = [];
  readonly state: ServiceState = { connections: new Set(), users: new Set(), groups: new Set(), userGroups: new Set() };
  /** Answer 401, as the service, when a token fails verification; off for Entra ID tokens. */
  checkTokens = true;
  /** TCP connections accepted so far. */
  connectionCount = 0;
  /** Replace to script answers; the default answers like the service. */
  reply: (request: RecordedRequest) => Reply = (request) => serviceReply(request, this.state);
  readonly #server: Server;
  readonly #sockets = new Set<Socket>();
  #port = 0;

  private constructor(private readonly key: string) {
    this.#server = createServer((request, response) => {
      this.#handle(request, response);
    });
    this.#server.on('connection', (socket: Socket) => {
      this.connectionCount++;
      this.#sockets.add(socket);
      socket.on('close', () => this.#sockets.delete(socket));
    });
  }

  static async start(key = ACCESS_KEY): Promise<FakeRestService> {
    const service = new FakeRestService(key);
    await new Promise<void>((resolve) => service.#server.listen(0, '127.0.0.1', resolve));
    service.#port = (service.#server.address() as AddressInfo).port;
    return service;
  }

  get port(): number {
    return this.#port;
  }

  get url(): string {
    return `http://127.0.0.1:${this.#port}`;
  }

  /** An AccessKey endpoint whose REST base is this server (optionally below `basePath`). */
  endpoint(basePath = ''): ServiceEndpoint {
    const url = this.url + basePath;
    return { endpoint: url, clientEndpoint: url, serverEndpoint: url, auth: { type: 'key', accessKey: this.key } };
  }

  async close(): Promise<void> {
    for (const socket of this.#sockets) socket.destroy();
    await new Promise<void>((resolve) => {
      this.#server.close(() => {
        resolve();
      });
    });
  }

  #handle(request: IncomingMessage, response: ServerResponse): void {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      void this.#answer(request, response, Buffer.concat(chunks));
    });
  }

  async #answer(request: IncomingMessage, response: ServerResponse, rawBody: Buffer): Promise<void> {
    const target = request.url ?? '/';
    const queryStart = target.indexOf('?');
    const path = queryStart === -1 ? target : target.slice(0, queryStart);
    const rawQuery = queryStart === -1 ? '' : target.slice(queryStart + 1);
    const authorization = request.headers.authorization;
    let token: JWTPayload | undefined;
    let tokenError: string | undefined;
    try {
      if (authorization?.startsWith('Bearer ') !== true) throw new Error('no bearer token');
      const verified = await jwtVerify(authorization.slice(7), new TextEncoder().encode(this.key), {
        audience: `${this.url}${path}`,
        algorithms: ['HS256'],
        requiredClaims: ['exp'],
      });
      token = verified.payload;
    } catch (error) {
      tokenError = error instanceof Error ? error.message : String(error);
    }
    const recorded: RecordedRequest = {
      method: request.method ?? '',
      path,
      segments: path
        .split('/')
        .slice(1)
        .map((segment) => decodeURIComponent(segment)),
      rawQuery,
      query: new URLSearchParams(rawQuery),
      headers: request.headers,
      body: rawBody.toString('utf8'),
      rawBody,
      token,
      tokenError,
      authorization,
    };
    this.requests.push(recorded);
    const reply: Reply =
      tokenError !== undefined && this.checkTokens
        ? { status: 401, body: JSON.stringify({ code: 'Error.Unauthorized', message: tokenError }) }
        : this.reply(recorded);
    if (reply === 'hang') return;
    if (reply === 'destroy') {
      request.socket.destroy();
      return;
    }
    const headers: Record<string, string> = {};
    if (reply.errorCode !== undefined) headers['x-ms-error-code'] = reply.errorCode;
    if (reply.body !== undefined) headers['content-type'] = 'application/json';
    response.writeHead(reply.status, headers);
    response.end(request.method === 'HEAD' ? undefined : reply.body);
  }
}
