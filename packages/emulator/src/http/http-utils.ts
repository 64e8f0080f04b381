import type { IncomingMessage, ServerResponse } from 'node:http';

/** Thrown by {@link readBody} when a body exceeds its limit. */
export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`The request body is larger than ${limit} bytes.`);
  }
}

/**
 * Reads a request body up to `limit` bytes; a larger body is refused as soon as it is announced or has
 * gone past the limit, without buffering it. A body with a `Content-Length` is read into one buffer of that
 * size (allocated when its first bytes arrive, not on a promise alone), so an accepted body costs its own size
 * once, not the chunks and their concatenation.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declaredText = request.headers['content-length'];
    const declared = declaredText === undefined ? undefined : Number(declaredText);
    if (declared !== undefined && declared > limit) {
      request.resume();
      reject(new BodyTooLargeError(limit));
      return;
    }
    const expected = declared !== undefined && Number.isSafeInteger(declared) && declared > 0 ? declared : undefined;
    let preallocated: Buffer | undefined;
    const chunks: Buffer[] = [];
    let size = 0;
    const onData = (chunk: Buffer): void => {
      if (expected !== undefined) preallocated ??= Buffer.allocUnsafe(expected);
      const end = size + chunk.length;
      if (end > limit || (preallocated !== undefined && end > preallocated.length)) {
        request.off('data', onData);
        request.resume();
        reject(new BodyTooLargeError(limit));
        return;
      }
      if (preallocated === undefined) chunks.push(chunk);
      else chunk.copy(preallocated, size);
      size = end;
    };
    request.on('data', onData);
    request.on('end', () => {
      if (preallocated !== undefined)
        resolve(size === preallocated.length ? preallocated : preallocated.subarray(0, size));
      else if (expected !== undefined) resolve(Buffer.alloc(0));
      else resolve(chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks, size));
    });
    request.on('error', reject);
  });
}

/** Ends a response with a plain-text body (none for HEAD requests or bodiless statuses). */
export function sendText(
  response: ServerResponse,
  status: number,
  text: string,
  headers: Readonly<Record<string, string>> = {},
): void {
  if (response.headersSent) {
    response.end();
    return;
  }
  response.statusCode = status;
  for (const [name, value] of Object.entries(headers)) response.setHeader(name, value);
  const bodiless = status === 204 || status === 304 || response.req.method === 'HEAD';
  if (bodiless || text === '') {
    response.end();
    return;
  }
  response.setHeader('Content-Type', 'text/plain; charset=utf-8');
  response.end(text);
}

/** Ends a response with a JSON body. */
export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json; charset=utf-8');
  response.setHeader('Content-Length', Buffer.byteLength(text));
  response.end(text);
}

/** How a server answers browsers' cross-origin requests. */
export interface CorsPolicy {
  /** Which origins are answered; absent: every origin. */
  readonly allowOrigin?: (origin: string) => boolean;
  /**
   * Whether credentials are allowed. The SignalR client sends them by default, and `*` does not allow
   * them, so the origin is echoed unless credentials are off and every origin is allowed.
   */
  readonly credentials: boolean;
  /** `Access-Control-Allow-Methods` of a preflight answer. */
  readonly methods: string;
  /** `Access-Control-Expose-Headers` of the other answers, if any. */
  readonly exposeHeaders?: string;
}

/**
 * Answers CORS for browsers as `policy` says. Returns `true` when the request was a preflight and
 * has been answered.
 */
export function applyCors(request: IncomingMessage, response: ServerResponse, policy: CorsPolicy): boolean {
  const origin = request.headers.origin;
  if (origin === undefined || policy.allowOrigin?.(origin) === false) return false;
  response.setHeader(
    'Access-Control-Allow-Origin',
    policy.credentials || policy.allowOrigin !== undefined ? origin : '*',
  );
  if (policy.credentials) response.setHeader('Access-Control-Allow-Credentials', 'true');
  response.setHeader('Vary', 'Origin');
  if (request.method !== 'OPTIONS' || request.headers['access-control-request-method'] === undefined) {
    if (policy.exposeHeaders !== undefined) response.setHeader('Access-Control-Expose-Headers', policy.exposeHeaders);
    return false;
  }
  response.setHeader('Access-Control-Allow-Methods', policy.methods);
  const requestedHeaders = request.headers['access-control-request-headers'];
  if (requestedHeaders !== undefined) response.setHeader('Access-Control-Allow-Headers', requestedHeaders);
  response.setHeader('Access-Control-Max-Age', '600');
  response.statusCode = 204;
  response.end();
  return true;
}

/** The bearer token of a request: the `Authorization` header, else the `access_token` query parameter. */
export function bearerToken(request: IncomingMessage, query: URLSearchParams): string | undefined {
  const header = request.headers.authorization;
  if (header !== undefined) {
    const match = /^\s*Bearer\s+(\S+)\s*$/i.exec(header);
    return match?.[1];
  }
  const fromQuery = query.get('access_token');
  return fromQuery === null || fromQuery === '' ? undefined : fromQuery;
}

/** The media type of a `Content-Type` header, lowercased, without parameters. */
export function mediaTypeOf(contentType: string | undefined): string {
  if (contentType === undefined) return '';
  const separator = contentType.indexOf(';');
  return (separator === -1 ? contentType : contentType.slice(0, separator)).trim().toLowerCase();
}
