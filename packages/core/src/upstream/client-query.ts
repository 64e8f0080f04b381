/** A client query string in two views: first value per name, and every value per name. */
export interface ParsedQuery {
  readonly first: Readonly<Record<string, string>>;
  readonly all: Readonly<Record<string, readonly string[]>>;
}

const EMPTY_QUERY: ParsedQuery = Object.freeze({
  first: Object.freeze(Object.create(null) as Record<string, string>),
  all: Object.freeze(Object.create(null) as Record<string, readonly string[]>),
});

/**
 * Parses the `X-ASRS-Client-Query` header: the query string the client connected with, leading `?`
 * included (`?hub=chat&id=1`). Decoding follows `URLSearchParams` (`+` is a space, `%xx` escapes are
 * decoded, malformed escapes are kept as written), so it never throws.
 */
export function parseClientQuery(header: string | undefined): ParsedQuery {
  if (header === undefined || header.length === 0 || header === '?') return EMPTY_QUERY;
  const all = Object.create(null) as Record<string, string[]>;
  const first = Object.create(null) as Record<string, string>;
  for (const [name, value] of new URLSearchParams(header)) {
    const values = all[name];
    if (values === undefined) {
      all[name] = [value];
      first[name] = value;
    } else {
      values.push(value);
    }
  }
  for (const values of Object.values(all)) Object.freeze(values);
  return Object.freeze({ first: Object.freeze(first), all: Object.freeze(all) });
}
