/** Produces the `Authorization` header of REST requests. */
export interface RestAuthorizer {
  /**
   * The header value (`Bearer …`) for a request whose URL without its query is `audience`.
   * Implementations cache, so a busy hub does not sign or fetch a token per message.
   */
  authorization(audience: string, signal: AbortSignal | undefined): Promise<string>;
}
