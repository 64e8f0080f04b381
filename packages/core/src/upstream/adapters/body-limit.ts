import { ServerlessHubError } from '../../errors/serverless-hub-error.js';
import type { UpstreamOutcome } from '../upstream-outcome.js';

/**
 * Largest upstream body the adapters accept unless told otherwise: 1 MiB. Client messages above it are
 * answered 413 before the dispatcher sees them.
 *
 * @example
 * ```ts
 * createNodeHttpAdapter(dispatcher, { maxBodyBytes: DEFAULT_MAX_UPSTREAM_BODY_BYTES / 2 });
 * ```
 */
export const DEFAULT_MAX_UPSTREAM_BODY_BYTES = 1024 * 1024;

/** The `rejected` outcome for a body over the limit. */
export function payloadTooLarge(limit: number): UpstreamOutcome {
  return {
    kind: 'rejected',
    code: 'UPSTREAM_PAYLOAD_TOO_LARGE',
    message: `The request body is larger than the limit of ${String(limit)} bytes.`,
  };
}

/** The declared `Content-Length`, or `undefined` when absent or not a plain decimal number. */
export function declaredLength(header: string | null | undefined): number | undefined {
  if (header === undefined || header === null || !/^[ \t]*\d{1,16}[ \t]*$/.test(header)) return undefined;
  return Number(header);
}

/** An adapter's `maxBodyBytes` option, checked once when the adapter is built. */
export function resolveBodyLimit(limit: number | undefined): number {
  if (limit === undefined) return DEFAULT_MAX_UPSTREAM_BODY_BYTES;
  if (!Number.isSafeInteger(limit) || limit <= 0) {
    throw new ServerlessHubError(
      'UPSTREAM_CONFIGURATION_INVALID',
      `maxBodyBytes must be a positive whole number of bytes, got ${String(limit)}.`,
    );
  }
  return limit;
}

/** Joins chunks into one array without copying when there is only one. */
export function joinChunks(chunks: readonly Uint8Array[], total: number): Uint8Array {
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const body = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    body.set(chunk, offset);
    offset += chunk.length;
  }
  return body;
}
