// Property tests of the connection string parser: every valid string, however it is spelled (key case,
// order, spacing, unknown keys, trailing ";"), parses to the endpoint it describes; any other text, random
// or a mutation of a valid string, gives CONNECTION_STRING_INVALID and never echoes a secret.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { parseConnectionString } from './connection-string.js';
import type { ServiceEndpoint } from './service-endpoint.js';

const RUNS = 100;

/** Any UTF-16 text, lone surrogates and control characters included (cheaper than fc.string's binary unit). */
function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

// Recognizable secrets: a marker plus random letters, so a leak is found even when a mutation cuts them.
const alnum = fc.string({
  unit: fc.constantFrom(...Array.from('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')),
  minLength: 24,
  maxLength: 44,
});
const accessKey = alnum.map((text) => `AK${text}=`);
const clientSecret = alnum.map((text) => `CS${text}~`);

const scheme = fc.constantFrom('http', 'https');
const pathSegments = fc.array(fc.stringMatching(/^[a-z0-9]{1,8}$/), { maxLength: 2 });
const port = fc.integer({ min: 1, max: 65535 });

interface Parts {
  readonly scheme: string;
  readonly host: string;
  readonly path: string;
  readonly trailingSlashes: number;
  readonly port: number | undefined;
  readonly version: string | undefined;
}

const parts: fc.Arbitrary<Parts> = fc.record({
  scheme,
  host: fc.domain(),
  path: pathSegments.map((segments) => segments.map((segment) => `/${segment}`).join('')),
  trailingSlashes: fc.nat(2),
  port: fc.option(port, { nil: undefined }),
  version: fc.option(
    fc.nat(20).map((minor) => `1.${minor}`),
    { nil: undefined },
  ),
});

/** A spelling of `key=value`: key in any letter case, spaces around key and value. */
function pair(key: string, value: string): fc.Arbitrary<string> {
  return fc
    .tuple(fc.mixedCase(fc.constant(key)), fc.constantFrom('', ' ', '  '), fc.constantFrom('', ' ', '\t'))
    .map(([spelled, before, after]) => `${before}${spelled}${after}=${after}${value}${before}`);
}

/** Joins pairs in a random order with unknown keys, empty segments and an optional trailing ";". */
function connectionString(pairs: readonly fc.Arbitrary<string>[]): fc.Arbitrary<string> {
  const unknown = fc.array(
    fc
      .tuple(fc.stringMatching(/^X[a-z]{1,6}$/), fc.stringMatching(/^[^;]{0,10}$/))
      .map(([key, value]) => `${key}=${value}`),
    { maxLength: 2 },
  );
  return fc.tuple(fc.tuple(...pairs), unknown, fc.boolean()).chain(([written, extra, trailing]) => {
    const all = [
      ...written,
      ...extra.filter(
        (text, index, array) =>
          array.findIndex((other) => other.split('=')[0]?.toLowerCase() === text.split('=')[0]?.toLowerCase()) ===
          index,
      ),
    ];
    return fc
      .shuffledSubarray(all, { minLength: all.length, maxLength: all.length })
      .map((ordered) => `${ordered.join(';')}${trailing ? ';' : ''}`);
  });
}

function expectedBase(p: Parts): string {
  const defaultPort = p.scheme === 'https' ? 443 : 80;
  const shownPort = p.port === undefined || p.port === defaultPort ? '' : `:${p.port}`;
  return `${p.scheme}://${p.host}${shownPort}${p.path}`;
}

function endpointText(p: Parts): string {
  return `${p.scheme}://${p.host}${p.path}${'/'.repeat(p.trailingSlashes)}`;
}

function keyPairs(p: Parts): fc.Arbitrary<string>[] {
  const list = [pair('Endpoint', endpointText(p))];
  if (p.port !== undefined) list.push(pair('Port', String(p.port)));
  if (p.version !== undefined) list.push(pair('Version', p.version));
  return list;
}

function expectEndpoint(endpoint: ServiceEndpoint, p: Parts): void {
  expect(endpoint.endpoint).toBe(`${p.scheme}://${p.host}${p.path}`);
  expect(endpoint.clientEndpoint).toBe(expectedBase(p));
  expect(endpoint.serverEndpoint).toBe(expectedBase(p));
  expect(endpoint.port).toBe(p.port);
  expect(endpoint.version).toBe(p.version);
}

/** Parses, and checks that a failure is CONNECTION_STRING_INVALID whose message shows none of the secrets. */
function parseOrInvalid(text: string, secrets: readonly string[]): ServiceEndpoint | ServerlessHubError {
  try {
    return parseConnectionString(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    const typed = error as ServerlessHubError;
    expect(typed.code).toBe('CONNECTION_STRING_INVALID');
    for (const secret of secrets) expectNoPartOf(secret, typed.message);
    return typed;
  }
}

/** No 12-character stretch of `secret` appears in `text`: a cut or mutated secret is still found. */
function expectNoPartOf(secret: string, text: string): void {
  for (let start = 0; start + 12 <= secret.length; start++) {
    const part = secret.slice(start, start + 12);
    if (text.includes(part)) expect.fail(`"${part}" of a secret appears in: ${text}`);
  }
}

/** Random edits of a string: deletions, insertions (of separators too), case changes, duplications. */
function mutated(text: string): fc.Arbitrary<string> {
  const edit = fc.oneof(
    fc.tuple(fc.constant('delete' as const), fc.nat(text.length), fc.nat(8)),
    fc.tuple(
      fc.constant('insert' as const),
      fc.nat(text.length),
      fc.oneof(fc.constantFrom(';', '=', ' ', '/', ':', ';;', '=='), anyText(6)),
    ),
    fc.tuple(fc.constant('case' as const), fc.nat(text.length), fc.nat(12)),
    fc.tuple(fc.constant('duplicate' as const), fc.nat(text.length), fc.nat(20)),
  );
  return fc.array(edit, { minLength: 1, maxLength: 4 }).map((edits) => {
    let result = text;
    for (const [kind, at, amount] of edits) {
      const index = Math.min(at, result.length);
      if (kind === 'delete') result = result.slice(0, index) + result.slice(index + amount);
      else if (kind === 'insert') result = result.slice(0, index) + amount + result.slice(index);
      else if (kind === 'case')
        result =
          result.slice(0, index) + result.slice(index, index + amount).toUpperCase() + result.slice(index + amount);
      else result = result.slice(0, index) + result.slice(index, index + amount) + result.slice(index);
    }
    return result;
  });
}

describe('parseConnectionString properties', () => {
  it('an access-key string parses to the endpoint it describes, however it is spelled', () => {
    fc.assert(
      fc.property(
        parts.chain((p) =>
          fc
            .tuple(fc.constant(p), accessKey)
            .chain(([q, key]) =>
              fc.tuple(fc.constant(q), fc.constant(key), connectionString([...keyPairs(q), pair('AccessKey', key)])),
            ),
        ),
        ([p, key, text]) => {
          const endpoint = parseConnectionString(text);
          expectEndpoint(endpoint, p);
          expect(endpoint.auth).toEqual({ type: 'key' });
          expect(endpoint.auth.type === 'key' && endpoint.auth.accessKey).toBe(key);
          // The key is not enumerable: logging or serializing the endpoint does not reveal it.
          expect(JSON.stringify(endpoint)).not.toContain(key);
          expect(Object.isFrozen(endpoint)).toBe(true);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('an app-registration string parses with its client secret hidden', () => {
    const identity = fc.record({
      clientId: fc.uuid(),
      tenantId: fc.uuid(),
      secret: clientSecret,
      authType: fc.constantFrom('azure.app', 'aad'),
    });
    fc.assert(
      fc.property(
        parts.chain((p) =>
          identity.chain((id) =>
            fc.tuple(
              fc.constant(p),
              fc.constant(id),
              connectionString([
                ...keyPairs(p),
                pair('AuthType', id.authType),
                pair('ClientId', id.clientId),
                pair('TenantId', id.tenantId),
                pair('ClientSecret', id.secret),
              ]),
            ),
          ),
        ),
        ([p, id, text]) => {
          const endpoint = parseConnectionString(text);
          expectEndpoint(endpoint, p);
          expect(endpoint.auth).toEqual({ type: 'azure.app', clientId: id.clientId, tenantId: id.tenantId });
          expect((endpoint.auth as { clientSecret?: string }).clientSecret).toBe(id.secret);
          expect(JSON.stringify(endpoint)).not.toContain(id.secret);
        },
      ),
      { numRuns: RUNS },
    );
  });

  it('any text parses or gives CONNECTION_STRING_INVALID', () => {
    const pieces = fc.constantFrom(
      'Endpoint=',
      'AccessKey=',
      'Port=',
      'Version=',
      'AuthType=',
      'ClientEndpoint=',
      'https://',
      'http://a',
      ';',
      '=',
      ' ',
      '1.0',
      '99999',
      'azure.app',
      '@',
      '?q',
      '#f',
    );
    const text = fc.oneof(
      anyText(120),
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 8 })), { maxLength: 14 }).map((list) => list.join('')),
    );
    fc.assert(
      fc.property(text, (input) => {
        parseOrInvalid(input, []);
      }),
      { numRuns: RUNS * 3 },
    );
  });

  it('a mutated valid string parses or gives CONNECTION_STRING_INVALID, never showing the key or the secret', () => {
    const valid = fc
      .tuple(parts, accessKey, clientSecret, fc.boolean())
      .chain(([p, key, secret, identity]) =>
        connectionString(
          identity
            ? [
                ...keyPairs(p),
                pair('AuthType', 'azure.app'),
                pair('ClientId', 'id'),
                pair('TenantId', 't'),
                pair('ClientSecret', secret),
                pair('AccessKey', key),
              ]
            : [...keyPairs(p), pair('AccessKey', key)],
        ).chain((text) => fc.tuple(fc.constant([key, secret] as const), mutated(text))),
      );
    fc.assert(
      fc.property(valid, ([secrets, text]) => {
        const result = parseOrInvalid(text, secrets);
        if (!(result instanceof ServerlessHubError)) {
          // Secrets stay non-enumerable. (A mutation that deletes a ";" may move a secret into another
          // value, such as Endpoint or ClientId, which is then the user's own text.)
          expect(Object.keys(result.auth)).not.toContain('accessKey');
          expect(Object.keys(result.auth)).not.toContain('clientSecret');
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('non-string input gives CONNECTION_STRING_INVALID', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((value) => typeof value !== 'string'),
        (value) => {
          parseOrInvalid(value as string, []);
          expect(() => parseConnectionString(value as string)).toThrow(ServerlessHubError);
        },
      ),
      { numRuns: 100 },
    );
  });
});
