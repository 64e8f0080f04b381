import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { parseConnectionString } from './connection-string.js';
import { endpointFromSettings, IDENTITY_KEYS } from './endpoint-from-settings.js';
import type { SettingsSource } from './endpoint-from-settings.js';
import type { ServiceEndpoint } from './service-endpoint.js';

/**
 * One endpoint of a multi-endpoint configuration, read from
 * `Azure__SignalR__Endpoints__<name>[__primary|__secondary]` (or the same keys with `:`), or from the
 * identity-based form `Azure__SignalR__Endpoints__<name>__serviceUri` (with `__type`).
 *
 * @example
 * ```ts
 * // Azure__SignalR__Endpoints__eastus__primary = "Endpoint=https://east.service.signalr.net;AccessKey=...;Version=1.0;"
 * const [east] = namedEndpointsFromSettings();
 * east?.name; // 'eastus'
 * east?.type; // 'primary'
 * east?.setting; // 'Azure__SignalR__Endpoints__eastus__primary'
 * ```
 */
export interface NamedServiceEndpoint {
  /** `<name>` of the setting; `''` for the hub's own connection setting, as the official SDK names it. */
  readonly name: string;
  readonly type: 'primary' | 'secondary';
  readonly endpoint: ServiceEndpoint;
  /** The app setting it was read from (for identity-based endpoints, the `...__serviceUri` setting's prefix); for logs and errors. */
  readonly setting?: string;
}

// `Azure:SignalR:Endpoints:<child>[:<sub-key>]`, with `__` for `:` as app settings on Linux need.
// A child name is one configuration segment: deeper keys are not endpoints, as in C#.
const SETTING =
  /^azure(?::|__)signalr(?::|__)endpoints(?::|__)((?:(?!__)[^:])+)(?:(?::|__)(primary|secondary|serviceuri|type))?$/i;

function invalidSetting(settingName: string, error: unknown): ServerlessHubError {
  const reason = ServerlessHubError.is(error) ? error.message : 'it is not a valid connection string.';
  return new ServerlessHubError(
    'CONNECTION_STRING_INVALID',
    `The app setting ${settingName} is not a valid connection string: ${reason}`,
    {
      cause: error,
    },
  );
}

interface Child {
  /** The setting of each sub-key: `''` for the child's own value, else `primary`, `secondary`, `serviceuri`, `type`. */
  readonly keys: Map<string, string>;
}

// Configuration keys compare case-insensitively, with `:` and `__` alike.
function normal(settingName: string): string {
  return settingName.toLowerCase().replaceAll(':', '__');
}

function endpointType(settingName: string, value: string | undefined): 'primary' | 'secondary' {
  const type = (value ?? 'primary').trim().toLowerCase();
  if (type === 'primary' || type === 'secondary') return type;
  throw new ServerlessHubError(
    'CONNECTION_STRING_INVALID',
    `The app setting ${settingName} must be "Primary" or "Secondary".`,
  );
}

/**
 * Reads every endpoint of a multi-endpoint configuration, as the Functions extension reads the
 * `Azure:SignalR:Endpoints` section (Azure/azure-sdk-for-net `IConfigurationExtensions.GetEndpoints`).
 * For each child `<name>`, in name order (keys compare case-insensitively, `:` and `__` alike):
 * - with a `<name>__serviceUri` setting, one identity-based endpoint whose role is `<name>__type`
 *   (`Primary` by default); its credential comes from `<name>__credential`, `__clientId`,
 *   `__tenantId` and `__clientSecret` as {@link endpointFromSettings} reads them. The child's other
 *   forms are then ignored, as in C#;
 * - otherwise `<name>` itself (a primary endpoint), `<name>__primary` and `<name>__secondary`, each a
 *   connection string, so one name may give up to three endpoints.
 *
 * A setting that does not parse is an error naming the setting, never its value.
 *
 * @example
 * ```ts
 * const keys = namedEndpointsFromSettings(process.env).map(({ endpoint }) => endpoint);
 * ```
 */
export function namedEndpointsFromSettings(env: SettingsSource = process.env): readonly NamedServiceEndpoint[] {
  const children = new Map<string, Child>();
  for (const settingName of Object.keys(env)) {
    const match = SETTING.exec(settingName);
    if (match === null) continue;
    const raw = env[settingName];
    if (raw === undefined || raw.trim() === '') continue;
    const [, name = '', subKey = ''] = match;
    const key = name.toLowerCase();
    let child = children.get(key);
    if (child === undefined) {
      child = { keys: new Map() };
      children.set(key, child);
    }
    child.keys.set(subKey.toLowerCase(), settingName);
  }

  const found: NamedServiceEndpoint[] = [];
  for (const key of [...children.keys()].sort()) {
    const child = children.get(key) as Child;
    const serviceUri = child.keys.get('serviceuri');
    if (serviceUri !== undefined) {
      const prefix = serviceUri.replace(/(?::|__)serviceuri$/i, '');
      const name = SETTING.exec(serviceUri)?.[1] ?? key;
      const typeSetting = child.keys.get('type');
      // endpointFromSettings reads `<prefix>__<sub-key>` in its own spelling; the settings may use any case.
      const identity: Record<string, string | undefined> = {};
      const base = `${normal(prefix)}__`;
      for (const settingName of Object.keys(env)) {
        const lower = normal(settingName);
        if (!lower.startsWith(base)) continue;
        const canonical = IDENTITY_KEYS.find((candidate) => candidate.toLowerCase() === lower.slice(base.length));
        if (canonical !== undefined) identity[`${prefix}__${canonical}`] = env[settingName];
      }
      const type = endpointType(
        typeSetting ?? `${prefix}__type`,
        typeSetting === undefined ? undefined : env[typeSetting],
      );
      found.push(Object.freeze({ name, type, endpoint: endpointFromSettings(prefix, identity), setting: prefix }));
      continue;
    }
    for (const [subKey, type] of [
      ['', 'primary'],
      ['primary', 'primary'],
      ['secondary', 'secondary'],
    ] as const) {
      const settingName = child.keys.get(subKey);
      if (settingName === undefined) continue;
      const name = SETTING.exec(settingName)?.[1] ?? key;
      let endpoint: ServiceEndpoint;
      try {
        endpoint = parseConnectionString(env[settingName] ?? '');
      } catch (error) {
        throw invalidSetting(settingName, error);
      }
      found.push(Object.freeze({ name, type, endpoint, setting: settingName }));
    }
  }
  return Object.freeze(found);
}
