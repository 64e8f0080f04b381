import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { claimsHeaderValue, connectionUpstreamHeaders, headerSafe } from './upstream-headers.js';

function hmacHex(key: string, message: string): string {
  return createHmac('sha256', key).update(message).digest('hex');
}

describe('upstream headers', () => {
  // Azure/azure-sdk-for-net, SignalRTriggerUtils.GetSignatureList splits on ',' without trimming.
  it('signs the connection id with each key, uppercase hex, entries separated by "," with no space', () => {
    const signature =
      connectionUpstreamHeaders(
        { connectionId: 'conn-1', hub: 'chat', userId: undefined, claims: {}, clientQuery: '' },
        ['primary-key', 'secondary-key'],
      )['X-ASRS-Signature'] ?? '';
    const entries = signature.split(',');
    expect(entries).toHaveLength(2);
    expect(entries[0]).toBe(`sha256=${hmacHex('primary-key', 'conn-1').toUpperCase()}`);
    expect(entries[1]).toBe(`sha256=${hmacHex('secondary-key', 'conn-1').toUpperCase()}`);
    expect(entries[0]).toMatch(/^sha256=[0-9A-F]{64}$/);
  });

  it('lists claims as "type: value", one entry per value of a repeated claim', () => {
    expect(
      claimsHeaderValue({
        'asrs.s.uid': 'ann',
        role: ['admin', 'editor'],
        exp: 1700000000,
        admin: true,
        empty: null,
        nested: { a: 1 },
      }),
    ).toBe('asrs.s.uid: ann, role: admin, role: editor, exp: 1700000000, admin: true, nested: {"a":1}');
    expect(claimsHeaderValue({})).toBe('');
    expect(claimsHeaderValue({ note: 'two\nlines' })).toBe('note: two lines');
  });

  it('keeps header values on one line and carries characters beyond Latin-1 as UTF-8 bytes', () => {
    expect(headerSafe('a\r\nX-Injected: 1')).toBe('a X-Injected: 1');
    const encoded = headerSafe('名前');
    expect(Buffer.from(encoded, 'latin1').toString('utf8')).toBe('名前');
  });

  it('sends the user, claims and query only when there are some', () => {
    const anonymous = connectionUpstreamHeaders(
      { connectionId: 'c', hub: 'chat', userId: undefined, claims: {}, clientQuery: '' },
      ['k'],
    );
    expect(Object.keys(anonymous).sort()).toEqual(['X-ASRS-Connection-Id', 'X-ASRS-Hub', 'X-ASRS-Signature']);
    const known = connectionUpstreamHeaders(
      { connectionId: 'c', hub: 'chat', userId: 'ann', claims: { a: 'b' }, clientQuery: '?hub=chat' },
      ['k'],
    );
    expect(known['X-ASRS-User-Id']).toBe('ann');
    expect(known['X-ASRS-User-Claims']).toBe('a: b');
    expect(known['X-ASRS-Client-Query']).toBe('?hub=chat');
  });
});
