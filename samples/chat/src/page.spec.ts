import { HttpRequest } from '@azure/functions';
import type { HttpResponseInit } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { serveAsset, servePage } from './page.js';

function get(path: string, params: Record<string, string> = {}, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: 'GET', url: `http://localhost:7071/api/${path}`, params, headers });
}

function header(response: HttpResponseInit, name: string): string | undefined {
  return (response.headers as Record<string, string> | undefined)?.[name];
}

function bodyText(response: HttpResponseInit): string {
  return Buffer.from(response.body as Uint8Array).toString('utf8');
}

describe('page functions', () => {
  it('serves the page with a content security policy that allows no inline script', () => {
    const response = servePage(get('index'));
    expect(response.status).toBe(200);
    expect(header(response, 'Content-Type')).toBe('text/html; charset=utf-8');
    expect(header(response, 'Content-Security-Policy')).toContain("script-src 'self'");
    expect(bodyText(response)).toContain('<script src="assets/signalr.min.js"></script>');
  });

  it('serves the official client bundles and the page assets from the app', () => {
    const client = serveAsset(get('assets/signalr.min.js', { name: 'signalr.min.js' }));
    expect(client.status).toBe(200);
    expect(header(client, 'Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(bodyText(client)).toContain('HubConnectionBuilder');
    const msgpack = serveAsset(
      get('assets/signalr-protocol-msgpack.min.js', { name: 'signalr-protocol-msgpack.min.js' }),
    );
    expect(bodyText(msgpack)).toContain('MessagePackHubProtocol');
    expect(header(serveAsset(get('assets/chat.css', { name: 'chat.css' })), 'Content-Type')).toBe(
      'text/css; charset=utf-8',
    );
    expect(bodyText(serveAsset(get('assets/chat.js', { name: 'chat.js' })))).toContain("connection.invoke('whoami')");
  });

  it('answers 304 when the browser has the current version', () => {
    const first = serveAsset(get('assets/chat.js', { name: 'chat.js' }));
    const etag = header(first, 'ETag');
    expect(etag).toMatch(/^"[\w-]{22}"$/);
    const again = serveAsset(get('assets/chat.js', { name: 'chat.js' }, { 'if-none-match': etag ?? '' }));
    expect(again.status).toBe(304);
    expect(again.body).toBeUndefined();
    expect(serveAsset(get('assets/chat.js', { name: 'chat.js' }, { 'if-none-match': '"stale"' })).status).toBe(200);
  });

  it('answers 404 to any other asset name, files beside the page included', () => {
    for (const name of ['index.html', '../package.json', 'signalr.js', '', 'CHAT.JS']) {
      expect(serveAsset(get(`assets/${name}`, { name })).status).toBe(404);
    }
  });
});
