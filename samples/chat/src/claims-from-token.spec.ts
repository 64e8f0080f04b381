import { describe, expect, it } from 'vitest';
import { claimsFromToken } from './claims-from-token.js';

describe('claimsFromToken', () => {
  it('keeps user claims as text and drops the token’s own registered claims', () => {
    expect(
      claimsFromToken({
        sub: 'alice',
        name: 'Alice',
        admin: true,
        level: 3,
        iss: 'https://issuer',
        aud: 'api',
        exp: 1,
        nbf: 1,
        iat: 1,
        jti: 'id',
      }),
    ).toEqual({ sub: 'alice', name: 'Alice', admin: 'true', level: '3' });
  });

  it('turns arrays into repeated claims and objects into JSON text', () => {
    expect(claimsFromToken({ roles: ['a', 'b', null, 2], address: { city: 'Oslo' }, empty: [] })).toEqual({
      roles: ['a', 'b', '2'],
      address: '{"city":"Oslo"}',
    });
  });

  it('drops claims the service reserves, empty types and null values', () => {
    expect(
      claimsFromToken({ 'asrs.s.uid': 'mallory', 'asrs.s.derror': 'True', '': 'x', gone: null, kept: 'yes' }),
    ).toEqual({ kept: 'yes' });
  });

  it('keeps only the types asked for', () => {
    expect(
      claimsFromToken({ sub: 'alice', admin: true, name: 'Mallory, admin: true', exp: 1 }, ['admin', 'exp']),
    ).toEqual({ admin: 'true' });
  });
});
