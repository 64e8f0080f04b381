import type { ServerResponse } from 'node:http';
import type { OutboundFrame } from '../../protocol/outbound-message.js';
import type { ClientTransport } from '../client-transport.js';

/**
 * Long polling: what the service has for the client waits in a queue until the client's next poll
 * takes all of it; a poll with nothing to take is held until data comes or the poll times out (200
 * with no body, the client polls again). After the end, a poll is answered 204.
 */
export class LongPollingTransport implements ClientTransport {
  readonly name = 'LongPolling';
  readonly supportsBinary = true;
  private readonly queue: Uint8Array[] = [];
  private queuedBytes = 0;
  private pendingPoll: ServerResponse | undefined;
  private pollTimer: NodeJS.Timeout | undefined;
  private started = false;
  private ended = false;
  /** Whether anything (the handshake answer first) was ever written for the client. */
  private written = false;
  /** When the last poll was answered while no other poll waits; the client is polling while a poll is held. */
  private lastAnsweredAt = Date.now();

  private contentType = 'text/plain; charset=utf-8';

  constructor(private readonly pollTimeoutMs: number) {}

  get bufferedBytes(): number {
    return this.queuedBytes;
  }

  get isEnded(): boolean {
    return this.ended;
  }

  /** Long polling has no pings: the client is alive while it keeps polling, as ASP.NET Core judges it. */
  pollingIdleMs(now: number): number {
    return this.pendingPoll === undefined ? now - this.lastAnsweredAt : 0;
  }

  /** Answers a poll: at once with what is queued, or later. */
  poll(response: ServerResponse): void {
    if (!this.started) {
      // The first poll only starts the connection, as in ASP.NET Core: it returns at once, empty.
      this.started = true;
      this.respond(response, 200);
      return;
    }
    const previous = this.pendingPoll;
    if (previous !== undefined) {
      this.clearPending();
      this.respond(previous, 200);
    }
    if (this.queue.length > 0) {
      this.flushTo(response);
      return;
    }
    if (this.ended) {
      this.respond(response, 204);
      return;
    }
    this.pendingPoll = response;
    this.armPollTimer(response);
    response.on('close', () => {
      if (this.pendingPoll === response) {
        this.clearPending();
        this.lastAnsweredAt = Date.now();
      }
    });
  }

  private armPollTimer(response: ServerResponse): void {
    this.pollTimer = setTimeout(() => {
      if (this.pendingPoll !== response) return;
      // The official client reads any 200 body, even an empty one, as data: before the handshake answer it
      // would take an empty poll for a broken handshake answer. Until then a poll is held (the handshake
      // timeout bounds the wait).
      if (!this.written) {
        this.armPollTimer(response);
        return;
      }
      this.clearPending();
      this.respond(response, 200);
    }, this.pollTimeoutMs);
  }

  write(frame: OutboundFrame): void {
    if (this.ended) return;
    this.written = true;
    if (!frame.text) this.contentType = 'application/octet-stream';
    this.queue.push(frame.bytes);
    this.queuedBytes += frame.bytes.length;
    const poll = this.pendingPoll;
    if (poll !== undefined) {
      this.clearPending();
      this.flushTo(poll);
    }
  }

  end(): void {
    if (this.ended) return;
    this.ended = true;
    const poll = this.pendingPoll;
    if (poll === undefined) return;
    this.clearPending();
    if (this.queue.length > 0) this.flushTo(poll);
    else this.respond(poll, 204);
  }

  /** Ends a held poll without data: the client hears the end (204) and the stop does not wait for it. */
  stopping(): void {
    this.ended = true;
    this.queue.length = 0;
    this.queuedBytes = 0;
    const poll = this.pendingPoll;
    this.clearPending();
    if (poll !== undefined) this.respond(poll, 204);
  }

  private clearPending(): void {
    this.pendingPoll = undefined;
    if (this.pollTimer !== undefined) clearTimeout(this.pollTimer);
    this.pollTimer = undefined;
  }

  private flushTo(response: ServerResponse): void {
    this.lastAnsweredAt = Date.now();
    const body = this.queue.length === 1 ? (this.queue[0] as Uint8Array) : Buffer.concat(this.queue, this.queuedBytes);
    this.queue.length = 0;
    this.queuedBytes = 0;
    response.statusCode = 200;
    response.setHeader('Content-Type', this.contentType);
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('Content-Length', body.byteLength);
    response.end(body);
  }

  private respond(response: ServerResponse, status: number): void {
    this.lastAnsweredAt = Date.now();
    if (response.writableEnded) return;
    response.statusCode = status;
    response.setHeader('Cache-Control', 'no-cache');
    if (status === 200) response.setHeader('Content-Length', 0);
    response.end();
  }
}
