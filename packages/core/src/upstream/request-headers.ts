/**
 * The headers of a Fetch API request (`Headers`, as `@azure/functions`' `HttpRequest` has them): names are
 * looked up case-insensitively, repeated headers come joined with `", "`.
 */
export interface FetchHeaderLookup {
  get(name: string): string | null;
  forEach(callback: (value: string, name: string) => void): void;
}

/** Header records as Node's `IncomingHttpHeaders` has them: names in any case, repeated values as arrays. */
export type HeaderRecord = Readonly<Record<string, string | readonly string[] | undefined>>;

/**
 * One upstream request's headers as the dispatcher reads them: single headers by lowercase name, the
 * credentials for the authenticator, and, only when a handler asks for them, every other header as a
 * frozen record for the handler's context.
 */
export interface RequestHeaders {
  /** The value of a header that is not a credential; `name` is lowercase. */
  get(name: string): string | undefined;
  /** `x-asrs-signature`, `authorization` and `authentication`, where present. */
  credentials(): Record<string, string>;
  /** Every header but the credentials, names lowercased; frozen. */
  contextHeaders(): Readonly<Record<string, string>>;
}

// Credentials of the request: the authenticator reads them; they stay out of the handler's context, where a
// logged `context.headers` would otherwise leak a token, or a signature that replays for this connection.
const CREDENTIAL_HEADERS: ReadonlySet<string> = new Set(['x-asrs-signature', 'authorization', 'authentication']);

/** Whether `headers` is a Fetch `Headers` object rather than a record (a record's values are never functions). */
export function isFetchHeaderLookup(headers: HeaderRecord | FetchHeaderLookup): headers is FetchHeaderLookup {
  return (
    typeof (headers as Partial<FetchHeaderLookup>).get === 'function' &&
    typeof (headers as Partial<FetchHeaderLookup>).forEach === 'function'
  );
}

/** Reads a Fetch `Headers` object in place: no copy unless the handler reads `context.headers`. */
export function headersFromFetch(source: FetchHeaderLookup): RequestHeaders {
  return new FetchRequestHeaders(source);
}

/** Normalizes a header record once: lowercase names, arrays and case variants joined with `", "`. */
export function headersFromRecord(source: HeaderRecord): RequestHeaders {
  const headers = Object.create(null) as Record<string, string>;
  const credentials = Object.create(null) as Record<string, string>;
  for (const name of Object.keys(source)) {
    const value = source[name];
    if (value === undefined) continue;
    const text = typeof value === 'string' ? value : value.join(', ');
    const lower = name.toLowerCase();
    const target = CREDENTIAL_HEADERS.has(lower) ? credentials : headers;
    const existing = target[lower];
    target[lower] = existing === undefined ? text : `${existing}, ${text}`;
  }
  return new RecordRequestHeaders(headers, credentials);
}

class RecordRequestHeaders implements RequestHeaders {
  readonly #headers: Record<string, string>;
  readonly #credentials: Record<string, string>;

  constructor(headers: Record<string, string>, credentials: Record<string, string>) {
    this.#headers = headers;
    this.#credentials = credentials;
  }

  get(name: string): string | undefined {
    return this.#headers[name];
  }

  credentials(): Record<string, string> {
    return this.#credentials;
  }

  contextHeaders(): Readonly<Record<string, string>> {
    return Object.freeze(this.#headers);
  }
}

class FetchRequestHeaders implements RequestHeaders {
  readonly #source: FetchHeaderLookup;

  constructor(source: FetchHeaderLookup) {
    this.#source = source;
  }

  get(name: string): string | undefined {
    return this.#source.get(name) ?? undefined;
  }

  credentials(): Record<string, string> {
    const credentials = Object.create(null) as Record<string, string>;
    for (const name of CREDENTIAL_HEADERS) {
      const value = this.#source.get(name);
      if (value !== null) credentials[name] = value;
    }
    return credentials;
  }

  contextHeaders(): Readonly<Record<string, string>> {
    const headers = Object.create(null) as Record<string, string>;
    // Fetch's Headers give each name once, lowercase; other implementations are normalized the same way.
    this.#source.forEach((value, name) => {
      const lower = name.toLowerCase();
      if (CREDENTIAL_HEADERS.has(lower)) return;
      const existing = headers[lower];
      headers[lower] = existing === undefined ? value : `${existing}, ${value}`;
    });
    return Object.freeze(headers);
  }
}
