import { Transform } from 'node:stream';
import { BodyTooLargeError } from './http-utils.js';

/**
 * A pass-through stream that fails with {@link BodyTooLargeError} once more than `limit` bytes went through
 * it: a streamed body is held to the same limit as a buffered one without being buffered.
 *
 * @example
 * ```ts
 * request.pipe(createBodySizeLimit(100 * 1024 * 1024)).pipe(forwarded);
 * ```
 */
export function createBodySizeLimit(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      seen += chunk.length;
      if (seen > limit) callback(new BodyTooLargeError(limit));
      else callback(null, chunk);
    },
  });
}
