/**
 * Stable, machine-readable error codes of `@serverless-hub/emulator`.
 *
 * @example
 * ```ts
 * const code: EmulatorErrorCode = 'CONFIG_INVALID';
 * ```
 */
export type EmulatorErrorCode =
  /** An option, a settings file or a command-line argument is invalid. */
  | 'CONFIG_INVALID'
  /** A server could not listen (port in use, address not available). */
  | 'LISTEN_FAILED'
  /** The server was used in a state that does not allow it (e.g. started twice). */
  | 'INVALID_STATE'
  /** The app entry of the functions host could not be loaded, or registered nothing to serve. */
  | 'APP_LOAD_FAILED';

/**
 * The one error class of `@serverless-hub/emulator`. Its {@link EmulatorError.code | code} says what
 * went wrong; the message says what was wrong and how to fix it, and never contains a key or token.
 *
 * @example
 * ```ts
 * try {
 *   await createServiceEmulator({ port: 8888 }).start();
 * } catch (error) {
 *   if (error instanceof EmulatorError && error.code === 'LISTEN_FAILED') console.error(error.message);
 * }
 * ```
 */
export class EmulatorError extends Error {
  override readonly name = 'EmulatorError';

  constructor(
    readonly code: EmulatorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
