import { computeUpstreamSignature, formatClaimsHeader } from '@serverless-hub/core/upstream';

/** What the upstream headers of one connection are made of. */
export interface ConnectionUpstreamInfo {
  readonly connectionId: string;
  readonly hub: string;
  readonly userId: string | undefined;
  readonly claims: Readonly<Record<string, unknown>>;
  /** The client's query string with its leading `?`, or `''`. */
  readonly clientQuery: string;
}

function claimValueText(value: unknown): string | undefined {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint') return String(value);
  return JSON.stringify(value);
}

/**
 * `X-ASRS-User-Claims`: every claim of the access token as `type: value`, joined by `, `; a claim
 * with an array value gives one entry per element, as the service lists repeated claims.
 */
export function claimsHeaderValue(claims: Readonly<Record<string, unknown>>): string {
  const entries: [string, string][] = [];
  for (const [type, value] of Object.entries(claims)) {
    if (type === '') continue;
    const values = Array.isArray(value) ? (value as unknown[]) : [value];
    for (const item of values) {
      const text = claimValueText(item);
      // A header line cannot carry line breaks: they become spaces rather than dropping the claim.
      if (text !== undefined) entries.push([oneLine(type), oneLine(text)]);
    }
  }
  return formatClaimsHeader(entries);
}

function oneLine(text: string): string {
  return text.replace(/[\r\n\0]+/g, ' ');
}

/**
 * Makes a header value writable: line breaks become spaces (no header injection), and characters
 * beyond Latin-1, which HTTP headers cannot carry as text, are sent as their UTF-8 bytes. A receiver
 * reads those bytes as Latin-1 characters (Node and fetch's `Headers` do); decoding them as UTF-8
 * gives the original text back.
 */
export function headerSafe(value: string): string {
  const flat = oneLine(value);
  // eslint-disable-next-line no-control-regex
  if (/^[\u0000-\u007f]*$/.test(flat)) return flat;
  return Buffer.from(flat, 'utf8').toString('latin1');
}

/**
 * The headers every upstream request of a connection carries (all but category, event and content
 * type), computed once per connection.
 */
export function connectionUpstreamHeaders(
  info: ConnectionUpstreamInfo,
  accessKeys: readonly string[],
): Record<string, string> {
  const headers: Record<string, string> = {
    'X-ASRS-Connection-Id': headerSafe(info.connectionId),
    'X-ASRS-Hub': headerSafe(info.hub),
    'X-ASRS-Signature': computeUpstreamSignature(info.connectionId, accessKeys),
  };
  if (info.userId !== undefined && info.userId !== '') headers['X-ASRS-User-Id'] = headerSafe(info.userId);
  const claims = claimsHeaderValue(info.claims);
  if (claims !== '') headers['X-ASRS-User-Claims'] = headerSafe(claims);
  if (info.clientQuery !== '') headers['X-ASRS-Client-Query'] = headerSafe(info.clientQuery);
  return headers;
}
