import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import { isValidHubName } from '@serverless-hub/core';
import { WebSocketServer } from 'ws';
import { clientAudienceRule } from '../auth/access-token-verifier.js';
import type { AccessTokenVerifier } from '../auth/access-token-verifier.js';
import { BodyTooLargeError, bearerToken, readBody, sendJson, sendText } from '../http/http-utils.js';
import type { ConnectionRegistry } from '../service/connection-registry.js';
import { ClientConnection, newConnectionId } from './client-connection.js';
import type { ClientIdentity, ConnectionEnvironment } from './client-connection.js';
import { identityFromClaims } from './client-identity.js';
import { LongPollingTransport } from './transports/long-polling-transport.js';
import { ServerSentEventsTransport } from './transports/server-sent-events-transport.js';
import { WebSocketTransport } from './transports/websocket-transport.js';

// The core guard narrows its argument to `never` when false; the names here are strings already.
const validName = (name: string): boolean => isValidHubName(name);

type Authenticated =
  | { readonly ok: true; readonly hub: string; readonly identity: ClientIdentity }
  | { readonly ok: false; readonly status: number; readonly message: string };

const availableTransports = [
  { transport: 'WebSockets', transferFormats: ['Text', 'Binary'] },
  { transport: 'ServerSentEvents', transferFormats: ['Text'] },
  { transport: 'LongPolling', transferFormats: ['Text', 'Binary'] },
] as const;

/** The query the upstream sees as `X-ASRS-Client-Query`: the client's, without its token or poll stamp. */
function clientQueryOf(url: URL): string {
  const query = new URLSearchParams(url.search);
  query.delete('access_token');
  query.delete('_');
  const text = query.toString();
  return text === '' ? '' : `?${text}`;
}

function isEventStreamRequest(request: IncomingMessage): boolean {
  return (request.headers.accept ?? '').toLowerCase().includes('text/event-stream');
}

/**
 * The client endpoint, `/client`: negotiate, and the WebSockets, Server-Sent Events and long
 * polling transports of ASP.NET Core SignalR, with the service's access-token checks.
 */
export class ClientEndpoint {
  private readonly webSockets: WebSocketServer;

  /** `environment` is given to every connection; its lifecycle is normally `registry`. */
  constructor(
    private readonly registry: ConnectionRegistry,
    private readonly environment: ConnectionEnvironment,
    private readonly verifier: AccessTokenVerifier,
  ) {
    this.webSockets = new WebSocketServer({
      noServer: true,
      clientTracking: false,
      perMessageDeflate: false,
      maxPayload: environment.limits.maxMessageSize * 4,
    });
  }

  async handleRequest(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const path = url.pathname.endsWith('/') ? url.pathname.slice(0, -1) : url.pathname;
    if (path === '/client/negotiate') {
      if (request.method !== 'POST') {
        sendText(response, 405, 'Negotiate requires POST.', { Allow: 'POST' });
        return;
      }
      await this.negotiate(request, response, url);
      return;
    }
    switch (request.method) {
      case 'GET':
        await this.connectOrPoll(request, response, url);
        return;
      case 'POST':
        await this.receiveSend(request, response, url);
        return;
      case 'DELETE':
        await this.deleteConnection(request, response, url);
        return;
      default:
        sendText(response, 405, `${request.method ?? ''} is not allowed on the client endpoint.`, {
          Allow: 'GET, POST, DELETE',
        });
    }
  }

  async handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, url: URL): Promise<void> {
    const auth = await this.authenticate(request, url);
    if (!auth.ok) {
      rejectUpgrade(socket, auth.status, auth.message);
      return;
    }
    const token = url.searchParams.get('id');
    let connection: ClientConnection | undefined;
    if (token === null) {
      // skipNegotiation: the client connects straight away, without a negotiated connection.
      const id = newConnectionId();
      connection = new ClientConnection(id, id, auth.hub, auth.identity, this.environment);
    } else {
      const found = this.findStartable(token, auth);
      if (!found.ok) {
        rejectUpgrade(socket, found.status, found.message);
        return;
      }
      connection = found.connection;
    }
    const accepted = connection;
    this.webSockets.handleUpgrade(request, socket, head, (webSocket) => {
      if (accepted.phase !== 'negotiated') {
        webSocket.close(1008, 'Connection already started');
        return;
      }
      this.registry.add(accepted);
      accepted.attach(new WebSocketTransport(webSocket, accepted), clientQueryOf(url), auth.identity);
    });
  }

  close(): void {
    this.webSockets.close();
  }

  private async negotiate(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    request.resume();
    const auth = await this.authenticate(request, url);
    if (!auth.ok) {
      sendAuthFailure(response, auth);
      return;
    }
    const id = newConnectionId();
    const version = Number(url.searchParams.get('negotiateVersion') ?? '0');
    const token = version >= 1 ? newConnectionId() : id;
    const connection = new ClientConnection(id, token, auth.hub, auth.identity, this.environment);
    this.registry.add(connection);
    this.environment.logger.debug(
      `negotiate hub=${auth.hub} connection=${id}${auth.identity.userId === undefined ? '' : ` user=${auth.identity.userId}`}`,
    );
    sendJson(
      response,
      200,
      version >= 1
        ? { negotiateVersion: 1, connectionId: id, connectionToken: token, availableTransports }
        : { negotiateVersion: 0, connectionId: id, availableTransports },
    );
  }

  private async connectOrPoll(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const auth = await this.authenticate(request, url);
    if (!auth.ok) {
      sendAuthFailure(response, auth);
      return;
    }
    const token = url.searchParams.get('id');
    if (token === null) {
      sendText(response, 400, "The 'id' query parameter (the connection token from negotiate) is required.");
      return;
    }
    const connection = this.registry.byToken(token);
    if (
      connection?.transport instanceof LongPollingTransport &&
      connection.hubName === auth.hub &&
      !isEventStreamRequest(request)
    ) {
      if (!sameUser(connection, auth)) {
        sendText(response, 403, 'The access token is for another user than the connection.');
        return;
      }
      connection.transport.poll(response);
      return;
    }
    const found = this.findStartable(token, auth);
    if (!found.ok) {
      sendText(response, found.status, found.message);
      return;
    }
    const started = found.connection;
    if (isEventStreamRequest(request)) {
      started.attach(new ServerSentEventsTransport(response, started), clientQueryOf(url), auth.identity);
      return;
    }
    const transport = new LongPollingTransport(this.environment.limits.longPollingTimeoutMs);
    started.attach(transport, clientQueryOf(url), auth.identity);
    transport.poll(response);
  }

  private async receiveSend(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const auth = await this.authenticate(request, url);
    if (!auth.ok) {
      request.resume();
      sendAuthFailure(response, auth);
      return;
    }
    const connection = this.registry.byToken(url.searchParams.get('id') ?? '');
    if (connection === undefined || connection.hubName !== auth.hub || connection.phase === 'closed') {
      request.resume();
      sendText(response, 404, 'No Connection with that ID');
      return;
    }
    if (connection.transport === undefined) {
      request.resume();
      sendText(
        response,
        409,
        'The connection is not started yet: open it with a GET (Server-Sent Events or long polling) first.',
      );
      return;
    }
    if (connection.transport.name === 'WebSockets') {
      request.resume();
      sendText(response, 405, 'POST requests are not allowed for WebSocket connections.');
      return;
    }
    if (!sameUser(connection, auth)) {
      request.resume();
      sendText(response, 403, 'The access token is for another user than the connection.');
      return;
    }
    let body: Buffer;
    try {
      body = await readBody(request, this.environment.limits.maxMessageSize * 4);
    } catch (error) {
      if (error instanceof BodyTooLargeError) sendText(response, 413, error.message);
      else sendText(response, 400, 'The request body could not be read.');
      return;
    }
    connection.receive(body);
    sendText(response, 200, '');
  }

  private async deleteConnection(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    request.resume();
    const auth = await this.authenticate(request, url);
    if (!auth.ok) {
      sendAuthFailure(response, auth);
      return;
    }
    const token = url.searchParams.get('id') ?? '';
    const connection = this.registry.byToken(token);
    if (connection === undefined || connection.hubName !== auth.hub) {
      sendText(response, 404, 'No Connection with that ID');
      return;
    }
    if (!(connection.transport instanceof LongPollingTransport)) {
      sendText(response, 400, 'Cannot terminate this connection using the DELETE endpoint.');
      return;
    }
    if (!sameUser(connection, auth)) {
      sendText(response, 403, 'The access token is for another user than the connection.');
      return;
    }
    connection.transport.end();
    connection.transportClosed();
    // The token stays known for a while (see ClientConnection.close): a poll after the DELETE is answered
    // 204, the end of the connection, as ASP.NET Core answers it.
    sendText(response, 202, '');
  }

  private findStartable(
    token: string,
    auth: Extract<Authenticated, { ok: true }>,
  ):
    | { readonly ok: true; readonly connection: ClientConnection }
    | { readonly ok: false; readonly status: number; readonly message: string } {
    const connection = this.registry.byToken(token);
    if (connection === undefined || connection.hubName !== auth.hub || connection.phase === 'closed') {
      return { ok: false, status: 404, message: 'No Connection with that ID' };
    }
    if (connection.phase !== 'negotiated')
      return { ok: false, status: 409, message: 'The connection is already started with another request.' };
    if (!sameUser(connection, auth))
      return {
        ok: false,
        status: 403,
        message: 'The access token is for another user than the negotiated connection.',
      };
    return { ok: true, connection };
  }

  private async authenticate(request: IncomingMessage, url: URL): Promise<Authenticated> {
    const hubParameter = url.searchParams.get('hub');
    if (hubParameter === null || hubParameter === '') {
      return { ok: false, status: 400, message: "The 'hub' query parameter is required, e.g. /client/?hub=chat." };
    }
    if (!validName(hubParameter)) {
      return {
        ok: false,
        status: 400,
        message: `Invalid hub name '${hubParameter.slice(0, 130)}': it must start with a letter and contain only letters, digits and _\`,.[] (at most 128 characters).`,
      };
    }
    const hub = hubParameter.toLowerCase();
    const token = bearerToken(request, url.searchParams);
    if (token === undefined) {
      return {
        ok: false,
        status: 401,
        message:
          "Unauthorized: no access token. Send it as 'Authorization: Bearer <token>' or as the 'access_token' query parameter.",
      };
    }
    const host = request.headers.host;
    const check = await this.verifier.verify(
      token,
      clientAudienceRule(hub, host),
      `http://${host ?? 'localhost'}/client/?hub=${hub}`,
    );
    if (!check.ok) {
      this.environment.logger.info(`client request refused hub=${hub}: ${check.reason}`);
      return { ok: false, status: 401, message: `Unauthorized: ${check.reason}` };
    }
    return { ok: true, hub, identity: identityFromClaims(check.claims) };
  }
}

function sameUser(connection: ClientConnection, auth: Extract<Authenticated, { ok: true }>): boolean {
  return connection.identity.userId === auth.identity.userId;
}

function sendAuthFailure(response: ServerResponse, failure: Extract<Authenticated, { ok: false }>): void {
  const headers: Record<string, string> =
    failure.status === 401 ? { 'WWW-Authenticate': 'Bearer error="invalid_token"' } : {};
  sendText(response, failure.status, failure.message, headers);
}

function rejectUpgrade(socket: Duplex, status: number, message: string): void {
  const body = Buffer.from(message, 'utf8');
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${body.length}\r\nConnection: close\r\n${
      status === 401 ? 'WWW-Authenticate: Bearer error="invalid_token"\r\n' : ''
    }\r\n${message}`,
  );
}
