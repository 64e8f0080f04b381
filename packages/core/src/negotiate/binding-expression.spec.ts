import { HttpRequest } from '@azure/functions';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { compileBindingExpression } from './binding-expression.js';

function request(url: string, headers: Record<string, string> = {}): HttpRequest {
  return new HttpRequest({ method: 'POST', url, headers });
}

const req = request('http://localhost/api/negotiate?user=bob&Tenant=t1&empty=', {
  'x-ms-client-principal-id': 'alice-id',
  'X-Custom': 'Custom Value',
  'x-empty': '',
});

describe('compileBindingExpression', () => {
  it('returns a literal as is', () => {
    expect(compileBindingExpression('fixed-user', 'userId')(req)).toBe('fixed-user');
  });

  it('reads headers case-insensitively', () => {
    expect(compileBindingExpression('{headers.x-ms-client-principal-id}', 'userId')(req)).toBe('alice-id');
    expect(compileBindingExpression('{headers.X-MS-CLIENT-PRINCIPAL-ID}', 'userId')(req)).toBe('alice-id');
    expect(compileBindingExpression('{Headers.x-custom}', 'userId')(req)).toBe('Custom Value');
  });

  it('reads query parameters, exactly first and then case-insensitively', () => {
    expect(compileBindingExpression('{query.user}', 'userId')(req)).toBe('bob');
    expect(compileBindingExpression('{query.tenant}', 'userId')(req)).toBe('t1');
    expect(compileBindingExpression('{QUERY.USER}', 'userId')(req)).toBe('bob');
  });

  it('gives undefined for a missing or empty value', () => {
    expect(compileBindingExpression('{headers.x-missing}', 'userId')(req)).toBeUndefined();
    expect(compileBindingExpression('{headers.x-empty}', 'userId')(req)).toBeUndefined();
    expect(compileBindingExpression('{query.nope}', 'userId')(req)).toBeUndefined();
    expect(compileBindingExpression('{query.empty}', 'userId')(req)).toBeUndefined();
  });

  it('concatenates literals and expressions, and gives undefined when any part is missing', () => {
    expect(compileBindingExpression('{query.Tenant}:{headers.x-ms-client-principal-id}!', 'userId')(req)).toBe(
      't1:alice-id!',
    );
    expect(compileBindingExpression('tenant:{headers.x-missing}', 'userId')(req)).toBeUndefined();
  });

  it.each([
    ['{headers.x', 'never closed'],
    ['user}', 'no matching'],
    ['{}', 'empty'],
    ['{headers.{x}}', 'nested'],
    ['{headers.}', 'header name'],
    ['{headers}', 'header name'],
    ['{headers.bad name}', 'header name'],
    ['{query.}', 'query parameter name'],
    ['{body.user}', 'not supported'],
    ['{rand-guid}', 'not supported'],
  ])('refuses %j at compile time with NEGOTIATE_OPTIONS_INVALID', (template, fragment) => {
    let caught: unknown;
    try {
      compileBindingExpression(template, 'userId');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ServerlessHubError);
    expect((caught as ServerlessHubError).code).toBe('NEGOTIATE_OPTIONS_INVALID');
    expect((caught as ServerlessHubError).message).toContain('userId');
    expect((caught as ServerlessHubError).message).toContain(fragment);
  });

  it('works on any request with Headers and URLSearchParams', () => {
    const plain = { headers: new Headers({ 'x-user': 'h' }), query: new URLSearchParams('u=q') };
    expect(compileBindingExpression('{headers.X-User}/{query.u}', 'userId')(plain)).toBe('h/q');
  });
});
