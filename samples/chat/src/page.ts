import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';

interface StaticFile {
  /** Where the file is; called on the first request for it, so start-up does no module resolution. */
  readonly locate: () => string;
  readonly contentType: string;
  loaded?: { readonly body: Buffer; readonly etag: string };
}

// `src/page.ts` and the built `dist/index.js` both sit one level below the package root.
const publicFile = (name: string) => (): string => fileURLToPath(new URL(`../public/${name}`, import.meta.url));
const packageFile = (specifier: string) => (): string => createRequire(import.meta.url).resolve(specifier);

// Paths are found on first use: resolving packages at import would add to every cold start of the app, for a
// page that most instances never serve. A missing file answers 500 and is logged by the host.
const page: StaticFile = { locate: publicFile('index.html'), contentType: 'text/html; charset=utf-8' };
const assets: ReadonlyMap<string, StaticFile> = new Map([
  ['chat.js', { locate: publicFile('chat.js'), contentType: 'text/javascript; charset=utf-8' }],
  ['chat.css', { locate: publicFile('chat.css'), contentType: 'text/css; charset=utf-8' }],
  // The official client is served by the app itself: the page must work without a CDN.
  [
    'signalr.min.js',
    {
      locate: packageFile('@microsoft/signalr/dist/browser/signalr.min.js'),
      contentType: 'text/javascript; charset=utf-8',
    },
  ],
  [
    'signalr-protocol-msgpack.min.js',
    {
      locate: packageFile('@microsoft/signalr-protocol-msgpack/dist/browser/signalr-protocol-msgpack.min.js'),
      contentType: 'text/javascript; charset=utf-8',
    },
  ],
]);

// The page talks to the app (same origin) and to the SignalR service, whose origin depends on the deployment.
const pageSecurityHeaders = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self' http: https: ws: wss:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
};

/**
 * Answers `GET /api/index` with the chat page.
 *
 * @example
 * ```ts
 * app.http('index', { methods: ['GET'], authLevel: 'anonymous', route: 'index', handler: servePage });
 * ```
 */
export function servePage(request: HttpRequest): HttpResponseInit {
  return serve(page, request, pageSecurityHeaders);
}

/**
 * Answers `GET /api/assets/{name}` with the page's script and style sheet and the official SignalR
 * client bundles; any other name is 404.
 *
 * @example
 * ```ts
 * app.http('assets', { methods: ['GET'], authLevel: 'anonymous', route: 'assets/{name}', handler: serveAsset });
 * ```
 */
export function serveAsset(request: HttpRequest): HttpResponseInit {
  const file = assets.get(request.params.name ?? '');
  if (file === undefined) {
    return { status: 404, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: 'No such asset.' };
  }
  return serve(file, request, {});
}

function serve(file: StaticFile, request: HttpRequest, extraHeaders: Record<string, string>): HttpResponseInit {
  const { body, etag } = load(file);
  const headers = {
    ...extraHeaders,
    'Content-Type': file.contentType,
    // Revalidate every time: the files change with each deployment, and a 304 costs almost nothing.
    'Cache-Control': 'no-cache',
    ETag: etag,
    'X-Content-Type-Options': 'nosniff',
  };
  if (request.headers.get('if-none-match') === etag) {
    return { status: 304, headers };
  }
  return { status: 200, headers, body };
}

function load(file: StaticFile): { readonly body: Buffer; readonly etag: string } {
  if (file.loaded === undefined) {
    const body = readFileSync(file.locate());
    const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"`;
    file.loaded = { body, etag };
  }
  return file.loaded;
}
