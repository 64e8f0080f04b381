/**
 * The byte (`0x1E`, ASCII record separator) that ends every JSON hub message and every handshake
 * message. It cannot occur inside valid UTF-8 JSON text: JSON escapes control characters in strings.
 *
 * @example
 * ```ts
 * bytes.indexOf(RECORD_SEPARATOR_CODE);
 * ```
 */
export const RECORD_SEPARATOR_CODE = 0x1e;

/**
 * {@link RECORD_SEPARATOR_CODE} as a one-character string.
 *
 * @example
 * ```ts
 * socket.send('{"type":6}' + RECORD_SEPARATOR);
 * ```
 */
export const RECORD_SEPARATOR = '\u001e';
