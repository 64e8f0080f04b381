import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { invalidMessage } from './invalid-message.js';

/**
 * Default largest message a {@link HubMessageReader} accepts: 1 MiB, the largest message Azure SignalR
 * Service passes to an upstream.
 *
 * @example
 * ```ts
 * const reader = messagePackHubProtocol.createReader({ maxMessageSize: DEFAULT_MAX_MESSAGE_SIZE * 2 });
 * ```
 */
export const DEFAULT_MAX_MESSAGE_SIZE = 1024 * 1024;

/** Validates the `maxMessageSize` option, so a typo cannot silently disable the bound. */
export function resolveMaxMessageSize(maxMessageSize: number | undefined): number {
  if (maxMessageSize === undefined) return DEFAULT_MAX_MESSAGE_SIZE;
  if (!Number.isSafeInteger(maxMessageSize) || maxMessageSize <= 0) {
    throw new ServerlessHubError(
      'PROTOCOL_UNSUPPORTED',
      `maxMessageSize must be a positive integer number of bytes, got ${String(maxMessageSize)}.`,
    );
  }
  return maxMessageSize;
}

/**
 * Bytes held back between chunks. Chunks are copied on arrival (the caller may reuse its buffer)
 * and joined only once a whole message is there, so a message arriving in many small pieces costs
 * one copy, not one per piece.
 */
export class PendingBytes {
  private chunks: Uint8Array[] = [];
  private total = 0;

  get size(): number {
    return this.total;
  }

  append(bytes: Uint8Array): void {
    if (bytes.length === 0) return;
    // new Uint8Array(view) copies; Buffer#slice would not.
    this.chunks.push(new Uint8Array(bytes));
    this.total += bytes.length;
  }

  /** Everything held, followed by `extra`, as one array; the buffer is left empty. */
  takeAll(extra?: Uint8Array): Uint8Array {
    const extraLength = extra?.length ?? 0;
    const chunks = this.chunks;
    let joined: Uint8Array;
    if (chunks.length === 1 && extraLength === 0) {
      joined = chunks[0] ?? new Uint8Array(0);
    } else {
      joined = new Uint8Array(this.total + extraLength);
      let offset = 0;
      for (const chunk of chunks) {
        joined.set(chunk, offset);
        offset += chunk.length;
      }
      if (extra !== undefined) joined.set(extra, offset);
    }
    this.chunks = [];
    this.total = 0;
    return joined;
  }
}

export function messageTooLarge(size: number, maxMessageSize: number, unit: 'bytes' | 'characters'): Error {
  return invalidMessage(
    `A message of ${size} ${unit} or more exceeds the maximum message size of ${maxMessageSize} bytes; send smaller messages or raise maxMessageSize.`,
  );
}
