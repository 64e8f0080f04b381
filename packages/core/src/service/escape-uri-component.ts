const RESERVED_BY_RFC_3986 = /[!'()*]/g;

function percentEncode(character: string): string {
  return `%${character.charCodeAt(0).toString(16).toUpperCase()}`;
}

/**
 * Escapes a path segment or query value the way the official SDKs do (.NET `Uri.EscapeDataString`): every
 * character except the RFC 3986 unreserved ones (`A-Z a-z 0-9 - . _ ~`) is percent-encoded as UTF-8.
 * `encodeURIComponent` alone leaves `! ' ( ) *` as they are; the service compares token audiences with the
 * URL it received, so both sides must escape identically.
 *
 * Lone surrogates cannot be encoded as UTF-8; callers validate their input first (see `assertUserId` & co.).
 */
export function escapeUriComponent(value: string): string {
  return encodeURIComponent(value).replace(RESERVED_BY_RFC_3986, percentEncode);
}
