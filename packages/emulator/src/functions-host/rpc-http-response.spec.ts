// What the Functions host writes for the worker's answer to an HTTP invocation.
import { describe, expect, it } from 'vitest';
import { fromRpcHttpResponse } from './rpc-http-response.js';

describe('fromRpcHttpResponse', () => {
  it('answers 200 with an empty body when the function returned nothing', () => {
    expect(fromRpcHttpResponse(undefined)).toEqual({ status: 200, headers: [], cookies: [], body: new Uint8Array(0) });
    expect(fromRpcHttpResponse(null)?.status).toBe(200);
  });

  it('takes the status, headers and body, leaving framing headers to the host', () => {
    const answer = fromRpcHttpResponse({
      http: {
        statusCode: '201',
        headers: { location: '/x', 'content-length': '99', 'Transfer-Encoding': 'chunked' },
        body: { bytes: new Uint8Array([104, 105]) },
      },
    });
    expect(answer).toEqual({
      status: 201,
      headers: [['location', '/x']],
      cookies: [],
      body: new Uint8Array([104, 105]),
    });
    expect(fromRpcHttpResponse({ http: { body: { string: 'hé' } } })?.body).toEqual(new TextEncoder().encode('hé'));
  });

  it('writes cookies as ASP.NET Core does', () => {
    const answer = fromRpcHttpResponse({
      http: {
        statusCode: '200',
        cookies: [
          {
            name: 'session',
            value: 'a b',
            path: { value: '/' },
            httpOnly: { value: true },
            secure: { value: true },
            sameSite: 'lax',
            maxAge: { value: 60 },
          },
          { name: 'gone', value: '', expires: { value: { seconds: 0 } }, sameSite: 'explicitNone' },
        ],
      },
    });
    expect(answer?.cookies).toEqual([
      'session=a%20b; max-age=60; path=/; secure; samesite=lax; httponly',
      'gone=; expires=Thu, 01 Jan 1970 00:00:00 GMT; samesite=none',
    ]);
  });

  it('refuses a status the host cannot send', () => {
    expect(fromRpcHttpResponse({ http: { statusCode: '42' } })).toBeUndefined();
    expect(fromRpcHttpResponse({ http: { statusCode: 'abc' } })).toBeUndefined();
    expect(fromRpcHttpResponse({ http: { statusCode: '1000' } })).toBeUndefined();
  });
});
