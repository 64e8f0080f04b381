import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { DEFAULT_CONNECTION_SETTING, endpointFromSettings } from './endpoint-from-settings.js';
import type { SettingsSource } from './endpoint-from-settings.js';
import { namedEndpointsFromSettings } from './named-endpoints-from-settings.js';
import type { NamedServiceEndpoint } from './named-endpoints-from-settings.js';

function nonEmpty(env: SettingsSource, name: string): boolean {
  const value = env[name];
  return value !== undefined && value.trim() !== '';
}

// Whether the hub's setting holds a connection string (not the identity-based `__serviceUri` form).
function hasConnectionString(settingName: string, env: SettingsSource): boolean {
  const names = [settingName, `ConnectionStrings__${settingName}`, `ConnectionStrings:${settingName}`];
  if (settingName.includes(':')) names.push(settingName.replaceAll(':', '__'));
  return names.some((name) => nonEmpty(env, name));
}

// One service reached through two settings counts once: the first primary of its address, else the first.
function withoutDuplicates(endpoints: readonly NamedServiceEndpoint[]): NamedServiceEndpoint[] {
  const byAddress = new Map<string, NamedServiceEndpoint>();
  for (const item of endpoints) {
    const address = item.endpoint.serverEndpoint.toLowerCase();
    const kept = byAddress.get(address);
    if (kept === undefined || (kept.type === 'secondary' && item.type === 'primary')) byAddress.set(address, item);
  }
  return endpoints.filter((item) => byAddress.get(item.endpoint.serverEndpoint.toLowerCase()) === item);
}

/**
 * Every service endpoint of a hub, read as the Functions extension reads them (Azure/azure-sdk-for-net
 * `OptionsSetupFromConfig`, merged as Azure/azure-signalr `GetMergedEndpoints` and
 * `ServiceEndpointManagerBase` do):
 * - the hub's own connection setting (`AzureSignalRConnectionString` or the hub's
 *   `connectionStringSetting`) as a primary endpoint named `''`, first when it is a connection string;
 *   its identity-based form (`<setting>__serviceUri`) comes last;
 * - every `Azure__SignalR__Endpoints__*` endpoint (see {@link namedEndpointsFromSettings}), shared by all hubs.
 *
 * Either part may be absent, not both. Endpoints with the same server address count once (the first
 * primary of them, else the first), and at least one endpoint must be primary.
 *
 * @throws {@link ServerlessHubError} `SETTING_MISSING` when neither is set (naming both),
 * `CONNECTION_STRING_INVALID` naming the setting that does not parse, or when no endpoint is primary.
 *
 * @example
 * ```ts
 * // AzureSignalRConnectionString = "Endpoint=https://main...;AccessKey=...;Version=1.0;"
 * // Azure__SignalR__Endpoints__westus__secondary = "Endpoint=https://west...;AccessKey=...;Version=1.0;"
 * hubEndpointsFromSettings().map(({ name, type }) => `${name}:${type}`);
 * // [':primary', 'westus:secondary']
 * ```
 */
export function hubEndpointsFromSettings(
  settingName: string = DEFAULT_CONNECTION_SETTING,
  env: SettingsSource = process.env,
): readonly NamedServiceEndpoint[] {
  const named = namedEndpointsFromSettings(env);
  let all: NamedServiceEndpoint[];
  try {
    const own: NamedServiceEndpoint = Object.freeze({
      name: '',
      type: 'primary',
      endpoint: endpointFromSettings(settingName, env),
      setting: settingName,
    });
    all = hasConnectionString(settingName, env) ? [own, ...named] : [...named, own];
  } catch (error) {
    if (!ServerlessHubError.is(error, 'SETTING_MISSING')) throw error;
    if (named.length === 0) {
      throw new ServerlessHubError(
        'SETTING_MISSING',
        `${error.message} For several service endpoints, set Azure__SignalR__Endpoints__<name>[__primary|__secondary] instead or as well.`,
        { cause: error },
      );
    }
    all = [...named];
  }
  const endpoints = withoutDuplicates(all);
  if (!endpoints.some(({ type }) => type === 'primary')) {
    throw new ServerlessHubError(
      'CONNECTION_STRING_INVALID',
      `No primary service endpoint: every Azure__SignalR__Endpoints__* endpoint of hub setting ${settingName} is secondary. ` +
        'Mark at least one as primary (Azure__SignalR__Endpoints__<name> or Azure__SignalR__Endpoints__<name>__primary).',
    );
  }
  return Object.freeze(endpoints);
}
