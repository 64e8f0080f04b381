const SHOWN_STRING_LENGTH = 64;

/**
 * Names a value of unknown type for an error message without running any of its code: no
 * `toString`, `toJSON`, `Symbol.toPrimitive` or getter is called, so a hostile or broken value
 * cannot make the error itself throw, and a huge string cannot flood a log. Strings are quoted and
 * cut at 64 characters (so are bigints); numbers, booleans and bigints are shown; anything else is named by its kind.
 *
 * @example
 * ```ts
 * describeValue('x'.repeat(100)); // '"xxxx…"' (64 characters and an ellipsis)
 * describeValue({ toString: '' }); // 'an object'
 * ```
 */
export function describeValue(value: unknown): string {
  switch (typeof value) {
    case 'string':
      return JSON.stringify(cut(value));
    case 'number':
    case 'boolean':
      return String(value);
    case 'bigint':
      return `${cut(String(value))}n`;
    case 'undefined':
      return 'undefined';
    case 'symbol':
      return 'a symbol';
    case 'function':
      return 'a function';
    default:
      return value === null ? 'null' : describeObject(value as object);
  }
}

function cut(text: string): string {
  return text.length > SHOWN_STRING_LENGTH ? `${text.slice(0, SHOWN_STRING_LENGTH)}…` : text;
}

function describeObject(value: object): string {
  // A proxy's traps run even for these checks; a revoked or hostile one throws.
  try {
    if (Array.isArray(value)) return 'an array';
    if (value instanceof Uint8Array) return 'binary data';
  } catch {
    return 'a proxy that refuses inspection';
  }
  return 'an object';
}
