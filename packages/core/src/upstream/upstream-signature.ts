import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { KeyObject } from 'node:crypto';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * Checks the `X-ASRS-Signature` header against every configured access key.
 *
 * @example
 * ```ts
 * const validator = createSignatureValidator([primaryKey, secondaryKey]);
 * validator.isValid(headers['x-asrs-connection-id'], headers['x-asrs-signature']); // true or false
 * ```
 */
export interface SignatureValidator {
  /** True when any `sha256=<hex>` entry of `signatureHeader` is the HMAC of `connectionId` under any key. */
  isValid(connectionId: string, signatureHeader: string | undefined): boolean;
}

const PREFIX = 'sha256=';
const DIGEST_HEX_LENGTH = 64;
const HEX = /^[0-9a-fA-F]{64}$/;
// The service sends one entry per key (two); a few more cover key rotation. Bounding the entries keeps
// a hostile header from costing more than a handful of comparisons.
const MAX_ENTRIES = 16;
const DIGEST_CACHE_SIZE = 4096;
// The service's header is about 71 characters per key; longer (padded) headers are validated every time
// rather than kept, so the cache stays small.
const MAX_REMEMBERED_HEADER_LENGTH = 1024;

function secretKeys(accessKeys: readonly string[]): KeyObject[] {
  if (accessKeys.length === 0) {
    throw new ServerlessHubError(
      'UPSTREAM_CONFIGURATION_INVALID',
      'Upstream signature validation needs at least one access key: pass the AccessKey of every connection string the service may sign with (primary and secondary).',
    );
  }
  return accessKeys.map((key, index) => {
    if (typeof key !== 'string' || key.length === 0) {
      throw new ServerlessHubError(
        'UPSTREAM_CONFIGURATION_INVALID',
        `Access key #${index + 1} for upstream signature validation is empty; remove it or set the connection string's AccessKey.`,
      );
    }
    // Encoded once here; each request only feeds the connection id through the HMAC.
    return createSecretKey(Buffer.from(key, 'utf8'));
  });
}

/**
 * Builds a validator for the service's upstream signature: `sha256=` + hex(HMAC-SHA256(key = UTF-8
 * access key, message = UTF-8 connection id)). The header may hold several entries separated by `,`
 * (optional spaces); the request is valid when any entry matches any key. The `sha256=` prefix and the
 * hex digits are compared case-insensitively (the service writes uppercase hex), and digests are compared
 * in constant time. Keys are encoded once, when the validator is built. For the most recent connections
 * the expected digests and the last header that validated are kept, so that a connection's later messages,
 * which carry the same header, cost one constant-time string comparison instead of an HMAC and a parse.
 *
 * @throws {ServerlessHubError} `UPSTREAM_CONFIGURATION_INVALID` when no key, or an empty key, is given.
 *
 * @example
 * ```ts
 * const validator = createSignatureValidator([endpoint.auth.accessKey]);
 * if (!validator.isValid(connectionId, signatureHeader)) {
 *   // 401 "The request is unauthorized, please check the Signature."
 * }
 * ```
 */
export function createSignatureValidator(accessKeys: readonly string[]): SignatureValidator {
  const keys = secretKeys(accessKeys);
  // Every message of a connection carries the same signature header. Per recent connection, keep the
  // expected digests (one HMAC per key) and the exact header that last validated: a message whose header
  // equals it is valid without parsing the header again. Bounded; the oldest connections go first.
  const connections = new Map<string, ConnectionSignature>();
  const connectionSignature = (connectionId: string): ConnectionSignature => {
    let known = connections.get(connectionId);
    if (known === undefined) {
      known = {
        expected: keys.map((key) => createHmac('sha256', key).update(connectionId, 'utf8').digest()),
        validHeader: undefined,
      };
      if (connections.size >= DIGEST_CACHE_SIZE) {
        const oldest = connections.keys().next();
        if (oldest.done !== true) connections.delete(oldest.value);
      }
      connections.set(connectionId, known);
    }
    return known;
  };
  return Object.freeze({
    isValid(connectionId: string, signatureHeader: string | undefined): boolean {
      if (signatureHeader === undefined || signatureHeader.length === 0) return false;
      const remembered = connections.get(connectionId)?.validHeader;
      if (remembered !== undefined && constantTimeEquals(remembered, signatureHeader)) return true;
      const presented = presentedDigests(signatureHeader);
      if (presented.length === 0) return false;
      const known = connectionSignature(connectionId);
      for (const expected of known.expected) {
        for (const digest of presented) {
          if (timingSafeEqual(expected, digest)) {
            if (signatureHeader.length <= MAX_REMEMBERED_HEADER_LENGTH) known.validHeader = signatureHeader;
            return true;
          }
        }
      }
      return false;
    },
  });
}

interface ConnectionSignature {
  /** HMAC-SHA256 of the connection id under each key. */
  readonly expected: readonly Buffer[];
  /** The last header that validated for this connection. */
  validHeader: string | undefined;
}

/**
 * Compares two strings without returning early at the first difference, so the time taken does not tell
 * a caller how much of a remembered valid signature its guess got right. Only the lengths (public: the
 * service's header always has the same shape) end the comparison early.
 */
function constantTimeEquals(known: string, candidate: string): boolean {
  if (known.length !== candidate.length) return false;
  let difference = 0;
  for (let index = 0; index < known.length; index++)
    difference |= known.charCodeAt(index) ^ candidate.charCodeAt(index);
  return difference === 0;
}

function presentedDigests(header: string): Buffer[] {
  const digests: Buffer[] = [];
  let entries = 0;
  for (const rawEntry of header.split(',')) {
    if (++entries > MAX_ENTRIES) break;
    const entry = rawEntry.trim();
    if (entry.length !== PREFIX.length + DIGEST_HEX_LENGTH) continue;
    if (entry.slice(0, PREFIX.length).toLowerCase() !== PREFIX) continue;
    const hex = entry.slice(PREFIX.length);
    // Buffer.from(…, 'hex') silently stops at the first non-hex character, so check the digits first.
    if (!HEX.test(hex)) continue;
    digests.push(Buffer.from(hex, 'hex'));
  }
  return digests;
}

/**
 * Computes the `X-ASRS-Signature` header value exactly as the service writes it: one `sha256=` entry per
 * key, uppercase hex, joined by `,` with no space. The C# Functions extension splits the header on `,`
 * without trimming and compares each entry exactly, so a space after the comma would make it reject every
 * request signed with the second key. For the local emulator and for tests that sign upstream requests.
 *
 * @example
 * ```ts
 * computeUpstreamSignature('conn-1', [primaryKey, secondaryKey]);
 * // 'sha256=5F0C…,sha256=9A1B…'
 * ```
 */
export function computeUpstreamSignature(connectionId: string, accessKeys: readonly string[]): string {
  return accessKeys
    .map(
      (key) =>
        PREFIX +
        createHmac('sha256', Buffer.from(key, 'utf8')).update(connectionId, 'utf8').digest('hex').toUpperCase(),
    )
    .join(',');
}
