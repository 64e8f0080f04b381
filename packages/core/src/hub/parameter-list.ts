/** One declared parameter of a function, as read from its source. */
export interface DeclaredParameter {
  /** The parameter's name; `undefined` for a destructuring pattern. */
  readonly name: string | undefined;
  /** Whether it has a default value (`count = 1`). */
  readonly hasDefault: boolean;
  /** Whether it is a rest parameter (`...items`). */
  readonly rest: boolean;
}

const IDENTIFIER = /^[\p{ID_Start}$_][\p{ID_Continue}$\u200c\u200d]*$/u;
// After one of these, a `/` starts a regular expression rather than a division.
const REGEX_PRECEDERS = new Set([
  '',
  '(',
  ',',
  '=',
  ':',
  '[',
  '!',
  '&',
  '|',
  '?',
  '{',
  '}',
  ';',
  '+',
  '-',
  '*',
  '%',
  '<',
  '>',
  '~',
  '^',
]);

/**
 * Reads a function's declared parameter list from its source text, because `fn.length` stops counting
 * at the first parameter with a default value and says nothing about rest parameters or names. Run
 * once per hub method at registration, never per request.
 *
 * Returns `undefined` when the source cannot be read with confidence (native or bound functions, or a
 * parse whose count of leading plain parameters disagrees with `fn.length`); callers then fall back to
 * `fn.length`.
 *
 * @example
 * ```ts
 * readParameterList(function (a, { b } = {}, ...rest) {});
 * // [{ name: 'a', hasDefault: false, rest: false }, { name: undefined, hasDefault: true, rest: false },
 * //  { name: 'rest', hasDefault: false, rest: true }]
 * ```
 */
export function readParameterList(fn: (...args: never[]) => unknown): readonly DeclaredParameter[] | undefined {
  const source = Function.prototype.toString.call(fn);
  if (source.includes('[native code]')) return undefined;
  const segments = splitParameters(source);
  if (segments === undefined) return undefined;
  const parameters = segments.map(describeSegment);
  const plain = parameters.findIndex((parameter) => parameter.hasDefault || parameter.rest);
  const leadingPlain = plain === -1 ? parameters.length : plain;
  if (leadingPlain !== fn.length) return undefined;
  return parameters;
}

interface Segment {
  readonly text: string;
  /** Offset in `text` of the `=` that starts a default value, or -1. */
  readonly defaultAt: number;
}

function describeSegment(segment: Segment): DeclaredParameter {
  const binding = (segment.defaultAt === -1 ? segment.text : segment.text.slice(0, segment.defaultAt)).trim();
  const rest = binding.startsWith('...');
  const name = rest ? binding.slice(3).trim() : binding;
  return { name: IDENTIFIER.test(name) ? name : undefined, hasDefault: segment.defaultAt !== -1, rest };
}

/** A small scanner for the subset of JavaScript that can appear before and inside a parameter list. */
class Scanner {
  index = 0;
  /** The last significant (non-space, non-comment) character passed, for the regex/division decision. */
  previous = '';

  constructor(readonly source: string) {}

  atEnd(): boolean {
    return this.index >= this.source.length;
  }

  peek(offset = 0): string {
    return this.source.charAt(this.index + offset);
  }

  /** Skips white space and comments; false when a comment is unterminated. */
  skipTrivia(): boolean {
    for (;;) {
      const char = this.peek();
      if (char === '/' && this.peek(1) === '/') {
        const end = this.source.indexOf('\n', this.index);
        this.index = end === -1 ? this.source.length : end + 1;
      } else if (char === '/' && this.peek(1) === '*') {
        const end = this.source.indexOf('*/', this.index + 2);
        if (end === -1) return false;
        this.index = end + 2;
      } else if (char !== '' && /\s/u.test(char)) {
        this.index += 1;
      } else {
        return true;
      }
    }
  }

  /** Skips a quoted string starting at the current quote; false when unterminated. */
  skipString(): boolean {
    const quote = this.peek();
    for (this.index += 1; !this.atEnd(); this.index += 1) {
      const char = this.peek();
      if (char === '\\') this.index += 1;
      else if (char === quote) {
        this.index += 1;
        this.previous = quote;
        return true;
      }
    }
    return false;
  }

  /** Skips a template literal, including nested `${ ... }` expressions; false when unterminated. */
  skipTemplate(): boolean {
    for (this.index += 1; !this.atEnd();) {
      const char = this.peek();
      if (char === '\\') this.index += 2;
      else if (char === '`') {
        this.index += 1;
        this.previous = '`';
        return true;
      } else if (char === '$' && this.peek(1) === '{') {
        this.index += 2;
        if (!this.skipBalanced('}')) return false;
      } else this.index += 1;
    }
    return false;
  }

  /** Skips a regular expression literal, including character classes; false when unterminated. */
  skipRegex(): boolean {
    let inClass = false;
    for (this.index += 1; !this.atEnd(); this.index += 1) {
      const char = this.peek();
      if (char === '\\') this.index += 1;
      else if (char === '[') inClass = true;
      else if (char === ']') inClass = false;
      else if (char === '/' && !inClass) {
        this.index += 1;
        while (/[a-z]/u.test(this.peek())) this.index += 1;
        this.previous = '/';
        return true;
      } else if (char === '\n') return false;
    }
    return false;
  }

  /**
   * Skips one token that can hide brackets or commas (string, template, regex, comment), returning
   * true when it did, undefined when nothing was skipped, false on unterminated input.
   */
  skipOpaque(): boolean | undefined {
    const char = this.peek();
    if (char === '"' || char === "'") return this.skipString();
    if (char === '`') return this.skipTemplate();
    if (char === '/' && (this.peek(1) === '/' || this.peek(1) === '*')) return this.skipTrivia();
    if (char === '/' && REGEX_PRECEDERS.has(this.previous)) return this.skipRegex();
    return undefined;
  }

  /** Skips up to and including the bracket that closes the one just opened; false when unbalanced. */
  skipBalanced(close: string): boolean {
    const expected = [close];
    while (!this.atEnd()) {
      const skipped = this.skipOpaque();
      if (skipped === false) return false;
      if (skipped === true) continue;
      const char = this.peek();
      this.index += 1;
      if (char === '(') expected.push(')');
      else if (char === '[') expected.push(']');
      else if (char === '{') expected.push('}');
      else if (char === ')' || char === ']' || char === '}') {
        if (expected.pop() !== char) return false;
        if (expected.length === 0) {
          this.previous = char;
          return true;
        }
      }
      if (!/\s/u.test(char)) this.previous = char;
    }
    return false;
  }
}

/**
 * Finds the parameter list of a function's source and splits it at its top-level commas. Handles
 * methods (`name(...)`, `async *[key](...)`, `'quoted name'(...)`), function expressions and arrow
 * functions with or without parentheses.
 */
function splitParameters(source: string): Segment[] | undefined {
  const scanner = new Scanner(source);
  // Find the `(` that opens the parameter list: skip the method name, which may be quoted or computed.
  for (;;) {
    if (!scanner.skipTrivia() || scanner.atEnd()) return undefined;
    const char = scanner.peek();
    if (char === '(') break;
    if (char === '"' || char === "'") {
      if (!scanner.skipString()) return undefined;
    } else if (char === '[') {
      scanner.index += 1;
      if (!scanner.skipBalanced(']')) return undefined;
    } else if (char === '=' && scanner.peek(1) === '>') {
      // `name => ...`: a single parameter without parentheses.
      const head = source
        .slice(0, scanner.index)
        .trim()
        .replace(/^async\s+/u, '');
      return [{ text: head, defaultAt: -1 }];
    } else if (char === '{' || char === ')') {
      return undefined;
    } else {
      scanner.index += 1;
    }
  }

  scanner.index += 1;
  scanner.previous = '(';
  const segments: Segment[] = [];
  let start = scanner.index;
  let defaultAt = -1;
  for (;;) {
    if (!scanner.skipTrivia() || scanner.atEnd()) return undefined;
    const skipped = scanner.skipOpaque();
    if (skipped === false) return undefined;
    if (skipped === true) continue;
    const char = scanner.peek();
    if (char === '(' || char === '[' || char === '{') {
      scanner.index += 1;
      if (!scanner.skipBalanced(char === '(' ? ')' : char === '[' ? ']' : '}')) return undefined;
      continue;
    }
    if (char === ',' || char === ')') {
      const text = source.slice(start, scanner.index);
      if (text.trim().length > 0) segments.push({ text, defaultAt });
      // An empty segment is fine only before `)`: `()` or a trailing comma `(a,)`; `(a,,b)` is not JavaScript.
      else if (char === ',') return undefined;
      if (char === ')') return segments;
      scanner.index += 1;
      scanner.previous = ',';
      start = scanner.index;
      defaultAt = -1;
      continue;
    }
    // The first top-level `=` of a parameter starts its default value (a binding never contains one).
    if (char === '=' && defaultAt === -1) defaultAt = scanner.index - start;
    scanner.previous = char;
    scanner.index += 1;
  }
}
