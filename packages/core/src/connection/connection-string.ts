import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { ServiceAuth, ServiceEndpoint } from './service-endpoint.js';

// Lowercased key → the spelling used in error messages.
const KNOWN_KEYS = {
  endpoint: 'Endpoint',
  accesskey: 'AccessKey',
  version: 'Version',
  port: 'Port',
  clientendpoint: 'ClientEndpoint',
  serverendpoint: 'ServerEndpoint',
  authtype: 'AuthType',
  clientid: 'ClientId',
  tenantid: 'TenantId',
  clientsecret: 'ClientSecret',
  clientcert: 'ClientCert',
} as const;

/** A connection string key, lowercased. */
export type ConnectionStringKey = keyof typeof KNOWN_KEYS;

// The service SDK accepts 1.x only; `[\w-.]` of the official pattern, written so it also parses in `u` mode.
const VERSION_PATTERN = /^1\.\d+(?:[\w.-]+)?$/;
const PORT_PATTERN = /^\d{1,5}$/;
const AUTH_TYPES = ['azure', 'azure.msi', 'azure.app', 'aad'] as const;

function invalid(message: string): ServerlessHubError {
  return new ServerlessHubError('CONNECTION_STRING_INVALID', `Invalid Azure SignalR connection string: ${message}`);
}

function isConnectionStringKey(key: string): key is ConnectionStringKey {
  return Object.hasOwn(KNOWN_KEYS, key);
}

/**
 * Splits the text into its known keys. Values never reach an error message: a missing `;` can put an
 * access key inside any other value.
 */
function readPairs(text: string): Map<ConnectionStringKey, string> {
  const pairs = new Map<ConnectionStringKey, string>();
  const seen = new Set<string>();
  for (const segment of text.split(';')) {
    const separator = segment.indexOf('=');
    if (separator < 0) continue;
    const key = segment.slice(0, separator).trim().toLowerCase();
    if (key === '') continue;
    if (seen.has(key)) {
      // An unknown "key" may be a pasted secret (base64 keys end with '='): name known keys only.
      if (!isConnectionStringKey(key))
        throw invalid(
          'an unrecognized key appears more than once (keys are case-insensitive). Remove the repeated pair.',
        );
      const name = KNOWN_KEYS[key];
      throw invalid(
        `the key ${name} appears more than once (keys are case-insensitive). Keep exactly one ${name}=... pair.`,
      );
    }
    seen.add(key);
    // Unknown keys are ignored, as the official SDKs do, so newer connection strings still parse.
    if (isConnectionStringKey(key)) pairs.set(key, segment.slice(separator + 1).trim());
  }
  return pairs;
}

/** Parses an absolute http(s) URL value and returns its base (no trailing `/`) or throws naming the key. */
function parseBaseUrl(value: string, key: 'Endpoint' | 'ClientEndpoint' | 'ServerEndpoint', example: string): URL {
  const trimmed = value.replace(/\/+$/, '');
  if (trimmed === '') throw invalid(`${key} is empty. Set it to an absolute http(s) URL, e.g. ${key}=${example}.`);
  // URL.parse needs Node 22; canParse exists from Node 20.
  const url = URL.canParse(trimmed) ? new URL(trimmed) : undefined;
  if (url === undefined || (url.protocol !== 'https:' && url.protocol !== 'http:') || url.hostname === '') {
    throw invalid(`${key} is not an absolute http or https URL. Set it like ${key}=${example}.`);
  }
  if (url.username !== '' || url.password !== '') {
    throw invalid(
      `${key} contains user credentials. Remove the "user:password@" part; authenticate with AccessKey or AuthType.`,
    );
  }
  if (url.search !== '' || url.hash !== '') {
    throw invalid(`${key} has a query string or fragment. Give only the scheme, host, optional port and path.`);
  }
  return url;
}

function baseOf(url: URL): string {
  return `${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`;
}

function optionalNonEmpty(
  pairs: ReadonlyMap<ConnectionStringKey, string>,
  key: 'clientid' | 'tenantid' | 'clientsecret' | 'clientcert',
): string | undefined {
  const value = pairs.get(key);
  if (value === undefined) return undefined;
  if (value === '')
    throw invalid(`${KNOWN_KEYS[key]} is empty. Give it a value or remove the ${KNOWN_KEYS[key]}= pair.`);
  return value;
}

// Client ids are GUIDs; tenant ids GUIDs or domain names. Anything else (an '=', a '+', a space) is
// most likely a neighbouring value run in by a missing ';', possibly a secret that must not be kept.
const IDENTIFIER_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

function optionalIdentifier(
  pairs: ReadonlyMap<ConnectionStringKey, string>,
  key: 'clientid' | 'tenantid',
  example: string,
): string | undefined {
  const value = optionalNonEmpty(pairs, key);
  if (value !== undefined && !IDENTIFIER_PATTERN.test(value)) {
    throw invalid(
      `${KNOWN_KEYS[key]} is not a valid id. Set ${KNOWN_KEYS[key]}=${example}, and check that every pair ends with ";".`,
    );
  }
  return value;
}

/** Defines a secret as a non-enumerable property so logging or serializing the object does not reveal it. */
function withSecret<T extends object>(target: T, name: string, value: string | undefined): T {
  if (value !== undefined)
    Object.defineProperty(target, name, { value, enumerable: false, writable: false, configurable: false });
  return target;
}

function appAuth(
  clientId: string,
  tenantId: string,
  clientSecret: string | undefined,
  clientCert: string | undefined,
): ServiceAuth {
  const auth: { type: 'azure.app'; clientId: string; tenantId: string; clientCert?: string } = {
    type: 'azure.app',
    clientId,
    tenantId,
  };
  if (clientCert !== undefined) auth.clientCert = clientCert;
  return withSecret(auth, 'clientSecret', clientSecret);
}

function readAuth(pairs: ReadonlyMap<ConnectionStringKey, string>, authType: string | undefined): ServiceAuth {
  const clientId = optionalIdentifier(pairs, 'clientid', '<client id>, a GUID');
  const tenantId = optionalIdentifier(
    pairs,
    'tenantid',
    '<tenant id>, a GUID or a domain such as contoso.onmicrosoft.com',
  );
  const clientSecret = optionalNonEmpty(pairs, 'clientsecret');
  const clientCert = optionalNonEmpty(pairs, 'clientcert');

  if (authType === undefined) {
    const accessKey = pairs.get('accesskey');
    if (accessKey === undefined) {
      throw invalid(
        'AccessKey is missing. Copy the full connection string from the resource\'s "Keys" page, ' +
          'or set AuthType=azure (or azure.msi / azure.app) to authenticate with Microsoft Entra ID.',
      );
    }
    if (accessKey === '')
      throw invalid('AccessKey is empty. Copy the full connection string from the resource\'s "Keys" page.');
    return Object.freeze(withSecret({ type: 'key' as const }, 'accessKey', accessKey)) as ServiceAuth;
  }

  switch (authType.toLowerCase()) {
    case 'azure':
      // The official SDK ignores ClientId here; so do we, so a string behaves the same everywhere.
      return Object.freeze({ type: 'azure' });
    case 'azure.msi':
      return Object.freeze(clientId === undefined ? { type: 'azure.msi' } : { type: 'azure.msi', clientId });
    case 'azure.app': {
      if (clientId === undefined)
        throw invalid('AuthType=azure.app needs ClientId. Add ClientId=<application (client) id>.');
      if (tenantId === undefined)
        throw invalid('AuthType=azure.app needs TenantId. Add TenantId=<directory (tenant) id>.');
      if (clientSecret === undefined && clientCert === undefined) {
        throw invalid(
          'AuthType=azure.app needs ClientSecret or ClientCert. Add ClientSecret=<secret> or ClientCert=<path to a PEM file>.',
        );
      }
      return Object.freeze(appAuth(clientId, tenantId, clientSecret, clientCert));
    }
    case 'aad':
      // Legacy spelling, mapped as the official SDK does: an app registration when TenantId is
      // given, else a managed identity (user-assigned when ClientId is given).
      if (clientId !== undefined && tenantId !== undefined) {
        if (clientSecret === undefined && clientCert === undefined) {
          throw invalid(
            'AuthType=aad with ClientId and TenantId needs ClientSecret or ClientCert. Add one, or remove TenantId to use a managed identity.',
          );
        }
        return Object.freeze(appAuth(clientId, tenantId, clientSecret, clientCert));
      }
      return Object.freeze(clientId === undefined ? { type: 'azure.msi' } : { type: 'azure.msi', clientId });
    default:
      throw invalid(
        `AuthType has an unsupported value. Use one of ${AUTH_TYPES.join(', ')}, or remove AuthType and give AccessKey.`,
      );
  }
}

/**
 * Parses and validates an Azure SignalR Service connection string: `;`-separated `Key=Value` pairs,
 * keys case-insensitive, each pair split on its first `=`. Unknown keys and pairs without `=` are
 * ignored; a repeated key is an error.
 *
 * - `Endpoint` (required): absolute http(s) URL; a trailing `/` is removed.
 * - `AccessKey`: required unless `AuthType` is given; its UTF-8 bytes sign tokens (it is not base64-decoded).
 * - `Version`: `1.x`. `Port`: 1..65535, applied to `Endpoint` for the client and server URLs only.
 * - `ClientEndpoint` / `ServerEndpoint`: absolute http(s) URLs replacing `Endpoint` for clients / REST calls.
 * - `AuthType`: `azure` (default credential chain), `azure.msi` (optional `ClientId`), `azure.app`
 *   (`ClientId`, `TenantId`, and `ClientSecret` or `ClientCert`), or the legacy `aad` (an app
 *   registration when `TenantId` is given, else a managed identity). With `AuthType`, `AccessKey` is ignored.
 *
 * @param text - The connection string.
 * @returns A frozen {@link ServiceEndpoint}; secrets are non-enumerable.
 * @throws {@link ServerlessHubError} `CONNECTION_STRING_INVALID`, naming the key and how to fix it;
 * the message never contains the access key, client secret or any other value.
 *
 * @example
 * ```ts
 * const endpoint = parseConnectionString(
 *   'Endpoint=http://localhost;Port=8888;AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1.0;',
 * );
 * endpoint.clientEndpoint; // 'http://localhost:8888'
 * ```
 */
export function parseConnectionString(text: string): ServiceEndpoint {
  if (typeof text !== 'string') throw invalid('expected a string. Pass the connection string text.');
  if (text.trim() === '') {
    throw invalid('it is empty. Set it to "Endpoint=https://<name>.service.signalr.net;AccessKey=<key>;Version=1.0;".');
  }
  return endpointFromPairs(readPairs(text));
}

/**
 * Builds the endpoint from already split, lowercased keys. Internal: shared with the identity-based
 * settings form of `endpointFromSettings`.
 */
export function endpointFromPairs(pairs: ReadonlyMap<ConnectionStringKey, string>): ServiceEndpoint {
  const rawEndpoint = pairs.get('endpoint');
  if (rawEndpoint === undefined) {
    throw invalid("Endpoint is missing. Add Endpoint=https://<name>.service.signalr.net (the resource's URL).");
  }
  const endpointUrl = parseBaseUrl(rawEndpoint, 'Endpoint', 'https://<name>.service.signalr.net');
  const endpoint = rawEndpoint.replace(/\/+$/, '');

  const version = pairs.get('version');
  if (version !== undefined && !VERSION_PATTERN.test(version)) {
    throw invalid('Version is not supported. Use Version=1.0 (any 1.x version), or remove it.');
  }

  const rawPort = pairs.get('port');
  let port: number | undefined;
  if (rawPort !== undefined) {
    port = PORT_PATTERN.test(rawPort) ? Number(rawPort) : Number.NaN;
    if (!(port >= 1 && port <= 65535)) throw invalid('Port must be a whole number from 1 to 65535, e.g. Port=8888.');
  }
  const portedUrl = new URL(endpointUrl.href);
  if (port !== undefined) portedUrl.port = String(port);
  const portedBase = baseOf(portedUrl);

  const rawClientEndpoint = pairs.get('clientendpoint');
  const rawServerEndpoint = pairs.get('serverendpoint');
  const clientEndpoint =
    rawClientEndpoint === undefined
      ? portedBase
      : baseOf(parseBaseUrl(rawClientEndpoint, 'ClientEndpoint', 'https://signalr.contoso.com'));
  const serverEndpoint =
    rawServerEndpoint === undefined
      ? portedBase
      : baseOf(parseBaseUrl(rawServerEndpoint, 'ServerEndpoint', 'https://signalr-internal.contoso.com'));

  const auth = readAuth(pairs, pairs.get('authtype'));

  const result: { -readonly [K in keyof ServiceEndpoint]: ServiceEndpoint[K] } = {
    endpoint,
    clientEndpoint,
    serverEndpoint,
    auth,
  };
  if (version !== undefined) result.version = version;
  if (port !== undefined) result.port = port;
  return Object.freeze(result);
}
