import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { endpointFromPairs, parseConnectionString } from './connection-string.js';
import type { ConnectionStringKey } from './connection-string.js';
import type { ServiceEndpoint } from './service-endpoint.js';
import { DEFAULT_CONNECTION_SETTING } from './default-connection-setting.js';

export { DEFAULT_CONNECTION_SETTING } from './default-connection-setting.js';

/**
 * Where settings come from: `process.env` by default.
 *
 * @example
 * ```ts
 * const settings: SettingsSource = { AzureSignalRConnectionString: 'Endpoint=http://localhost;Port=8888;AccessKey=...;Version=1.0;' };
 * endpointFromSettings(undefined, settings);
 * ```
 */
export type SettingsSource = Readonly<Record<string, string | undefined>>;

interface CachedEndpoint {
  readonly raw: string;
  readonly endpoint: ServiceEndpoint;
}

// Parsed once per setting; re-parsed only when the raw text changes (tests, hot reload).
const cache = new Map<string, CachedEndpoint>();

// Sub-keys of the Functions identity-based connection form (`<setting>__serviceUri` ...).
export const IDENTITY_KEYS = [
  'serviceUri',
  'credential',
  'clientId',
  'tenantId',
  'clientSecret',
  'clientEndpoint',
  'serverEndpoint',
] as const;
type IdentityKey = (typeof IDENTITY_KEYS)[number];

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value;
}

const namesCache = new Map<string, readonly string[]>();

/** Names tried for the connection string itself, in order; computed once per setting (negotiate calls this per request). */
function connectionStringNames(settingName: string): readonly string[] {
  let names = namesCache.get(settingName);
  if (names === undefined) {
    const list = [settingName];
    // Linux app settings and most shells cannot hold ':'; the Functions host reads '__' for it.
    if (settingName.includes(':')) list.push(settingName.replaceAll(':', '__'));
    list.push(`ConnectionStrings__${settingName}`, `ConnectionStrings:${settingName}`);
    names = Object.freeze(list);
    if (namesCache.size >= 256) namesCache.clear();
    namesCache.set(settingName, names);
  }
  return names;
}

function readIdentitySettings(
  settingName: string,
  env: SettingsSource,
): Partial<Record<IdentityKey, string>> | undefined {
  const prefixes = settingName.includes(':') ? [settingName.replaceAll(':', '__'), settingName] : [settingName];
  for (const prefix of prefixes) {
    for (const separator of ['__', ':']) {
      const serviceUri = nonEmpty(env[`${prefix}${separator}serviceUri`]);
      if (serviceUri === undefined) continue;
      const values: Partial<Record<IdentityKey, string>> = {};
      for (const key of IDENTITY_KEYS) {
        const value = env[`${prefix}${separator}${key}`];
        if (value !== undefined && value.trim() !== '') values[key] = value.trim();
      }
      return values;
    }
  }
  return undefined;
}

function endpointFromIdentitySettings(
  settingName: string,
  values: Partial<Record<IdentityKey, string>>,
): ServiceEndpoint {
  const pairs = new Map<ConnectionStringKey, string>();
  pairs.set('endpoint', values.serviceUri ?? '');
  if (values.clientEndpoint !== undefined) pairs.set('clientendpoint', values.clientEndpoint);
  if (values.serverEndpoint !== undefined) pairs.set('serverendpoint', values.serverEndpoint);
  if (values.clientId !== undefined) pairs.set('clientid', values.clientId);
  if (values.tenantId !== undefined) pairs.set('tenantid', values.tenantId);
  if (values.clientSecret !== undefined) pairs.set('clientsecret', values.clientSecret);

  const credential = values.credential?.toLowerCase();
  if (credential !== undefined && credential !== 'managedidentity') {
    throw new ServerlessHubError(
      'CONNECTION_STRING_INVALID',
      `${settingName}__credential has an unsupported value. Use "managedidentity", or remove it to use ` +
        `${settingName}__tenantId/__clientId/__clientSecret or the default Azure credential chain.`,
    );
  }
  // Mirrors how the Functions host builds a credential from these settings.
  if (credential === 'managedidentity') pairs.set('authtype', 'azure.msi');
  else if (values.clientId !== undefined && values.tenantId !== undefined && values.clientSecret !== undefined)
    pairs.set('authtype', 'azure.app');
  else pairs.set('authtype', 'azure');

  const endpoint = endpointFromPairs(pairs);
  if (endpoint.auth.type === 'azure' && values.clientId !== undefined) {
    return Object.freeze({ ...endpoint, auth: Object.freeze({ type: 'azure' as const, clientId: values.clientId }) });
  }
  return endpoint;
}

function fingerprint(values: Partial<Record<IdentityKey, string>>): string {
  return `identity\n${IDENTITY_KEYS.map((key) => values[key] ?? '').join('\n')}`;
}

function inSetting(settingName: string, identityBased: boolean, error: unknown): unknown {
  if (!ServerlessHubError.is(error)) return error;
  const message = error.message.replace(/^Invalid Azure SignalR connection string: /, '');
  const where = identityBased
    ? `The identity-based connection settings ${settingName}__* are invalid (serviceUri is read as Endpoint)`
    : `The connection string in setting ${settingName} is invalid`;
  return new ServerlessHubError(error.code, `${where}: ${message}`, { cause: error });
}

/**
 * Reads the service connection string from an app setting and parses it, once per setting: the
 * parsed endpoint is cached and parsed again only when the setting's text changes.
 *
 * Looks, in order, at `<settingName>`, `ConnectionStrings__<settingName>` and
 * `ConnectionStrings:<settingName>` (a `:` in the name is also tried as `__`). When none is set, it
 * reads the Azure Functions identity-based form: `<settingName>__serviceUri` with optional
 * `__credential` (`managedidentity`), `__clientId`, `__tenantId`, `__clientSecret`,
 * `__clientEndpoint` and `__serverEndpoint`.
 *
 * @param settingName - The app setting; `AzureSignalRConnectionString` by default.
 * @param env - Where to read settings; `process.env` by default.
 * @throws {@link ServerlessHubError} `SETTING_MISSING` naming every setting tried, or
 * `CONNECTION_STRING_INVALID` naming the setting and the faulty key.
 *
 * @example
 * ```ts
 * // local.settings.json → "Values": { "AzureSignalRConnectionString": "Endpoint=...;AccessKey=...;Version=1.0;" }
 * const endpoint = endpointFromSettings();
 * const other = endpointFromSettings('ChatSignalRConnection');
 * ```
 */
export function endpointFromSettings(
  settingName: string = DEFAULT_CONNECTION_SETTING,
  env: SettingsSource = process.env,
): ServiceEndpoint {
  if (typeof settingName !== 'string' || settingName.trim() === '') {
    throw new ServerlessHubError(
      'SETTING_MISSING',
      'The connection setting name is empty. Name the app setting that holds the connection string.',
    );
  }
  const names = connectionStringNames(settingName);
  let raw: string | undefined;
  let identity: Partial<Record<IdentityKey, string>> | undefined;
  for (const name of names) {
    raw = nonEmpty(env[name]);
    if (raw !== undefined) break;
  }
  if (raw === undefined) {
    identity = readIdentitySettings(settingName, env);
    if (identity !== undefined) raw = fingerprint(identity);
  }
  if (raw === undefined) {
    throw new ServerlessHubError(
      'SETTING_MISSING',
      `No Azure SignalR connection string found: the app setting ${settingName} is not set (also tried ${names.slice(1).join(', ')} ` +
        `and ${settingName}__serviceUri). Add it to local.settings.json "Values" locally, or to the Function App's ` +
        'application settings in Azure, e.g. "Endpoint=https://<name>.service.signalr.net;AccessKey=<key>;Version=1.0;".',
    );
  }

  const cached = cache.get(settingName);
  if (cached?.raw === raw) return cached.endpoint;

  let endpoint: ServiceEndpoint;
  try {
    endpoint =
      identity === undefined ? parseConnectionString(raw) : endpointFromIdentitySettings(settingName, identity);
  } catch (error) {
    throw inSetting(settingName, identity !== undefined, error);
  }
  cache.set(settingName, { raw, endpoint });
  return endpoint;
}
