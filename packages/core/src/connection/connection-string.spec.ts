import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { parseConnectionString } from './connection-string.js';

const EMULATOR =
  'Endpoint=http://localhost;Port=8888;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;';
const SECRET_KEY = 'SECRET-ACCESS-KEY-7f3a9c';
const SECRET_CLIENT = 'SECRET-CLIENT-SECRET-55e1';

function parseError(text: string): ServerlessHubError {
  try {
    parseConnectionString(text);
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    return error as ServerlessHubError;
  }
  throw new Error('expected parseConnectionString to throw');
}

function expectInvalid(text: string, ...fragments: string[]): ServerlessHubError {
  const error = parseError(text);
  expect(error.code).toBe('CONNECTION_STRING_INVALID');
  for (const fragment of fragments) expect(error.message).toContain(fragment);
  return error;
}

describe('parseConnectionString', () => {
  it('parses the official emulator string with Port applied to client and server URLs', () => {
    const endpoint = parseConnectionString(EMULATOR);
    expect(endpoint.endpoint).toBe('http://localhost');
    expect(endpoint.clientEndpoint).toBe('http://localhost:8888');
    expect(endpoint.serverEndpoint).toBe('http://localhost:8888');
    expect(endpoint.port).toBe(8888);
    expect(endpoint.version).toBe('1.0');
    expect(endpoint.auth.type).toBe('key');
    expect(endpoint.auth.type === 'key' && endpoint.auth.accessKey).toBe(
      'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH',
    );
  });

  it('treats keys case-insensitively and trims keys and values', () => {
    const endpoint = parseConnectionString(
      '  eNdPoInT = https://a.service.signalr.net/ ;  ACCESSKEY =  k=ey==  ; version=1.0',
    );
    expect(endpoint.endpoint).toBe('https://a.service.signalr.net');
    expect(endpoint.clientEndpoint).toBe('https://a.service.signalr.net');
    // split on the first '=' only: the rest belongs to the value
    expect(endpoint.auth.type === 'key' && endpoint.auth.accessKey).toBe('k=ey==');
  });

  it('keeps the access key as written (its UTF-8 bytes sign tokens; it is not base64-decoded)', () => {
    const endpoint = parseConnectionString('Endpoint=https://a.b;AccessKey=aGVsbG8=');
    expect(endpoint.auth.type === 'key' && endpoint.auth.accessKey).toBe('aGVsbG8=');
  });

  it('ignores pairs without "=", empty segments, empty keys and unknown keys', () => {
    const endpoint = parseConnectionString(';;garbage;Endpoint=https://a.b;=orphan;Foo=bar;AccessKey=k;;');
    expect(endpoint.endpoint).toBe('https://a.b');
    expect(Object.keys(endpoint).sort()).toEqual(['auth', 'clientEndpoint', 'endpoint', 'serverEndpoint']);
  });

  it('removes every trailing "/" of Endpoint, ClientEndpoint and ServerEndpoint', () => {
    const endpoint = parseConnectionString(
      'Endpoint=https://a.b//;AccessKey=k;ClientEndpoint=https://c.d/base/;ServerEndpoint=http://s.e:8080/x//',
    );
    expect(endpoint.endpoint).toBe('https://a.b');
    expect(endpoint.clientEndpoint).toBe('https://c.d/base');
    expect(endpoint.serverEndpoint).toBe('http://s.e:8080/x');
  });

  it('applies Port to Endpoint only, not to ClientEndpoint / ServerEndpoint, and overrides a port in Endpoint', () => {
    const a = parseConnectionString(
      'Endpoint=http://localhost:1234;Port=8888;AccessKey=k;ClientEndpoint=https://cdn.example.com',
    );
    expect(a.endpoint).toBe('http://localhost:1234');
    expect(a.clientEndpoint).toBe('https://cdn.example.com');
    expect(a.serverEndpoint).toBe('http://localhost:8888');
    const b = parseConnectionString('Endpoint=https://x.y/path;Port=444;AccessKey=k;ServerEndpoint=https://internal');
    expect(b.clientEndpoint).toBe('https://x.y:444/path');
    expect(b.serverEndpoint).toBe('https://internal');
  });

  it('accepts the port limits 1 and 65535; a default port disappears from the URL', () => {
    expect(parseConnectionString('Endpoint=http://h;Port=1;AccessKey=k').clientEndpoint).toBe('http://h:1');
    expect(parseConnectionString('Endpoint=http://h;Port=65535;AccessKey=k').clientEndpoint).toBe('http://h:65535');
    expect(parseConnectionString('Endpoint=https://h;Port=443;AccessKey=k').clientEndpoint).toBe('https://h');
  });

  it.each(['0', '65536', '-1', '80.5', 'abc', '', ' 8 8', '1e3', '0x50', '123456'])('refuses Port=%j', (port) => {
    expectInvalid(`Endpoint=http://h;AccessKey=k;Port=${port}`, 'Port', '1 to 65535');
  });

  it.each(['1.0', '1.1', '1.0-preview', '1.12.beta_2', '1.0.0'])('accepts Version=%s', (version) => {
    expect(parseConnectionString(`Endpoint=http://h;AccessKey=k;Version=${version}`).version).toBe(version);
  });

  it.each(['2.0', '1', '1.', 'v1.0', '1.0 beta', '1.x', '', '1.0/'])('refuses Version=%j', (version) => {
    expectInvalid(`Endpoint=http://h;AccessKey=k;Version=${version}`, 'Version', '1.0');
  });

  it('refuses a missing or empty string', () => {
    expectInvalid('', 'empty');
    expectInvalid('   ', 'empty');
    expectInvalid(undefined as unknown as string, 'expected a string');
  });

  it('refuses a missing Endpoint', () => {
    expectInvalid('AccessKey=k;Version=1.0', 'Endpoint is missing');
  });

  it.each([
    ['', 'Endpoint is empty'],
    ['/', 'Endpoint is empty'],
    ['localhost', 'not an absolute http or https URL'],
    ['ftp://host', 'not an absolute http or https URL'],
    ['ws://host', 'not an absolute http or https URL'],
    ['//host', 'not an absolute http or https URL'],
    ['https://user:pw@host', 'user credentials'],
    ['https://host/?a=b', 'query string or fragment'],
    ['https://host/#frag', 'query string or fragment'],
  ])('refuses Endpoint=%j', (value, fragment) => {
    expectInvalid(`Endpoint=${value};AccessKey=k`, 'Endpoint', fragment);
  });

  it.each(['ClientEndpoint', 'ServerEndpoint'])('refuses an invalid %s', (key) => {
    expectInvalid(`Endpoint=https://a.b;AccessKey=k;${key}=not a url`, key, 'absolute http or https URL');
    expectInvalid(`Endpoint=https://a.b;AccessKey=k;${key}=wss://a.b`, key);
    expectInvalid(`Endpoint=https://a.b;AccessKey=k;${key}=`, `${key} is empty`);
  });

  it('refuses duplicate keys, whatever their case, naming the key', () => {
    expectInvalid('Endpoint=https://a.b;AccessKey=k;endpoint=https://c.d', 'Endpoint', 'more than once');
    expectInvalid('Endpoint=https://a.b;AccessKey=k;ACCESSKEY=k2', 'AccessKey', 'more than once');
    expectInvalid('Endpoint=https://a.b;AccessKey=k;Custom=1;custom=2', 'unrecognized key appears more than once');
  });

  it('requires AccessKey without AuthType, and refuses an empty one', () => {
    expectInvalid('Endpoint=https://a.b', 'AccessKey is missing', 'AuthType');
    expectInvalid('Endpoint=https://a.b;AccessKey=', 'AccessKey is empty');
    expectInvalid('Endpoint=https://a.b;AccessKey=   ', 'AccessKey is empty');
  });

  it('parses AuthType=azure (AccessKey and ClientId are not needed and ignored)', () => {
    const endpoint = parseConnectionString('Endpoint=https://a.b;AuthType=Azure;AccessKey=ignored;ClientId=c');
    expect(endpoint.auth).toEqual({ type: 'azure' });
  });

  it('parses AuthType=azure.msi with and without ClientId', () => {
    expect(parseConnectionString('Endpoint=https://a.b;AuthType=azure.msi').auth).toEqual({ type: 'azure.msi' });
    expect(parseConnectionString('Endpoint=https://a.b;AuthType=azure.msi;ClientId=abc').auth).toEqual({
      type: 'azure.msi',
      clientId: 'abc',
    });
    expectInvalid('Endpoint=https://a.b;AuthType=azure.msi;ClientId=', 'ClientId is empty');
  });

  it('parses AuthType=azure.app with a client secret or a certificate path', () => {
    const withSecret = parseConnectionString(
      `Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientSecret=${SECRET_CLIENT}`,
    );
    expect(withSecret.auth).toEqual({ type: 'azure.app', clientId: 'c', tenantId: 't' });
    expect(withSecret.auth.type === 'azure.app' && withSecret.auth.clientSecret).toBe(SECRET_CLIENT);
    const withCert = parseConnectionString(
      'Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientCert=/certs/app.pem',
    );
    expect(withCert.auth).toEqual({ type: 'azure.app', clientId: 'c', tenantId: 't', clientCert: '/certs/app.pem' });
    expect(withCert.auth.type === 'azure.app' && withCert.auth.clientSecret).toBeUndefined();
  });

  it('refuses AuthType=azure.app without its companions, naming what is missing', () => {
    expectInvalid('Endpoint=https://a.b;AuthType=azure.app;TenantId=t;ClientSecret=s', 'needs ClientId');
    expectInvalid('Endpoint=https://a.b;AuthType=azure.app;ClientId=c;ClientSecret=s', 'needs TenantId');
    expectInvalid('Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t', 'needs ClientSecret or ClientCert');
    expectInvalid('Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=;ClientSecret=s', 'TenantId is empty');
    expectInvalid(
      'Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientSecret=',
      'ClientSecret is empty',
    );
  });

  it('maps the legacy AuthType=aad like the official SDK', () => {
    expect(parseConnectionString('Endpoint=https://a.b;AuthType=aad').auth).toEqual({ type: 'azure.msi' });
    expect(parseConnectionString('Endpoint=https://a.b;AuthType=AAD;ClientId=c').auth).toEqual({
      type: 'azure.msi',
      clientId: 'c',
    });
    const app = parseConnectionString('Endpoint=https://a.b;AuthType=aad;ClientId=c;TenantId=t;ClientSecret=s');
    expect(app.auth).toEqual({ type: 'azure.app', clientId: 'c', tenantId: 't' });
    expect(app.auth.type === 'azure.app' && app.auth.clientSecret).toBe('s');
    const cert = parseConnectionString('Endpoint=https://a.b;AuthType=aad;ClientId=c;TenantId=t;ClientCert=/p.pem');
    expect(cert.auth).toEqual({ type: 'azure.app', clientId: 'c', tenantId: 't', clientCert: '/p.pem' });
    expectInvalid('Endpoint=https://a.b;AuthType=aad;ClientId=c;TenantId=t', 'needs ClientSecret or ClientCert');
  });

  it('accepts GUIDs and domain names as ClientId / TenantId, and refuses values that cannot be ids', () => {
    const guid = '3f2504e0-4f89-11d3-9a0c-0305e82c3301';
    const app = parseConnectionString(
      `Endpoint=https://a.b;AuthType=azure.app;ClientId=${guid};TenantId=contoso.onmicrosoft.com;ClientSecret=s`,
    );
    expect(app.auth).toEqual({ type: 'azure.app', clientId: guid, tenantId: 'contoso.onmicrosoft.com' });
    // a missing ';' runs the next pair into the id: refused, and the secret is not echoed
    const error = expectInvalid(
      `Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t AccessKey=${SECRET_KEY};ClientSecret=s`,
      'TenantId',
      'not a valid id',
    );
    expect(error.message).not.toContain(SECRET_KEY);
    expectInvalid('Endpoint=https://a.b;AuthType=azure.msi;ClientId=a+b/c=', 'ClientId', 'not a valid id');
    expectInvalid('Endpoint=https://a.b;AuthType=azure.msi;ClientId=-leading', 'ClientId');
  });

  it('refuses an unknown AuthType, listing the valid ones', () => {
    expectInvalid('Endpoint=https://a.b;AuthType=ManagedIdentity', 'AuthType', 'azure, azure.msi, azure.app, aad');
    expectInvalid('Endpoint=https://a.b;AuthType=;AccessKey=k', 'AuthType');
  });

  it('returns a frozen endpoint with a frozen auth', () => {
    const endpoint = parseConnectionString(EMULATOR);
    expect(Object.isFrozen(endpoint)).toBe(true);
    expect(Object.isFrozen(endpoint.auth)).toBe(true);
  });

  it('keeps secrets out of JSON, object spreads and inspection of the endpoint', async () => {
    const { inspect } = await import('node:util');
    const keyed = parseConnectionString(`Endpoint=https://a.b;AccessKey=${SECRET_KEY}`);
    const app = parseConnectionString(
      `Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientSecret=${SECRET_CLIENT}`,
    );
    for (const text of [
      JSON.stringify(keyed),
      JSON.stringify(app),
      inspect(keyed, { depth: 5 }),
      inspect(app, { depth: 5 }),
      JSON.stringify({ ...app.auth }),
    ]) {
      expect(text).not.toContain(SECRET_KEY);
      expect(text).not.toContain(SECRET_CLIENT);
    }
  });

  it('never puts the access key, the client secret or any value in an error message', () => {
    const broken = [
      `Endpoint=https://a.b,AccessKey=${SECRET_KEY}`, // missing ';': the key lands inside Endpoint
      `Endpoint=${SECRET_KEY};AccessKey=${SECRET_KEY}`,
      `Endpoint=https://a.b;AccessKey=${SECRET_KEY};accesskey=${SECRET_KEY}`,
      `Endpoint=https://a.b;AccessKey=${SECRET_KEY};Port=${SECRET_KEY}`,
      `Endpoint=https://a.b;AccessKey=${SECRET_KEY};Version=${SECRET_KEY}`,
      `Endpoint=https://a.b;AccessKey=${SECRET_KEY};ClientEndpoint=${SECRET_KEY}`,
      `Endpoint=https://a.b;AccessKey=${SECRET_KEY};ServerEndpoint=https://h/?k=${SECRET_KEY}`,
      `Endpoint=https://u:${SECRET_KEY}@a.b;AccessKey=k`,
      `Endpoint=https://a.b;AuthType=${SECRET_CLIENT}`,
      `Endpoint=https://a.b;AuthType=azure.app;ClientId=c;ClientSecret=${SECRET_CLIENT}`,
      `Endpoint=https://a.b;AuthType=azure.app;TenantId=t;ClientSecret=${SECRET_CLIENT}`,
      `Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientSecret=${SECRET_CLIENT};clientsecret=${SECRET_CLIENT}`,
      `AccessKey=${SECRET_KEY}`,
      `Endpoint=https://a.b;AccessKey=k;${SECRET_KEY}==;${SECRET_KEY}==`, // a pasted key without its name, twice
    ];
    for (const text of broken) {
      const error = parseError(text);
      const everything = `${error.message}\n${String(error.stack)}\n${String(error.cause)}`;
      expect(everything).not.toContain(SECRET_KEY);
      expect(everything).not.toContain(SECRET_CLIENT);
    }
  });
});
