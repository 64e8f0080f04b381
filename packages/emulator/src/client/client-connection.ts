import { randomBytes } from 'node:crypto';
import { errorMessage } from '@serverless-hub/core/upstream';
import {
  MessageType,
  parseHandshakeRequest,
  selectHubProtocol,
  writeHandshakeResponse,
} from '@serverless-hub/core/protocol';
import type {
  HubMessage,
  HubMessageReader,
  HubProtocol,
  InvocationMessage,
  StreamInvocationMessage,
} from '@serverless-hub/core/protocol';
import type { HubMember } from '../hub/hub-state.js';
import { pingFrame, rawFrame, unframe } from '../protocol/outbound-message.js';
import type { OutboundFrame, OutboundMessage } from '../protocol/outbound-message.js';
import type { EmulatorLogger } from '../logging/emulator-logger.js';
import type { EmulatorLimits } from '../service/emulator-limits.js';
import { connectionUpstreamHeaders } from '../upstream/upstream-headers.js';
import { UpstreamQueue } from '../upstream/upstream-queue.js';
import type { UpstreamServices, UpstreamSource } from '../upstream/upstream-queue.js';
import { ClientInvocations } from './client-invocations.js';
import type { ClientInvocationOutcome } from './client-invocations.js';
import type { ClientTransport, TransportName } from './client-transport.js';

/** Invocations one connection may owe an answer to at once; more are refused (the service's limit is unpublished). */
const MAX_PENDING_CLIENT_INVOCATIONS = 1000;

/** Streams one connection may have open at once; more are refused (the service's limit is unpublished). */
const MAX_OPEN_STREAMS = 100;

/** Who the client is, from its access token. */
export interface ClientIdentity {
  readonly userId: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
}

type Phase = 'negotiated' | 'handshaking' | 'connected' | 'closed';

/** How a connection ends. */
export interface CloseOptions {
  /** The error told to the client in its Close message (and to the upstream's disconnected event). */
  readonly error?: string;
  /** Send a Close message before closing the transport (not when the client is already gone). */
  readonly sendCloseMessage: boolean;
  readonly allowReconnect?: boolean;
  /** Why, for the log. */
  readonly reason: string;
}

/** Hears of a connection joining its hub (the handshake succeeded) and of its end. */
export interface ConnectionLifecycle {
  connected(connection: ClientConnection): void;
  /** `answerLatePolls`: the token must stay known for a while, so that a late poll hears the end. */
  closed(connection: ClientConnection, answerLatePolls: boolean): void;
}

/** What a connection needs of the emulator around it. */
export interface ConnectionEnvironment {
  readonly limits: EmulatorLimits;
  readonly logger: EmulatorLogger;
  /** The access keys that sign upstream requests. */
  readonly accessKeys: readonly string[];
  readonly upstream: UpstreamServices;
  readonly lifecycle: ConnectionLifecycle;
}

const noClaims: Readonly<Record<string, unknown>> = Object.freeze({});

/** A new random id in the form ASP.NET Core uses: 16 random bytes, base64url. */
export function newConnectionId(): string {
  return randomBytes(16).toString('base64url');
}

/**
 * One client connection of a hub, from negotiate to close: handshake, hub messages in and out,
 * keep-alive, the bounded outgoing buffer, and the ordered queue of upstream events.
 */
export class ClientConnection implements HubMember, UpstreamSource {
  readonly groups = new Set<string>();
  private readonly createdAt = Date.now();
  private currentPhase: Phase = 'negotiated';
  private attachedTransport: ClientTransport | undefined;
  private protocol: HubProtocol | undefined;
  private currentIdentity: ClientIdentity;
  private lastReceivedAt = 0;
  private lastSentAt = 0;
  /**
   * Whether the client timeout applies: as in ASP.NET Core, only once the client has sent a Ping (clients
   * that keep the connection alive otherwise, such as long polling ones, never do).
   */
  private clientTimeoutActive = false;
  private attachedAt = 0;
  private closedAt = 0;
  private headersForUpstream: Readonly<Record<string, string>> = noClaims as Readonly<Record<string, string>>;
  private clientQuery = '';
  private handshakeBuffer: Buffer | undefined;
  private reader: HubMessageReader | undefined;
  private upstream: UpstreamQueue | undefined;
  /** Whether the upstream was told of the connection, so it must hear of its end. */
  private announced = false;
  private readonly invocations = new ClientInvocations(MAX_PENDING_CLIENT_INVOCATIONS);
  /** The client's streams (`connection.stream(...)`) not yet completed or cancelled. */
  private readonly openStreams = new Set<string>();

  constructor(
    readonly id: string,
    readonly token: string,
    readonly hubName: string,
    identity: ClientIdentity,
    private readonly environment: ConnectionEnvironment,
  ) {
    this.currentIdentity = identity;
  }

  get phase(): Phase {
    return this.currentPhase;
  }

  /** The transport the client connected with; `undefined` until it does. */
  get transport(): ClientTransport | undefined {
    return this.attachedTransport;
  }

  /** Who the client is: from the negotiate's token, then from the token it connected with. */
  get identity(): ClientIdentity {
    return this.currentIdentity;
  }

  /** The `X-ASRS-*` headers of every upstream request of this connection, set when the handshake succeeds. */
  get upstreamHeaders(): Readonly<Record<string, string>> {
    return this.headersForUpstream;
  }

  get userId(): string | undefined {
    return this.identity.userId;
  }

  get contentType(): string {
    return this.protocol?.contentType ?? 'application/json';
  }

  get transportName(): TransportName | undefined {
    return this.transport?.name;
  }

  /** Binds the transport that the client connected with; the handshake comes next. */
  attach(transport: ClientTransport, clientQuery: string, identity: ClientIdentity): void {
    this.attachedTransport = transport;
    this.clientQuery = clientQuery;
    this.currentIdentity = identity;
    this.currentPhase = 'handshaking';
    this.attachedAt = Date.now();
    this.lastReceivedAt = this.attachedAt;
  }

  /**
   * Data from the client (a WebSocket frame, or the body of a POST). Whatever goes wrong while handling
   * it ends this connection only: an exception here would otherwise escape into the transport's event
   * handler and take the whole emulator down with every other client.
   */
  receive(chunk: Buffer): void {
    try {
      this.receiveData(chunk);
    } catch (error) {
      this.close({
        error: 'Connection closed with an error. The emulator could not handle a message from the client.',
        sendCloseMessage: true,
        reason: `failed to handle a message from the client: ${errorMessage(error)}`,
      });
    }
  }

  private receiveData(chunk: Buffer): void {
    if (this.phase === 'closed') return;
    this.lastReceivedAt = Date.now();
    if (this.phase === 'handshaking') {
      this.receiveHandshake(chunk);
      return;
    }
    if (this.phase !== 'connected' || this.reader === undefined) return;
    let messages: HubMessage[];
    try {
      messages = this.reader.push(chunk);
    } catch (error) {
      this.close({
        error: `Connection closed with an error. ${errorMessage(error)}`,
        sendCloseMessage: true,
        reason: 'invalid message from the client',
      });
      return;
    }
    for (const message of messages) {
      this.handle(message);
      if (this.isClosed()) return;
    }
  }

  isClosed(): boolean {
    return this.phase === 'closed';
  }

  /**
   * Whether the client's stream `streamId` is open: started by the client, not yet completed nor
   * cancelled. Completing it (`completed`) closes it.
   */
  takeStream(streamId: string, completed: boolean): boolean {
    if (!this.openStreams.has(streamId)) return false;
    if (completed) this.openStreams.delete(streamId);
    return true;
  }

  /** Sends one message (encoded once per protocol however many connections get it). */
  send(message: OutboundMessage): void {
    if (this.phase !== 'connected' || this.protocol === undefined) return;
    this.sendFrame(message.frameFor(this.protocol));
  }

  /**
   * Invokes a method on the client and waits for its Completion (the REST API's `:invoke`): resolves with
   * the client's result or error, or with why there is none (the connection closed, `timeoutMs` passed,
   * `signal` aborted). `undefined` when the connection cannot take one more pending invocation.
   */
  invokeClient(
    target: string,
    args: readonly unknown[],
    timeoutMs: number,
    signal: AbortSignal,
  ): Promise<ClientInvocationOutcome> | undefined {
    const { protocol } = this;
    if (this.phase !== 'connected' || protocol === undefined) return Promise.resolve({ kind: 'closed' });
    const started = this.invocations.start(timeoutMs, signal);
    if (started === undefined) return undefined;
    this.sendFrame(
      rawFrame(
        protocol.writeMessage({ type: MessageType.Invocation, invocationId: started.id, target, arguments: [...args] }),
        protocol,
      ),
    );
    return started.outcome;
  }

  private sendPing(): void {
    if (this.protocol !== undefined) this.sendFrame(pingFrame(this.protocol));
  }

  /** The transport is gone (socket closed, stream ended, DELETE received). */
  transportClosed(error?: string): void {
    this.close({
      sendCloseMessage: false,
      reason: error ?? 'the client closed the connection',
      ...(error === undefined ? {} : { error }),
    });
  }

  close(options: CloseOptions): void {
    if (this.phase === 'closed') return;
    const wasConnected = this.phase === 'connected';
    this.currentPhase = 'closed';
    this.closedAt = Date.now();
    this.invocations.closeAll();
    const { transport, protocol } = this;
    if (transport !== undefined) {
      if (options.sendCloseMessage && protocol !== undefined && wasConnected) {
        const close = {
          type: MessageType.Close,
          allowReconnect: options.allowReconnect ?? false,
          ...(options.error === undefined ? {} : { error: options.error }),
        };
        transport.write(rawFrame(protocol.writeMessage(close), protocol));
      }
      transport.end();
    }
    // Long polling asks once more after the Close message: keep its token answerable for a while.
    this.environment.lifecycle.closed(this, this.transport?.name === 'LongPolling');
    // Messages received before the end still go upstream, in order, before the disconnected event.
    if (this.announced) {
      this.upstream?.enqueue({ kind: 'disconnected', error: options.error });
    }
    this.environment.logger.info(
      `connection closed hub=${this.hubName} connection=${this.id}${this.userId === undefined ? '' : ` user=${this.userId}`}: ${options.reason}${
        options.error === undefined || options.error === options.reason ? '' : ` (${options.error})`
      }`,
    );
  }

  /** The emulator is stopping: upstream work stops at once, and the client hears it may reconnect. */
  shutDown(): void {
    this.upstream?.stop();
    this.transport?.stopping();
    this.close({
      sendCloseMessage: true,
      reason: 'the emulator is stopping',
      error: 'The service is stopping.',
      allowReconnect: true,
    });
  }

  /**
   * Applies this connection's timeouts at `now`: the unused negotiated connection, the handshake, the
   * client timeout (or the long-polling disconnect) and the keep-alive ping. Returns whether its token may
   * be forgotten: never started in time, or closed for longer than a late poll is answered.
   */
  checkTimeouts(now: number): boolean {
    const { limits } = this.environment;
    switch (this.currentPhase) {
      case 'negotiated':
        return now - this.createdAt > limits.unusedConnectionTimeoutMs;
      case 'handshaking':
        if (now - this.attachedAt > limits.handshakeTimeoutMs) this.handshakeTimedOut();
        return false;
      case 'connected':
        this.checkAlive(now, limits);
        return false;
      case 'closed':
        return now - this.closedAt > limits.closedConnectionGraceMs;
    }
  }

  private checkAlive(now: number, limits: EmulatorLimits): void {
    const pollingIdleMs = this.transport?.pollingIdleMs(now);
    if (pollingIdleMs !== undefined) {
      // A polled client keeps itself alive (no pings, no client timeout): it is gone when it stops polling.
      if (pollingIdleMs > limits.longPollingDisconnectTimeoutMs) {
        this.close({
          sendCloseMessage: true,
          reason: 'the long-polling client stopped polling',
          error: 'The client stopped polling.',
        });
      }
    } else if (this.clientTimeoutActive && now - this.lastReceivedAt > limits.clientTimeoutMs) {
      this.close({
        sendCloseMessage: true,
        reason: 'client timeout',
        error: 'Server timeout elapsed without receiving a message from the client.',
      });
    } else if (now - this.lastSentAt >= limits.keepAliveIntervalMs) this.sendPing();
  }

  // --- UpstreamSource ---------------------------------------------------------------------------

  connectedResult(accepted: boolean, error: string): void {
    if (accepted) return;
    this.announced = false;
    this.upstream?.stop();
    this.close({ error, sendCloseMessage: true, reason: 'connection refused by the upstream' });
  }

  completion(
    invocationId: string,
    answer:
      { readonly framed: Uint8Array } | { readonly error: string; readonly stream?: true } | { readonly void: true },
  ): void {
    const { protocol } = this;
    if (this.phase !== 'connected' || protocol === undefined) return;
    // A stream the app already ended (or the client cancelled) has nobody waiting for a completion.
    if ('stream' in answer && !this.openStreams.delete(invocationId)) return;
    if ('framed' in answer) {
      // The upstream's answer is already a framed Completion in the client's protocol: pass it on as is.
      this.sendFrame(rawFrame(answer.framed, protocol));
      return;
    }
    const message =
      'error' in answer
        ? { type: MessageType.Completion, invocationId, error: answer.error }
        : { type: MessageType.Completion, invocationId };
    this.sendFrame(rawFrame(protocol.writeMessage(message), protocol));
  }

  // --- internals --------------------------------------------------------------------------------

  private sendFrame(frame: OutboundFrame): void {
    const transport = this.transport;
    if (transport === undefined) return;
    const limit = this.environment.limits.maxBufferedBytesPerConnection;
    if (transport.bufferedBytes + frame.bytes.length > limit) {
      this.close({
        error: `Connection closed with an error. The client did not read its messages fast enough: more than ${limit} bytes were waiting for it.`,
        sendCloseMessage: true,
        reason: 'outgoing buffer overflow (slow client)',
      });
      return;
    }
    this.lastSentAt = Date.now();
    transport.write(frame);
  }

  private receiveHandshake(chunk: Buffer): void {
    const input = this.handshakeBuffer === undefined ? chunk : Buffer.concat([this.handshakeBuffer, chunk]);
    const transport = this.transport;
    if (transport === undefined) return;
    let parsed: ReturnType<typeof parseHandshakeRequest>;
    let protocol: HubProtocol;
    try {
      parsed = parseHandshakeRequest(input);
      if (parsed === undefined) {
        this.handshakeBuffer = input;
        return;
      }
      protocol = selectHubProtocol(parsed.message);
    } catch (error) {
      this.refuseHandshake(errorMessage(error));
      return;
    }
    this.handshakeBuffer = undefined;
    if (protocol.transferFormat === 'Binary' && !transport.supportsBinary) {
      this.refuseHandshake(
        `Cannot use the '${protocol.name}' protocol on the current transport. The transport does not support 'Binary' transfer format.`,
      );
      return;
    }
    this.protocol = protocol;
    this.reader = protocol.createReader({
      maxMessageSize: this.environment.limits.maxMessageSize,
      unknownMessageTypes: 'reject',
    });
    transport.write({ bytes: writeHandshakeResponse(), text: true });
    this.lastSentAt = Date.now();
    this.currentPhase = 'connected';
    this.environment.lifecycle.connected(this);
    this.headersForUpstream = connectionUpstreamHeaders(
      {
        connectionId: this.id,
        hub: this.hubName,
        userId: this.userId,
        claims: this.identity.claims,
        clientQuery: this.clientQuery,
      },
      this.environment.accessKeys,
    );
    this.upstream = new UpstreamQueue(this, this.environment.upstream);
    this.announced = true;
    this.upstream.enqueue({ kind: 'connected' });
    this.environment.logger.info(
      `connection connected hub=${this.hubName} connection=${this.id}${this.userId === undefined ? '' : ` user=${this.userId}`} transport=${transport.name} protocol=${protocol.name}`,
    );
    if (parsed.remaining.length > 0)
      this.receiveData(Buffer.from(parsed.remaining.buffer, parsed.remaining.byteOffset, parsed.remaining.byteLength));
  }

  /** No handshake came in time: as ASP.NET Core, the client is told so in a handshake answer, then closed. */
  private handshakeTimedOut(): void {
    if (this.phase === 'handshaking') this.refuseHandshake('Handshake was canceled.');
  }

  private refuseHandshake(error: string): void {
    this.environment.logger.info(
      `connection refused hub=${this.hubName} connection=${this.id}: handshake failed (${error})`,
    );
    this.transport?.write({ bytes: writeHandshakeResponse(error), text: true });
    this.close({ sendCloseMessage: false, reason: 'handshake failed', error });
  }

  private handle(message: HubMessage): void {
    switch (message.type) {
      case MessageType.Invocation:
        this.handleInvocation(message);
        return;
      case MessageType.StreamInvocation:
        this.handleStreamInvocation(message);
        return;
      case MessageType.CancelInvocation:
        // The next item the app sends to this stream is refused: that is how the app learns of it.
        if (this.openStreams.delete(message.invocationId))
          this.environment.logger.debug(`connection ${this.id} cancelled stream ${message.invocationId}`);
        return;
      case MessageType.Completion:
        // A client's answer to a server-to-client invocation; an answer nobody waits for any more (its
        // caller gave up, or it timed out) is dropped, as the service drops it.
        this.invocations.complete(message);
        return;
      case MessageType.Close:
        this.close({
          sendCloseMessage: false,
          reason: 'the client closed the connection',
          ...(message.error === undefined ? {} : { error: message.error }),
        });
        return;
      case MessageType.Ping:
        this.clientTimeoutActive = true;
        return;
      default:
        // Client-to-server stream items and stateful-reconnect messages have no meaning in
        // serverless mode.
        return;
    }
  }

  /**
   * The stream stays open for the REST API's `…/streams/{invocationId}/:send` and `:complete`
   * (2024-12-01), and the upstream hears of it as a `messages` event whose body is the stream invocation,
   * as proposed in Azure/azure-signalr issue #2132 ("Support streaming in serverless"). The official
   * emulator (HubProxyHandler) does not forward it: that format is the proposal's, unconfirmed.
   */
  private handleStreamInvocation(message: StreamInvocationMessage): void {
    const protocol = this.protocol;
    if (protocol === undefined || this.upstream === undefined) return;
    if (message.streamIds !== undefined && message.streamIds.length > 0) {
      this.completion(message.invocationId, {
        error: 'Client-to-server streaming is not supported in serverless mode.',
      });
      return;
    }
    if (this.openStreams.has(message.invocationId) || this.openStreams.size >= MAX_OPEN_STREAMS) {
      this.completion(message.invocationId, {
        error: this.openStreams.has(message.invocationId)
          ? 'A stream with this invocation id is already open.'
          : `More than ${MAX_OPEN_STREAMS} streams of this connection are open.`,
      });
      return;
    }
    this.openStreams.add(message.invocationId);
    this.environment.logger.debug(`connection ${this.id} opened stream ${message.invocationId} (${message.target})`);
    this.forwardUpstream(message, protocol, this.upstream);
  }

  private handleInvocation(message: InvocationMessage): void {
    const protocol = this.protocol;
    if (protocol === undefined || this.upstream === undefined) return;
    if (message.streamIds !== undefined && message.streamIds.length > 0) {
      if (message.invocationId !== undefined) {
        this.completion(message.invocationId, {
          error: 'Client-to-server streaming is not supported in serverless mode.',
        });
      }
      return;
    }
    this.forwardUpstream(message, protocol, this.upstream);
  }

  /** Sends a client's invocation upstream in its own protocol; a connection with too many waiting is closed. */
  private forwardUpstream(
    message: InvocationMessage | StreamInvocationMessage,
    protocol: HubProtocol,
    upstream: UpstreamQueue,
  ): void {
    const body = unframe(protocol.writeMessage(message), protocol);
    if (!upstream.enqueue({ kind: 'message', invocation: message, body })) {
      this.close({
        error: `Connection closed with an error. More than ${this.environment.upstream.maxPending} messages of this connection are waiting for the upstream.`,
        sendCloseMessage: true,
        reason: 'too many messages waiting for the upstream',
      });
    }
  }
}
