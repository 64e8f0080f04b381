/**
 * Stable, machine-readable error codes of `@serverless-hub/emulator`.
 *
 * @example
 * ```ts
 * const exitCodes: Partial<Record<EmulatorErrorCode, number>> = { CONFIG_INVALID: 2, LISTEN_FAILED: 3 };
 * try {
 *   await emulator.start();
 * } catch (error) {
 *   if (EmulatorError.is(error)) process.exit(exitCodes[error.code] ?? 1);
 *   throw error;
 * }
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

/** Marks every `EmulatorError`, whichever copy of the package made it (see {@link EmulatorError.is}). */
const BRAND = Symbol.for('@serverless-hub/emulator/EmulatorError');

/**
 * The one error class of `@serverless-hub/emulator`. Its {@link EmulatorError.code | code} says what
 * went wrong; the message says what was wrong and how to fix it, and never contains a key or token.
 * Recognise it with {@link EmulatorError.is}, which also knows errors of another copy of the package.
 *
 * @example
 * ```ts
 * try {
 *   await createServiceEmulator({ port: 8888 }).start();
 * } catch (error) {
 *   if (EmulatorError.is(error, 'LISTEN_FAILED')) console.error(error.message);
 * }
 * ```
 */
export class EmulatorError extends Error {
  static {
    // On the prototype: `Symbol.for` gives every copy of the package in the process the same symbol,
    // where `instanceof` knows only its own copy's class.
    Object.defineProperty(this.prototype, BRAND, { value: true });
  }

  /**
   * Whether `value` is an `EmulatorError` (made by any copy of the package in this process), and, when
   * `code` is given, one with that code. Use it instead of `instanceof`.
   *
   * @example
   * ```ts
   * const started = await host.start().catch((error: unknown) => {
   *   if (EmulatorError.is(error, 'APP_LOAD_FAILED')) return undefined;
   *   throw error;
   * });
   * ```
   */
  static is<Code extends EmulatorErrorCode>(
    value: unknown,
    code?: Code,
  ): value is EmulatorError & { readonly code: Code } {
    if (typeof value !== 'object' || value === null || (value as Readonly<Record<symbol, unknown>>)[BRAND] !== true)
      return false;
    return code === undefined || (value as { readonly code?: unknown }).code === code;
  }

  override readonly name = 'EmulatorError';

  constructor(
    readonly code: EmulatorErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}
