import { inspect } from 'node:util';
import { describe, expect, it } from 'vitest';
import { createHubInvocationContext } from './hub-invocation-context.js';
import { headersFromFetch, headersFromRecord } from './request-headers.js';
import type { RequestHeaders } from './request-headers.js';
import { upstreamInvocationContext } from './upstream-invocation-context.js';
import type { UpstreamInvocationContextFields } from './upstream-invocation-context.js';

const FIELDS: UpstreamInvocationContextFields = {
  connectionId: 'c1',
  userId: 'u1',
  hub: 'chat',
  category: 'messages',
  event: 'send',
  arguments: Object.freeze(['hi']),
  error: undefined,
  invocationId: '7',
  protocol: 'json',
  stream: false,
};

const RAW = {
  'X-ASRS-User-Claims': 'sub: u1, role: admin, role: ops',
  'X-ASRS-Client-Query': '?room=a&tag=x&tag=y',
  'X-Custom': 'yes',
  'X-ASRS-Signature': 'sha256=00',
};

/** Counts how often the context asks its headers for each thing. */
function counting(headers: RequestHeaders): { headers: RequestHeaders; reads: Map<string, number> } {
  const reads = new Map<string, number>();
  const count = (key: string): void => {
    reads.set(key, (reads.get(key) ?? 0) + 1);
  };
  return {
    reads,
    headers: {
      get: (name) => {
        count(name);
        return headers.get(name);
      },
      credentials: () => headers.credentials(),
      contextHeaders: () => {
        count('*');
        return headers.contextHeaders();
      },
    },
  };
}

describe('upstreamInvocationContext', () => {
  it('reads claims, query and headers only when asked, once each, and returns the same frozen objects', () => {
    const { headers, reads } = counting(headersFromRecord(RAW));
    const context = upstreamInvocationContext(FIELDS, headers);
    expect(context.connectionId).toBe('c1');
    expect(reads.size).toBe(0);

    expect(context.claims.role).toBe('admin');
    expect(context.claimValues.role).toEqual(['admin', 'ops']);
    expect(context.claims).toBe(context.claims);
    expect(reads.get('x-asrs-user-claims')).toBe(1);
    expect(reads.has('x-asrs-client-query')).toBe(false);

    expect(context.queryValues.tag).toEqual(['x', 'y']);
    expect(context.query.room).toBe('a');
    expect(reads.get('x-asrs-client-query')).toBe(1);

    expect(context.headers['x-custom']).toBe('yes');
    expect(context.headers).toBe(context.headers);
    expect(reads.get('*')).toBe(1);
    for (const value of [
      context,
      context.claims,
      context.claimValues,
      context.claimValues.role,
      context.query,
      context.queryValues,
      context.headers,
    ]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
  });

  it('cannot be changed from outside', () => {
    const context = upstreamInvocationContext(FIELDS, headersFromRecord(RAW)) as unknown as Record<string, unknown>;
    expect(() => {
      context.claims = {};
    }).toThrow(TypeError);
    expect(() => {
      context.userId = 'other';
    }).toThrow(TypeError);
    expect(() => Object.defineProperty(context, 'query', { value: {} })).toThrow(TypeError);
    expect(context.userId).toBe('u1');
    expect((context.claims as Record<string, string>).sub).toBe('u1');
  });

  it('shows the same keys, in the same order, and the same values as a plain context', () => {
    const context = upstreamInvocationContext(FIELDS, headersFromRecord(RAW));
    const plain = createHubInvocationContext({
      ...FIELDS,
      claims: { sub: 'u1', role: ['admin', 'ops'] },
      query: { room: 'a', tag: ['x', 'y'] },
      headers: {
        'x-asrs-user-claims': RAW['X-ASRS-User-Claims'],
        'x-asrs-client-query': RAW['X-ASRS-Client-Query'],
        'x-custom': 'yes',
      },
    });
    expect(Object.keys(context)).toEqual(Object.keys(plain));
    expect({ ...context }).toEqual({ ...plain });
    expect(context).toEqual(plain);
    expect(JSON.parse(JSON.stringify(context))).toEqual(JSON.parse(JSON.stringify(plain)));
    expect(inspect(context)).toBe(inspect({ ...plain }));
    expect(context.headers['x-asrs-signature']).toBeUndefined();
  });

  it('gives empty frozen views for absent or malformed claims and query headers, never throwing', () => {
    const empty = upstreamInvocationContext(FIELDS, headersFromRecord({}));
    expect(Object.keys(empty.claims)).toEqual([]);
    expect(Object.keys(empty.queryValues)).toEqual([]);
    const odd = upstreamInvocationContext(
      FIELDS,
      headersFromRecord({ 'x-asrs-user-claims': 'no claims here', 'x-asrs-client-query': '?%zz=%&a' }),
    );
    expect(Object.keys(odd.claims)).toEqual([]);
    expect({ ...odd.query }).toEqual({ '%zz': '%', a: '' });
    expect(Object.isFrozen(odd.query)).toBe(true);
  });

  it('reads Fetch Headers in place, leaving credentials out of the context headers', () => {
    const fetchHeaders = new Headers({ ...RAW, Authorization: 'Bearer t', 'Content-Type': 'application/json' });
    fetchHeaders.append('x-custom', 'again');
    const headers = headersFromFetch(fetchHeaders);
    expect(headers.get('content-type')).toBe('application/json');
    expect(headers.credentials()).toEqual({ 'x-asrs-signature': 'sha256=00', authorization: 'Bearer t' });
    const context = upstreamInvocationContext(FIELDS, headers);
    expect({ ...context.headers }).toEqual({
      'content-type': 'application/json',
      'x-asrs-client-query': RAW['X-ASRS-Client-Query'],
      'x-asrs-user-claims': RAW['X-ASRS-User-Claims'],
      'x-custom': 'yes, again',
    });
    expect(context.claimValues.role).toEqual(['admin', 'ops']);
  });
});
