import { createRequire } from 'node:module';
import { osModule } from './lazy-builtins.js';

function packageVersion(): string {
  try {
    // The package refers to itself by name (it has an `exports` map), so this works from src and dist alike.
    const manifest = createRequire(import.meta.url)('@serverless-hub/core/package.json') as { version?: unknown };
    return typeof manifest.version === 'string' ? manifest.version : '0.0.0';
  } catch {
    return '0.0.0';
  }
}

let productInfoText: string | undefined;

/**
 * What the REST client says it is, in the Management SDK's product-information form
 * `{package}/{version} ({runtime}; {operating system}; {architecture})`: the service reads it from the
 * `Asrs-User-Agent` header (Azure/azure-signalr, ProductInfo and the SDK's HTTP client setup).
 *
 * @example
 * ```ts
 * const headers = { 'Asrs-User-Agent': productInfo() };
 * console.log(headers); // { 'Asrs-User-Agent': '@serverless-hub/core/0.1.0 (Node.js v22.12.0; Linux 6.8.0; x64)' }
 * ```
 *
 * Computed on first call, not at import: finding the package's own manifest goes through module resolution,
 * which an app that never makes a REST call should not pay for at cold start.
 */
export function productInfo(): string {
  productInfoText ??= `@serverless-hub/core/${packageVersion()} (Node.js ${process.version}; ${osModule().type()} ${osModule().release()}; ${osModule().arch()})`;
  return productInfoText;
}
