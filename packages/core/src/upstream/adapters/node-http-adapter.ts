import type { IncomingMessage, ServerResponse } from 'node:http';
import type { UpstreamDispatcher } from '../upstream-dispatcher.js';
import { consoleUpstreamLogger } from '../upstream-logger.js';
import type { UpstreamLogger } from '../upstream-logger.js';
import type { UpstreamOutcome } from '../upstream-outcome.js';
import { declaredLength, joinChunks, payloadTooLarge, resolveBodyLimit } from './body-limit.js';
import { upstreamStatusFor } from './upstream-status.js';

/**
 * Options of {@link createNodeHttpAdapter}.
 *
 * @example
 * ```ts
 * createNodeHttpAdapter(dispatcher, { maxBodyBytes: 256 * 1024, logger: consoleUpstreamLogger });
 * ```
 */
export interface NodeHttpAdapterOptions {
  /** Largest accepted body in bytes; larger requests get 413. Default 1 MiB. */
  readonly maxBodyBytes?: number;
  /** Logger for these requests; defaults to the dispatcher's. */
  readonly logger?: UpstreamLogger;
}

/**
 * A Node.js `http` request listener over an {@link UpstreamDispatcher}, for self-hosted apps and local
 * function hosts. It answers every request it receives (mount it on the upstream path with your router):
 * non-POST requests get 405; the body is streamed with a limit (413 as soon as `Content-Length` or the
 * bytes read exceed it, without buffering the rest); the handler's `call.signal` aborts when the caller
 * disconnects, and then nothing is written.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 *
 * const server = createServer(createNodeHttpAdapter(dispatcher));
 * server.listen(7071, '127.0.0.1');
 * ```
 */
export function createNodeHttpAdapter(
  dispatcher: UpstreamDispatcher,
  options?: NodeHttpAdapterOptions,
): (request: IncomingMessage, response: ServerResponse) => void {
  const limit = resolveBodyLimit(options?.maxBodyBytes);
  const logger = options?.logger;
  return (request, response) => {
    handle(dispatcher, limit, logger, request, response).catch((error: unknown) => {
      // Only writing the answer can fail here (the dispatcher never throws): log it and drop the connection.
      (logger ?? consoleUpstreamLogger).log('error', 'Writing the upstream answer failed.', error);
      response.destroy();
    });
  };
}

async function handle(
  dispatcher: UpstreamDispatcher,
  limit: number,
  logger: UpstreamLogger | undefined,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<void> {
  if (request.method !== 'POST') {
    request.resume();
    response.setHeader('allow', 'POST');
    writeText(response, 405, `The upstream endpoint accepts POST only, not ${String(request.method)}.`);
    return;
  }
  const declared = declaredLength(request.headers['content-length']);
  if (declared !== undefined && declared > limit) {
    refuseTooLarge(request, response, limit);
    return;
  }

  const controller = new AbortController();
  response.on('close', () => {
    if (!response.writableFinished) controller.abort();
  });

  const body = await readBody(request, limit);
  if (body === 'too-large') {
    refuseTooLarge(request, response, limit);
    return;
  }
  if (body === 'aborted' || callerGone(response)) return;

  const outcome = await dispatcher.dispatch(
    { headers: request.headers, body },
    logger === undefined ? { signal: controller.signal } : { signal: controller.signal, logger },
  );
  // The caller went away while the handler ran: there is no one to answer.
  if (callerGone(response)) return;
  write(response, outcome);
}

// A function rather than an inline check: the flag changes while the dispatcher awaits.
function callerGone(response: ServerResponse): boolean {
  return response.destroyed;
}

function readBody(request: IncomingMessage, limit: number): Promise<Uint8Array | 'too-large' | 'aborted'> {
  return new Promise((resolve) => {
    const chunks: Uint8Array[] = [];
    let total = 0;
    const finish = (result: Uint8Array | 'too-large' | 'aborted'): void => {
      request.off('data', onData);
      request.off('end', onEnd);
      request.off('error', onAbort);
      request.off('close', onAbort);
      resolve(result);
    };
    const onData = (chunk: Buffer): void => {
      total += chunk.length;
      if (total > limit) finish('too-large');
      else chunks.push(chunk);
    };
    const onEnd = (): void => {
      finish(joinChunks(chunks, total));
    };
    const onAbort = (): void => {
      finish('aborted');
    };
    request.on('data', onData);
    request.on('end', onEnd);
    request.on('error', onAbort);
    request.on('close', onAbort);
  });
}

function refuseTooLarge(request: IncomingMessage, response: ServerResponse, limit: number): void {
  // Close the connection after answering; the rest of the body is read and discarded, never buffered.
  response.setHeader('connection', 'close');
  const outcome = payloadTooLarge(limit);
  write(response, outcome);
  request.resume();
}

function write(response: ServerResponse, outcome: UpstreamOutcome): void {
  if (outcome.kind === 'rejected') {
    writeText(response, upstreamStatusFor(outcome), outcome.message);
    return;
  }
  if (outcome.kind === 'completion') {
    response.writeHead(200, { 'content-type': outcome.contentType, 'content-length': outcome.body.length });
    response.end(outcome.body);
    return;
  }
  response.writeHead(200, { 'content-length': 0 });
  response.end();
}

function writeText(response: ServerResponse, status: number, message: string): void {
  const body = Buffer.from(message, 'utf8');
  response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': body.length });
  response.end(body);
}
