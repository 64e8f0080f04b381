import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/**
 * Claims read from an `X-ASRS-User-Claims` header, in two views over the same data.
 *
 * @example
 * ```ts
 * const { first, all }: ParsedClaims = parseClaimsHeader('role: a, role: b');
 * first.role; // 'a'
 * all.role;   // ['a', 'b']
 * ```
 */
export interface ParsedClaims {
  /** The first value of each claim type, as the C# extension's `Claims` dictionary gives it. */
  readonly first: Readonly<Record<string, string>>;
  /** Every value of each claim type, in header order. */
  readonly all: Readonly<Record<string, readonly string[]>>;
}

/*
 * The service writes each claim as `type: value` (.NET's Claim.ToString()) and joins them with ", ".
 * Nothing is escaped, so a value that itself contains ", " is ambiguous. The rule used here:
 * a new entry starts at the beginning of the header, or after a comma (plus optional spaces or tabs),
 * only where what follows is a claim type — one or more characters that are neither whitespace nor a
 * comma — immediately followed by ": " (or by ":" at the very end of the header, since HTTP stacks trim
 * trailing spaces). Everything up to the next entry start is the value, kept verbatim. The type ends at
 * its first ": ", so URI claim types such as `http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name`
 * work. Unlike the C# parser this keeps values such as `Smith, John`, `a,b` and `x: y` intact and keeps
 * every value of a repeated type; a value that contains ", word: " cannot be told apart from two
 * claims and is read as two. Text before the first entry is ignored.
 */
const ENTRY_START = /(?:^|,[ \t]*)([^\s,]+?):(?: |$)/g;

function emptyRecord<T>(): Record<string, T> {
  // Null prototype: claim types such as "__proto__" or "constructor" are ordinary keys here.
  return Object.create(null) as Record<string, T>;
}

const EMPTY_CLAIMS: ParsedClaims = Object.freeze({
  first: Object.freeze(emptyRecord<string>()),
  all: Object.freeze(emptyRecord<readonly string[]>()),
});

/**
 * Parses the `X-ASRS-User-Claims` header (`"type: value, type: value"`) that Azure SignalR Service sends
 * upstream. Every value of a repeated claim type is kept (`all`), and `first` gives the first value of
 * each type for parity with the C# extension. Values containing `,` or `: ` survive unless they contain
 * `, <type>: ` (see the rule in `docs/upstream.md`). Never throws; a missing or empty header gives no claims.
 *
 * @example
 * ```ts
 * const claims = parseClaimsHeader('sub: u1, role: admin, role: ops, name: Smith, John');
 * claims.first.role;  // 'admin'
 * claims.all.role;    // ['admin', 'ops']
 * claims.first.name;  // 'Smith, John'
 * ```
 */
export function parseClaimsHeader(header: string | undefined): ParsedClaims {
  if (header === undefined || header.length === 0) return EMPTY_CLAIMS;
  const all = emptyRecord<string[]>();
  let type: string | undefined;
  let valueStart = 0;
  ENTRY_START.lastIndex = 0;
  for (let match = ENTRY_START.exec(header); match !== null; match = ENTRY_START.exec(header)) {
    if (type !== undefined) append(all, type, header.slice(valueStart, match.index));
    type = match[1];
    valueStart = ENTRY_START.lastIndex;
  }
  if (type !== undefined) append(all, type, header.slice(valueStart));
  const first = emptyRecord<string>();
  for (const key of Object.keys(all)) {
    const values = all[key];
    if (values === undefined || values.length === 0) continue;
    first[key] = values[0] as string;
    Object.freeze(values);
  }
  return Object.freeze({ first: Object.freeze(first), all: Object.freeze(all) });
}

// The inverse of ENTRY_START: what makes a type or a value read back as something else.
const TYPE_UNREADABLE = /[\s,\0]/;
// In a value, a comma followed by what reads as a claim type and ": " (or ":" at its end, which is the
// header's end when the claim comes last) starts a new entry.
const VALUE_SPLITTING = /,[ \t]*[^\s,]+:(?: |$)/;

/**
 * Why a claim would not come back from {@link parseClaimsHeader} exactly as written, whatever claims
 * surround it in the header: which part and the offending text, or `undefined` when it reads back intact. Types must be
 * non-empty and free of whitespace, commas and NUL; values free of CR, LF, NUL and of `, <type>:`
 * followed by a space or the end. Negotiate refuses such claims (`CLAIMS_INVALID`): the service passes
 * them upstream unescaped, where one claim could pose as another.
 *
 * @example
 * ```ts
 * unreadableClaimText('name', 'Mallory, admin: true'); // { part: 'value', text: ', admin: ' }
 * unreadableClaimText('name', 'Smith, John');          // undefined
 * ```
 */
export function unreadableClaimText(
  type: string,
  value: string,
): { readonly part: 'type' | 'value'; readonly text: string } | undefined {
  if (type.length === 0) return { part: 'type', text: '' };
  const inType = TYPE_UNREADABLE.exec(type);
  if (inType !== null) return { part: 'type', text: inType[0] };
  const inValue = HEADER_BREAKING.exec(value) ?? VALUE_SPLITTING.exec(value);
  return inValue === null ? undefined : { part: 'value', text: inValue[0] };
}

function append(all: Record<string, string[]>, type: string, value: string): void {
  const values = all[type];
  if (values === undefined) all[type] = [value];
  else values.push(value);
}

// Characters that would split or corrupt an HTTP header line.
const HEADER_BREAKING = /[\r\n\0]/;

/**
 * Writes claims as Azure SignalR Service does in the `X-ASRS-User-Claims` header: `type: value` entries
 * joined by `", "`, repeated types written once per value. Used by the local emulator and by tests that
 * build requests exactly as the service does.
 *
 * @throws {ServerlessHubError} `CLAIMS_INVALID` when a type is empty or a type or value contains CR, LF or NUL.
 *
 * @example
 * ```ts
 * formatClaimsHeader([['sub', 'u1'], ['role', 'admin'], ['role', 'ops']]);
 * // 'sub: u1, role: admin, role: ops'
 * formatClaimsHeader({ sub: 'u1', role: ['admin', 'ops'] }); // same
 * ```
 */
export function formatClaimsHeader(
  claims: Iterable<readonly [string, string]> | Readonly<Record<string, string | readonly string[]>>,
): string {
  const parts: string[] = [];
  const add = (type: string, value: string): void => {
    if (type.length === 0 || HEADER_BREAKING.test(type) || HEADER_BREAKING.test(value)) {
      throw new ServerlessHubError(
        'CLAIMS_INVALID',
        `Claim type ${JSON.stringify(type)} cannot be written to an HTTP header: types must be non-empty and neither types nor values may contain CR, LF or NUL.`,
      );
    }
    parts.push(`${type}: ${value}`);
  };
  if (isIterable(claims)) {
    for (const [type, value] of claims) add(type, value);
  } else {
    for (const type of Object.keys(claims)) {
      const value = claims[type];
      if (typeof value === 'string') add(type, value);
      else if (value !== undefined) for (const item of value) add(type, item);
    }
  }
  return parts.join(', ');
}

function isIterable(value: object): value is Iterable<readonly [string, string]> {
  return typeof (value as Partial<Iterable<unknown>>)[Symbol.iterator] === 'function';
}
