import type { SignJWT, createRemoteJWKSet, jwtVerify } from 'jose';

/** jose's token verification: what getClaims and the Entra ID upstream validator use. */
export interface JoseVerifier {
  readonly jwtVerify: typeof jwtVerify;
  readonly createRemoteJWKSet: typeof createRemoteJWKSet;
}

/** jose's token signing: what signAccessToken uses. */
export interface JoseSigner {
  readonly SignJWT: typeof SignJWT;
}

let verifier: Promise<JoseVerifier> | undefined;
let signer: Promise<JoseSigner> | undefined;

/*
 * jose is loaded on first use, not when the app starts: registering hubs needs none of it, and importing
 * it costs a cold start dozens of modules. Only the parts in use are imported (jose's own entry points for
 * verifying, remote key sets and signing). A failed import is not kept, so a later call tries again.
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

/**
 * jose's `SignJWT`, imported on the first call.
 *
 * @example
 * ```ts
 * const { SignJWT } = await joseSigner();
 * ```
 */
export function joseSigner(): Promise<JoseSigner> {
  signer ??= import('jose/jwt/sign').then(
    (sign) => ({ SignJWT: sign.SignJWT }),
    (error: unknown) => {
      signer = undefined;
      throw error;
    },
  );
  return signer;
}
