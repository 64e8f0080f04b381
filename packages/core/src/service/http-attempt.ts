import { request as httpRequest } from 'node:http';
import type { Agent, IncomingHttpHeaders, IncomingMessage, OutgoingHttpHeaders } from 'node:http';
import { httpsModule } from './lazy-builtins.js';
import type { Socket } from 'node:net';

/** Where requests go: parsed once per client. */
export interface HttpOrigin {
  readonly secure: boolean;
  /** Host name or IP address, IPv6 without brackets. */
  readonly hostname: string;
  readonly port: number;
  readonly agent: Agent;
}

/** One HTTP exchange. */
export interface HttpAttemptRequest {
  readonly method: string;
  /** Path and query, already escaped. */
  readonly pathAndQuery: string;
  readonly headers: OutgoingHttpHeaders;
  readonly body: Buffer | undefined;
  readonly timeoutMs: number;
  readonly signal: AbortSignal | undefined;
  /**
   * Keep the body of a success answer too, up to this many bytes (answers that carry data: a client's
   * result, a page of group members). Without it, success bodies are drained and dropped.
   */
  readonly successBodyLimit?: number;
}

/**
 * How an exchange ended. `beforeSend` is true when the failure came before any byte of the request could
 * leave: no socket was assigned, or a new socket never finished connecting (TCP, and TLS for https). A
 * request on a reused keep-alive socket, or on a connected one, may have reached the service.
 */
export type HttpAttemptResult =
  | {
      readonly kind: 'status';
      readonly status: number;
      readonly errorCode: string | undefined;
      readonly body: string;
      readonly truncated: boolean;
    }
  | { readonly kind: 'timeout'; readonly beforeSend: boolean }
  | { readonly kind: 'network'; readonly beforeSend: boolean; readonly error: Error }
  | { readonly kind: 'aborted' };

/** Error bodies are read up to this size; the rest is dropped (an answer is untrusted input). */
export const MAX_RESPONSE_BODY_BYTES = 64 * 1024;

function firstHeader(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function isSuccess(status: number): boolean {
  return status >= 200 && status < 300;
}

/**
 * Performs one HTTP exchange and never rejects: every ending is a {@link HttpAttemptResult}. Success
 * answers settle as soon as their head arrives (their body is drained, bounded, to free the socket);
 * other answers settle with their body, cut at {@link MAX_RESPONSE_BODY_BYTES}.
 */
export function attemptHttpRequest(origin: HttpOrigin, attempt: HttpAttemptRequest): Promise<HttpAttemptResult> {
  return new Promise<HttpAttemptResult>((resolve) => {
    const { signal } = attempt;
    if (signal?.aborted === true) {
      resolve({ kind: 'aborted' });
      return;
    }
    let settled = false;
    let connected = false;
    const request = (origin.secure ? httpsModule().request : httpRequest)({
      hostname: origin.hostname,
      port: origin.port,
      method: attempt.method,
      path: attempt.pathAndQuery,
      headers: attempt.headers,
      agent: origin.agent,
    });

    const settle = (result: HttpAttemptResult): void => {
      if (settled) return;
      settled = true;
      signal?.removeEventListener('abort', onAbort);
      // The timer keeps bounding a lingering body drain, but must not keep the process alive for it.
      timer.unref();
      resolve(result);
    };
    const finish = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', onAbort);
    };
    const onAbort = (): void => {
      settle({ kind: 'aborted' });
      finish();
      request.destroy();
    };
    const timer = setTimeout(() => {
      settle({ kind: 'timeout', beforeSend: !connected });
      request.destroy();
    }, attempt.timeoutMs);
    signal?.addEventListener('abort', onAbort, { once: true });

    request.on('socket', (socket: Socket) => {
      if (request.reusedSocket) {
        connected = true;
      } else if (origin.secure) {
        socket.once('secureConnect', () => {
          connected = true;
        });
      } else if (socket.connecting) {
        socket.once('connect', () => {
          connected = true;
        });
      } else {
        connected = true;
      }
    });
    let responded = false;
    request.on('error', (error: Error) => {
      // Once an answer's head arrived, its status stands; the response's 'close' settles with it.
      if (responded) return;
      settle({ kind: 'network', beforeSend: !connected, error });
      finish();
    });
    request.on('response', (response: IncomingMessage) => {
      responded = true;
      const status = response.statusCode ?? 0;
      const errorCode = firstHeader(response.headers, 'x-ms-error-code');
      const success = isSuccess(status);
      const keepBody = !success || attempt.successBodyLimit !== undefined;
      const limit =
        success && attempt.successBodyLimit !== undefined ? attempt.successBodyLimit : MAX_RESPONSE_BODY_BYTES;
      if (!keepBody) settle({ kind: 'status', status, errorCode, body: '', truncated: false });
      const chunks: Buffer[] = [];
      let received = 0;
      let truncated = false;
      response.on('data', (chunk: Buffer) => {
        if (truncated) return;
        received += chunk.length;
        if (received > limit) {
          truncated = true;
          if (keepBody) chunks.push(chunk.subarray(0, chunk.length - (received - limit)));
          request.destroy();
          return;
        }
        if (keepBody) chunks.push(chunk);
      });
      response.on('error', () => {
        // A body cut short still leaves the status, which is what matters; 'close' follows.
      });
      response.on('close', () => {
        settle({ kind: 'status', status, errorCode, body: Buffer.concat(chunks).toString('utf8'), truncated });
        finish();
      });
    });
    request.end(attempt.body);
  });
}
