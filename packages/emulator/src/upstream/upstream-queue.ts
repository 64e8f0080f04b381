import { errorMessage } from '@serverless-hub/core/upstream';
import { hubProtocolByContentType, MessageType } from '@serverless-hub/core/protocol';
import type { InvocationMessage, StreamInvocationMessage } from '@serverless-hub/core/protocol';
import type { UpstreamClient, UpstreamOutcome } from './upstream-client.js';
import type { UpstreamRouter } from './upstream-router.js';
import type { EmulatorLogger } from '../logging/emulator-logger.js';
import { redactUrl } from '../logging/redact-url.js';
import { headerSafe } from './upstream-headers.js';

/** One event of a connection for the upstream. */
export type UpstreamEvent =
  | { readonly kind: 'connected' }
  | {
      readonly kind: 'message';
      readonly invocation: InvocationMessage | StreamInvocationMessage;
      readonly body: Uint8Array;
    }
  | { readonly kind: 'disconnected'; readonly error: string | undefined };

/** What the queue needs of its connection. */
export interface UpstreamSource {
  readonly id: string;
  readonly hubName: string;
  readonly upstreamHeaders: Readonly<Record<string, string>>;
  readonly contentType: string;
  /** The upstream accepted (`true`) or refused (`false`, with the error for the client) the connection. */
  connectedResult(accepted: boolean, error: string): void;
  /** Relays an invocation's answer: the upstream's framed bytes, a void completion, or an error. */
  completion(
    invocationId: string,
    answer:
      { readonly framed: Uint8Array } | { readonly error: string; readonly stream?: true } | { readonly void: true },
  ): void;
}

/** What the queues of all connections share. */
export interface UpstreamServices {
  readonly router: UpstreamRouter;
  readonly client: UpstreamClient;
  readonly logger: EmulatorLogger;
  readonly maxPending: number;
}

const connectedBody = Buffer.from('{"type":10}');

function describe(outcome: UpstreamOutcome): string {
  return outcome.ok ? String(outcome.status) : `failed (${outcome.reason})`;
}

function failureMessage(outcome: Extract<UpstreamOutcome, { ok: false }>): string {
  switch (outcome.failure) {
    case 'too-large':
      return 'Invocation failed, response too large.';
    case 'timeout':
      return `Invocation failed, the upstream did not answer in time (${outcome.reason}).`;
    default:
      return 'Invocation failed, status code 500';
  }
}

/**
 * Why an invocation's 200 body cannot go to the client as it is, or `undefined` when it is one framed
 * Completion of this invocation in the client's protocol. Passed on unchecked, anything else would leave
 * the client waiting forever (a completion of another id, a ping) or break its connection (bytes it cannot
 * parse, invalid UTF-8 in a text frame).
 */
function invalidCompletion(body: Uint8Array, contentType: string, invocationId: string): string | undefined {
  let messages;
  try {
    messages = hubProtocolByContentType(contentType).parseMessages(body);
  } catch (error) {
    return errorMessage(error);
  }
  const [message] = messages;
  if (messages.length !== 1 || message?.type !== MessageType.Completion)
    return `expected one Completion message, got ${messages.length} message(s)${message === undefined ? '' : ` starting with type ${message.type}`}`;
  if (message.invocationId !== invocationId)
    return `the Completion is for invocation ${JSON.stringify(message.invocationId.slice(0, 50))}, not ${JSON.stringify(invocationId)}`;
  return undefined;
}

/**
 * Sends a connection's events upstream one at a time, in the order they happened, as the official
 * emulator processes one invocation per client at a time.
 */
export class UpstreamQueue {
  private readonly pending: UpstreamEvent[] = [];
  private running = false;
  private stopped = false;

  constructor(
    private readonly source: UpstreamSource,
    private readonly services: UpstreamServices,
  ) {}

  /** @returns `false` when too many events are already waiting (the caller closes the connection). */
  enqueue(event: UpstreamEvent): boolean {
    if (this.stopped) return true;
    if (event.kind === 'message' && this.pending.length >= this.services.maxPending) return false;
    this.pending.push(event);
    if (!this.running) void this.run();
    return true;
  }

  /** Drops the events not sent yet (the connection was refused, or the emulator stops). */
  stop(): void {
    this.stopped = true;
    this.pending.length = 0;
  }

  private async run(): Promise<void> {
    this.running = true;
    try {
      let event = this.pending.shift();
      while (event !== undefined) {
        const current = event;
        try {
          if (current.kind === 'message' && current.invocation.type === MessageType.StreamInvocation) {
            // The app answers a stream invocation when its stream ends (items go through the REST API
            // meanwhile): it is sent in order, but the connection's later events do not wait for it.
            void this.process(current).catch((error: unknown) => {
              this.failed(current, error);
            });
          } else await this.process(current);
        } catch (error) {
          // One event that cannot be sent must not stop the connection's later events, nor escape as an
          // unhandled rejection (which ends the process).
          this.failed(current, error);
        }
        event = this.stopped ? undefined : this.pending.shift();
      }
    } finally {
      this.running = false;
    }
  }

  private failed(event: UpstreamEvent, error: unknown): void {
    const { source, services } = this;
    const name = event.kind === 'message' ? event.invocation.target : event.kind;
    services.logger.error(
      `upstream ${source.hubName} event ${JSON.stringify(name.slice(0, 100))} connection=${source.id} could not be sent: ${errorMessage(error)}`,
    );
    if (event.kind === 'message' && event.invocation.invocationId !== undefined) {
      source.completion(event.invocation.invocationId, { error: 'Invocation failed, status code 500' });
    }
  }

  private async process(event: UpstreamEvent): Promise<void> {
    const { source, services } = this;
    const category = event.kind === 'message' ? 'messages' : 'connections';
    const eventName = event.kind === 'message' ? event.invocation.target : event.kind;
    const url = services.router.resolve(source.hubName, category, eventName);
    const invocationId = event.kind === 'message' ? event.invocation.invocationId : undefined;
    const isStream = event.kind === 'message' && event.invocation.type === MessageType.StreamInvocation;
    if (url === undefined) {
      services.logger.info(
        `upstream ${source.hubName}/${category}/${eventName} connection=${source.id}: no upstream template matches; not sent`,
      );
      if (event.kind === 'connected') source.connectedResult(true, '');
      // Without an upstream, the stream stays open for whoever feeds it through the REST API.
      if (isStream) return;
      if (invocationId !== undefined)
        source.completion(invocationId, { error: 'Invocation failed, no upstream is configured for this event.' });
      return;
    }
    let body: Uint8Array;
    let contentType = 'application/json';
    if (event.kind === 'connected') body = connectedBody;
    else if (event.kind === 'disconnected')
      body = Buffer.from(JSON.stringify(event.error === undefined ? { type: 11 } : { type: 11, error: event.error }));
    else {
      body = event.body;
      contentType = source.contentType;
    }
    const started = performance.now();
    const outcome = await services.client.post(
      url,
      // An event name beyond Latin-1 cannot be a header as it is: it goes as its UTF-8 bytes, so that the app
      // answers it as any method it does not have (404) instead of the request failing here.
      {
        ...source.upstreamHeaders,
        'X-ASRS-Category': category,
        'X-ASRS-Event': headerSafe(eventName),
        'Content-Type': contentType,
      },
      body,
    );
    const elapsed = Math.round(performance.now() - started);
    const line = `upstream POST ${redactUrl(url)} (${category}/${eventName}) connection=${source.id} -> ${describe(outcome)} in ${elapsed} ms`;
    // 404 is also how an app says it has no handler for a connect or disconnect (a hub without
    // onConnected / onDisconnected): ordinary, so not a warning on every connection.
    const unhandledConnectionEvent =
      outcome.ok && outcome.status === 404 && (event.kind === 'connected' || event.kind === 'disconnected');
    const expected = outcome.ok && (outcome.status === 200 || outcome.status === 204 || unhandledConnectionEvent);
    if (expected) services.logger.info(line);
    else services.logger.warn(line);

    if (event.kind === 'connected') {
      // 404 is what an app answers when it has no handler for the event (a hub without onConnected):
      // nothing refused the client. Any other non-2xx answer, or no answer, refuses the connection.
      if (!outcome.ok)
        source.connectedResult(
          false,
          `The connection was closed: the app's connected event failed (${outcome.reason}).`,
        );
      else if ((outcome.status >= 200 && outcome.status < 300) || outcome.status === 404)
        source.connectedResult(true, '');
      else
        source.connectedResult(
          false,
          `The app refused the connection: its connected event answered ${outcome.status}.`,
        );
      return;
    }
    if (invocationId === undefined) return;
    if (isStream) {
      // The app fed and ended the stream through the REST API; only a failed request ends it here.
      if (!outcome.ok) source.completion(invocationId, { error: failureMessage(outcome), stream: true });
      else if (outcome.status !== 200 && outcome.status !== 204)
        source.completion(invocationId, { error: `Invocation failed, status code ${outcome.status}`, stream: true });
      return;
    }
    if (!outcome.ok) {
      // The official emulator turns a failed request into status 500 for the client; a timeout is said as such.
      source.completion(invocationId, { error: failureMessage(outcome) });
    } else if (outcome.status === 200 && outcome.body.length > 0) {
      const problem = invalidCompletion(outcome.body, source.contentType, invocationId);
      if (problem === undefined) source.completion(invocationId, { framed: outcome.body });
      else {
        services.logger.warn(
          `upstream ${source.hubName}/${category}/${eventName} connection=${source.id}: the answer is not a Completion of the invocation in the client's protocol (${problem})`,
        );
        source.completion(invocationId, { error: 'Invocation failed, the upstream answer is not a valid completion.' });
      }
    } else if (outcome.status === 200 || outcome.status === 204) {
      source.completion(invocationId, { void: true });
    } else {
      source.completion(invocationId, { error: `Invocation failed, status code ${outcome.status}` });
    }
  }
}
