// What azure-functions-host sends the Node.js worker for an HTTP trigger
// (GrpcMessageConversionExtensions.ToRpcHttp, with the worker's UseNullableValueDictionaryForHttp,
// RawHttpBodyBytes and RpcHttpBodyOnly capabilities).
import { describe, expect, it } from 'vitest';
import { toRpcHttpRequest } from './rpc-http-request.js';

describe('toRpcHttpRequest', () => {
  it('lowercases header names and joins repeated headers with a comma', () => {
    const http = toRpcHttpRequest({
      method: 'GET',
      url: 'http://localhost:7071/api/x',
      rawHeaders: ['X-Multi', 'one', 'x-multi', 'two', 'Accept', 'a/b'],
      params: {},
      body: undefined,
    });
    expect(http.nullableHeaders).toEqual({ 'x-multi': { value: 'one,two' }, accept: { value: 'a/b' } });
  });

  it('joins repeated query parameters with a comma, comparing names without case, keeping empty values', () => {
    const http = toRpcHttpRequest({
      method: 'GET',
      url: 'http://localhost:7071/api/x?a=1&A=2&b=&c',
      rawHeaders: [],
      params: {},
      body: undefined,
    });
    expect(http.nullableQuery).toEqual({ a: { value: '1,2' }, b: { value: '' }, c: { value: '' } });
  });

  it('passes route parameters, the method and the full URL', () => {
    const http = toRpcHttpRequest({
      method: 'POST',
      url: 'http://localhost:7071/api/items/42?x=1',
      rawHeaders: [],
      params: { id: '42' },
      body: undefined,
    });
    expect(http).toMatchObject({
      method: 'POST',
      url: 'http://localhost:7071/api/items/42?x=1',
      nullableParams: { id: { value: '42' } },
    });
  });

  it('sends the body as bytes, and no body when there is none', () => {
    const bytes = new Uint8Array([1, 2, 3]);
    expect(
      toRpcHttpRequest({ method: 'POST', url: 'http://h/api/x', rawHeaders: [], params: {}, body: bytes }).body,
    ).toEqual({ bytes });
    expect(
      toRpcHttpRequest({ method: 'POST', url: 'http://h/api/x', rawHeaders: [], params: {}, body: new Uint8Array(0) })
        .body,
    ).toBeUndefined();
  });
});
