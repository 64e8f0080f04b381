import type { RpcHttpCookie, RpcTypedData } from './functions-core-contract.js';

/**
 * The HTTP response the local host writes for a function's return value.
 *
 * @example
 * ```ts
 * const answer: HostHttpResponse = { status: 200, headers: [['content-type', 'text/plain']], cookies: [], body: new Uint8Array() };
 * ```
 */
export interface HostHttpResponse {
  readonly status: number;
  readonly headers: readonly (readonly [string, string])[];
  /** `Set-Cookie` header values. */
  readonly cookies: readonly string[];
  readonly body: Uint8Array;
}

const EMPTY = new Uint8Array(0);
const encoder = new TextEncoder();
// Framing is the host's business: the function's values for these would contradict the body sent.
const HOP_BY_HOP = new Set(['content-length', 'transfer-encoding', 'connection', 'keep-alive']);

/** As ASP.NET Core writes a cookie (`SetCookieHeaderValue`): lowercase attribute names, the value escaped. */
function setCookie(cookie: RpcHttpCookie): string {
  let text = `${cookie.name ?? ''}=${encodeURIComponent(cookie.value ?? '')}`;
  const seconds = cookie.expires?.value?.seconds;
  if (typeof seconds === 'number') text += `; expires=${new Date(seconds * 1000).toUTCString()}`;
  const maxAge = cookie.maxAge?.value;
  if (typeof maxAge === 'number') text += `; max-age=${Math.trunc(maxAge)}`;
  if (typeof cookie.domain?.value === 'string') text += `; domain=${cookie.domain.value}`;
  if (typeof cookie.path?.value === 'string') text += `; path=${cookie.path.value}`;
  if (cookie.secure?.value === true) text += '; secure';
  if (cookie.sameSite === 'lax' || cookie.sameSite === 'strict') text += `; samesite=${cookie.sameSite}`;
  else if (cookie.sameSite === 'explicitNone') text += '; samesite=none';
  if (cookie.httpOnly?.value === true) text += '; httponly';
  return text;
}

function bodyBytes(body: RpcTypedData | null | undefined): Uint8Array {
  if (body === null || body === undefined) return EMPTY;
  if (body.bytes !== null && body.bytes !== undefined) return body.bytes;
  if (typeof body.string === 'string') return encoder.encode(body.string);
  if (typeof body.json === 'string') return encoder.encode(body.json);
  return EMPTY;
}

/**
 * Converts the return value of an HTTP function, as the worker answers it (`returnValue.http`), into the
 * response the Functions host writes: the status (200 when the function returned nothing, as the host
 * answers), headers, cookies and body. A status outside 100–999 is `undefined`: the host cannot send it.
 *
 * @example
 * ```ts
 * fromRpcHttpResponse(undefined).status; // 200, empty body
 * fromRpcHttpResponse({ http: { statusCode: '201', headers: { location: '/x' } } }).status; // 201
 * ```
 */
export function fromRpcHttpResponse(returnValue: RpcTypedData | null | undefined): HostHttpResponse | undefined {
  const http = returnValue?.http;
  if (http === null || http === undefined) return { status: 200, headers: [], cookies: [], body: EMPTY };
  const status =
    http.statusCode === null || http.statusCode === undefined || http.statusCode === '' ? 200 : Number(http.statusCode);
  if (!Number.isInteger(status) || status < 100 || status > 999) return undefined;
  const headers: [string, string][] = [];
  for (const [name, value] of Object.entries(http.headers ?? {}))
    if (!HOP_BY_HOP.has(name.toLowerCase())) headers.push([name, value]);
  return { status, headers, cookies: (http.cookies ?? []).map(setCookie), body: bodyBytes(http.body) };
}
