import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { formatClaimsHeader, parseClaimsHeader } from './claims-header.js';

const NAME_URI = 'http://schemas.xmlsoap.org/ws/2005/05/identity/claims/name';

describe('parseClaimsHeader', () => {
  it('reads "type: value" entries separated by ", " as the service writes them', () => {
    const claims = parseClaimsHeader('sub: u1, asrs.s.uid: u1, aud: https://x.service.signalr.net/client/?hub=chat');
    expect({ ...claims.first }).toEqual({
      sub: 'u1',
      'asrs.s.uid': 'u1',
      aud: 'https://x.service.signalr.net/client/?hub=chat',
    });
  });

  it('keeps every value of a repeated claim type, in order, and the first value in the C# view', () => {
    const claims = parseClaimsHeader('role: admin, sub: u1, role: ops, role: admin');
    expect(claims.all.role).toEqual(['admin', 'ops', 'admin']);
    expect(claims.first.role).toBe('admin');
    expect(claims.all.sub).toEqual(['u1']);
  });

  it('accepts "," without a space and several spaces as separators', () => {
    expect({ ...parseClaimsHeader('a: 1,b: 2,   c: 3').first }).toEqual({ a: '1', b: '2', c: '3' });
  });

  it('keeps values that contain commas, colons and ": " when no claim type follows the comma', () => {
    const claims = parseClaimsHeader(`name: Smith, John, list: a,b,c, time: 12:30, note: x: y, ${NAME_URI}: Jane`);
    expect(claims.first.name).toBe('Smith, John');
    expect(claims.first.list).toBe('a,b,c');
    expect(claims.first.time).toBe('12:30');
    expect(claims.first.note).toBe('x: y');
    expect(claims.first[NAME_URI]).toBe('Jane');
  });

  it('reads URI claim types up to their first ": "', () => {
    expect(parseClaimsHeader(`${NAME_URI}: alice`).all[NAME_URI]).toEqual(['alice']);
  });

  it('keeps empty values, including a trailing one whose space the HTTP stack trimmed', () => {
    const claims = parseClaimsHeader('a: , b: 2, c:');
    expect(claims.all).toEqual({ a: [''], b: ['2'], c: [''] });
  });

  it('gives no claims for a missing, empty or entry-less header, and ignores text before the first entry', () => {
    expect(Object.keys(parseClaimsHeader(undefined).all)).toEqual([]);
    expect(Object.keys(parseClaimsHeader('').all)).toEqual([]);
    expect(Object.keys(parseClaimsHeader('no claims here').all)).toEqual([]);
    expect({ ...parseClaimsHeader('garbage, sub: u1').first }).toEqual({ sub: 'u1' });
  });

  it('reads a value containing ", <type>: " as two claims (the documented ambiguity)', () => {
    expect({ ...parseClaimsHeader('motto: work, play: hard').first }).toEqual({ motto: 'work', play: 'hard' });
  });

  it('treats claim types such as __proto__ and constructor as plain keys', () => {
    const claims = parseClaimsHeader('__proto__: polluted, constructor: x');
    expect(claims.first.__proto__).toBe('polluted');
    expect(claims.first.constructor).toBe('x');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('returns frozen views', () => {
    const claims = parseClaimsHeader('role: a, role: b');
    expect(Object.isFrozen(claims.first)).toBe(true);
    expect(Object.isFrozen(claims.all)).toBe(true);
    expect(Object.isFrozen(claims.all.role)).toBe(true);
  });
});

describe('formatClaimsHeader', () => {
  it('writes entries as the service does, once per value', () => {
    expect(
      formatClaimsHeader([
        ['sub', 'u1'],
        ['role', 'admin'],
        ['role', 'ops'],
      ]),
    ).toBe('sub: u1, role: admin, role: ops');
    expect(formatClaimsHeader({ sub: 'u1', role: ['admin', 'ops'] })).toBe('sub: u1, role: admin, role: ops');
    expect(formatClaimsHeader([])).toBe('');
  });

  it('round-trips through parseClaimsHeader for unambiguous values', () => {
    const written = formatClaimsHeader({ name: 'Smith, John', role: ['a', 'b'], [NAME_URI]: 'x: y' });
    const parsed = parseClaimsHeader(written);
    expect(parsed.all).toEqual({ name: ['Smith, John'], role: ['a', 'b'], [NAME_URI]: ['x: y'] });
  });

  it('refuses types or values that would break the header line', () => {
    for (const claims of [{ '': 'x' }, { a: 'line\nbreak' }, { 'a\r': 'x' }, { a: 'nul\0' }]) {
      expect(() => formatClaimsHeader(claims)).toThrow(ServerlessHubError);
    }
    try {
      formatClaimsHeader({ a: 'x\ny' });
    } catch (error) {
      expect((error as ServerlessHubError).code).toBe('CLAIMS_INVALID');
    }
  });
});
