import type { createRemoteJWKSet, jwtVerify } from 'jose';

/** jose's token verification: what claims verifiers and the Entra ID upstream validator use. */
export interface JoseVerifier {
  readonly jwtVerify: typeof jwtVerify;
  readonly createRemoteJWKSet: typeof createRemoteJWKSet;
}

let verifier: Promise<JoseVerifier> | undefined;

/*
 * jose is loaded on first use, not when the app starts: registering hubs needs none of it, and importing
 * it costs a cold start dozens of modules. Only the parts in use are imported (jose's own entry points for
 * verifying and remote key sets); the tokens the framework issues are signed with node:crypto. A failed
 * import is not kept, so a later call tries again.
 */

/**
 * jose's `jwtVerify` and `createRemoteJWKSet`, imported on the first call.
 *
 * @example
 * ```ts
 * const { jwtVerify } = await joseVerifier();
 * ```
 */
export function joseVerifier(): Promise<JoseVerifier> {
  verifier ??= Promise.all([import('jose/jwt/verify'), import('jose/jwks/remote')]).then(
    ([verify, remote]) => ({ jwtVerify: verify.jwtVerify, createRemoteJWKSet: remote.createRemoteJWKSet }),
    (error: unknown) => {
      verifier = undefined;
      throw error;
    },
  );
  return verifier;
}
