import type * as Https from 'node:https';
import type * as Os from 'node:os';

// Built-in modules that the Functions worker has not loaded before an app starts (node:https brings tls
// with it: several milliseconds of a cold start) and that only a request needs: loaded on first use.
// `process.getBuiltinModule` is synchronous and exists from Node.js 20.16, below the supported 20.19.

/**
 * `node:https`, loaded on the first https request.
 *
 * @example
 * ```ts
 * const agent = new (httpsModule().Agent)({ keepAlive: true });
 * ```
 */
export function httpsModule(): typeof Https {
  return process.getBuiltinModule('node:https');
}

/**
 * `node:os`, loaded on first use (the REST user agent names the operating system).
 *
 * @example
 * ```ts
 * const platform = `${osModule().type()} ${osModule().release()}`;
 * ```
 */
export function osModule(): typeof Os {
  return process.getBuiltinModule('node:os');
}
