import type { HttpRequest } from '@azure/functions';
import {
  Hub,
  HubError,
  Negotiate,
  ServerlessHub,
  ServerlessHubError,
  UseFilters,
  Validate,
  createClaimsVerifier,
} from '@serverless-hub/core';
import type { ClaimsVerifier, ConnectionInfo } from '@serverless-hub/core';
import { adminOnly } from './admin-only.js';
import { MAX_NAME_LENGTH, chatName, countdownStart, messageText } from './chat-input.js';
import { claimsFromToken } from './claims-from-token.js';

/** A chat message as clients receive it in `newMessage`. */
export interface ChatMessage {
  /** The sender's user id, else its connection id. */
  readonly from: string;
  readonly text: string;
  /** Set on messages to one user or one connection: who it was sent to. */
  readonly to?: string;
  /** Set on messages to a group. */
  readonly group?: string;
  /** Set on messages sent with `adminBroadcast`. */
  readonly admin?: true;
}

/** What the chat hub calls on its clients. */
export interface ChatClient {
  newMessage(message: ChatMessage): void;
  newConnection(event: { connectionId: string }): void;
  connectionClosed(event: { connectionId: string }): void;
  /** Answers with the client's local time, as text (a client result: `askTime` awaits it). */
  localTime(): string;
}

/** How long `askTime` waits for the other client's answer. */
export const ASK_TIME_TIMEOUT_MS = 10_000;
/** `groupMembers` lists at most this many connections. */
export const MAX_LISTED_MEMBERS = 1000;

/**
 * What a send to one user, connection or group answers: whether anyone was there to receive it. The
 * service accepts sends to nobody without a word, so the hub asks it first.
 */
export interface Delivery {
  readonly delivered: boolean;
}

/** What `whoami` answers. */
export interface Identity {
  readonly connectionId: string;
  readonly userId: string | null;
  readonly claims: Readonly<Record<string, string>>;
}

/** The app setting holding the HS256 secret that bearer tokens given to negotiate are signed with. */
export const AUTH_SECRET_SETTING = 'CHAT_AUTH_SECRET';

// Read per negotiate (a cheap lookup), so that tests and a changed setting apply without a reload. An
// HMAC verifier holds nothing but the encoded secret, so making one for each negotiate that carries a
// token costs no more than a cache would (a JWKS verifier, which keeps fetched keys, is made once).
function bearerVerifier(): ClaimsVerifier {
  const secret = process.env[AUTH_SECRET_SETTING] ?? '';
  if (secret.trim() === '') {
    // A server-side configuration fault (500, logged), not the caller's: no token can be verified.
    throw new ServerlessHubError(
      'SETTING_MISSING',
      `A bearer token was sent to negotiate, but the app setting ${AUTH_SECRET_SETTING} is not set: set it to the HS256 secret the tokens are signed with.`,
    );
  }
  // The contract is HS256: a token signed with another algorithm is refused even with the right secret.
  return createClaimsVerifier({ secret, algorithms: ['HS256'] });
}

/** The claims of a bearer token the chat reads (`adminOnly`, and the page's admin badge). */
const USED_CLAIMS: readonly string[] = ['admin'];

function header(request: HttpRequest, name: string): string | undefined {
  const value = request.headers.get(name)?.trim();
  return value === undefined || value === '' ? undefined : value;
}

/**
 * The chat hub (`/api/chat/...`): broadcast, direct messages to users and connections, groups, an
 * echo, `whoami`, and an admin-only broadcast.
 *
 * @example
 * ```ts
 * // the app's entry file
 * registerHubs(app, [Chat]);
 * // a client
 * await connection.invoke('broadcast', 'hello');
 * ```
 */
@Hub('chat')
export class Chat extends ServerlessHub<ChatClient> {
  /**
   * The user id is the `x-ms-signalr-user-id` header, else App Service authentication's
   * `x-ms-client-principal-id`, else none. A bearer token, when sent, must verify with
   * `CHAT_AUTH_SECRET` (else 401), and its claims become the connection's claims.
   */
  @Negotiate()
  async connect(request: HttpRequest): Promise<ConnectionInfo> {
    const userId = header(request, 'x-ms-signalr-user-id') ?? header(request, 'x-ms-client-principal-id');
    if (userId !== undefined && userId.length > MAX_NAME_LENGTH) {
      // Answered 400 with this message: the caller chose the name.
      throw new HubError(`The user id is ${userId.length} characters long; at most ${MAX_NAME_LENGTH} are allowed.`);
    }
    const authorization = header(request, 'authorization');
    // Only the claims the chat uses travel on: every claim copied is one more the service must pass on intact.
    const claims =
      authorization === undefined
        ? undefined
        : claimsFromToken(await this.getClaims(authorization, bearerVerifier()), USED_CLAIMS);
    return this.negotiate({
      ...(userId === undefined ? {} : { userId }),
      ...(claims === undefined ? {} : { claims }),
    });
  }

  async onConnected(): Promise<void> {
    await this.clients.all.newConnection({ connectionId: this.context.connectionId });
  }

  async onDisconnected(): Promise<void> {
    await this.clients.all.connectionClosed({ connectionId: this.context.connectionId });
  }

  async broadcast(@Validate(messageText) text: string): Promise<void> {
    await this.clients.all.newMessage({ from: this.#sender(), text });
  }

  async sendToUser(@Validate(chatName) userId: string, @Validate(messageText) text: string): Promise<Delivery> {
    if (!(await this.clientManager.userExists(userId, { signal: this.signal }))) return { delivered: false };
    await this.clients.user(userId).newMessage({ from: this.#sender(), text, to: userId });
    return { delivered: true };
  }

  async sendToConnection(
    @Validate(chatName) connectionId: string,
    @Validate(messageText) text: string,
  ): Promise<Delivery> {
    if (!(await this.clientManager.connectionExists(connectionId, { signal: this.signal })))
      return { delivered: false };
    await this.clients.client(connectionId).newMessage({ from: this.#sender(), text, to: connectionId });
    return { delivered: true };
  }

  async joinGroup(@Validate(chatName) group: string): Promise<void> {
    await this.groups.addToGroup(this.context.connectionId, group);
  }

  async leaveGroup(@Validate(chatName) group: string): Promise<void> {
    await this.groups.removeFromGroup(this.context.connectionId, group);
  }

  async sendToGroup(@Validate(chatName) group: string, @Validate(messageText) text: string): Promise<Delivery> {
    if (!(await this.clientManager.groupExists(group, { signal: this.signal }))) return { delivered: false };
    await this.clients.group(group).newMessage({ from: this.#sender(), text, group });
    return { delivered: true };
  }

  /** Asks another client for its local time (a client result) and answers the caller with it. */
  async askTime(@Validate(chatName) connectionId: string): Promise<string> {
    try {
      const time: unknown = await this.clients
        .client(connectionId)
        .invokeMessage('localTime', [], { timeoutMs: ASK_TIME_TIMEOUT_MS });
      if (typeof time !== 'string')
        throw new HubError(`${connectionId} answered localTime with something other than text.`);
      return time;
    } catch (error) {
      if (!(error instanceof ServerlessHubError)) throw error;
      // Why the other client did not answer is the caller's business; a REST failure stays in the log.
      switch (error.code) {
        case 'CLIENT_INVOCATION_NO_CONNECTION':
        case 'CLIENT_INVOCATION_DISCONNECTED':
          throw new HubError(`${connectionId} is not connected.`);
        case 'CLIENT_INVOCATION_TIMEOUT':
          throw new HubError(`${connectionId} did not answer within ${ASK_TIME_TIMEOUT_MS / 1000} s.`);
        case 'CLIENT_INVOCATION_FAILED':
          throw new HubError(`${connectionId} could not tell its time.`);
        default:
          throw error;
      }
    }
  }

  /**
   * Streams `n, n-1, …, 1` to the caller (`connection.stream('countdown', n)`): each number goes to the
   * caller's stream as the generator yields it, and a caller that cancels stops the generator.
   */
  async *countdown(@Validate(countdownStart) n: number): AsyncGenerator<number> {
    for (let value = n; value >= 1; value--) yield await Promise.resolve(value);
  }

  /** The connection ids in a group (at most {@link MAX_LISTED_MEMBERS}). */
  async groupMembers(@Validate(chatName) group: string): Promise<string[]> {
    const ids: string[] = [];
    for await (const member of this.groups.listConnections(group, { top: MAX_LISTED_MEMBERS }))
      ids.push(member.connectionId);
    return ids;
  }

  echo(value: unknown): unknown {
    return value;
  }

  whoami(): Identity {
    const { connectionId, userId, claims } = this.context;
    return { connectionId, userId: userId ?? null, claims };
  }

  @UseFilters(adminOnly)
  async adminBroadcast(@Validate(messageText) text: string): Promise<void> {
    await this.clients.all.newMessage({ from: this.#sender(), text, admin: true });
  }

  #sender(): string {
    return this.context.userId ?? this.context.connectionId;
  }
}
