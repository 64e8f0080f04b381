import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { parseConnectionString } from './connection-string.js';
import type { SettingsSource } from './endpoint-from-settings.js';
import type { ServiceEndpoint } from './service-endpoint.js';

/**
 * One endpoint of a multi-endpoint configuration, read from
 * `Azure__SignalR__Endpoints__<name>[__primary|__secondary]` (or the same keys with `:`).
 *
 * @example
 * ```ts
 * // Azure__SignalR__Endpoints__eastus__primary = "Endpoint=https://east.service.signalr.net;AccessKey=...;Version=1.0;"
 * const [east] = namedEndpointsFromSettings();
 * east?.name; // 'eastus'
 * east?.type; // 'primary'
 * ```
 */
export interface NamedServiceEndpoint {
  readonly name: string;
  readonly type: 'primary' | 'secondary';
  readonly endpoint: ServiceEndpoint;
}

// `Azure:SignalR:Endpoints:<name>[:primary|:secondary]`, with `__` for `:` as app settings on Linux need.
const SETTING = /^azure(?::|__)signalr(?::|__)endpoints(?::|__)(.+?)(?:(?::|__)(primary|secondary))?$/i;

/**
 * Reads every endpoint of a multi-endpoint configuration (`Azure__SignalR__Endpoints__<name>` settings,
 * as the official SDK names them), in setting-name order. Upstream requests are signed by the service
 * with the key of the endpoint that carries the connection, so these keys are accepted besides the
 * hub's own connection string. A setting that does not parse is an error naming the setting, never its value.
 *
 * @example
 * ```ts
 * const keys = namedEndpointsFromSettings(process.env).map(({ endpoint }) => endpoint);
 * ```
 */
export function namedEndpointsFromSettings(env: SettingsSource = process.env): readonly NamedServiceEndpoint[] {
  const found: NamedServiceEndpoint[] = [];
  for (const settingName of Object.keys(env).sort()) {
    const match = SETTING.exec(settingName);
    const raw = env[settingName];
    if (match === null || raw === undefined || raw.trim() === '') continue;
    const [, name = '', type = 'primary'] = match;
    let endpoint: ServiceEndpoint;
    try {
      endpoint = parseConnectionString(raw);
    } catch (error) {
      const reason = ServerlessHubError.is(error) ? error.message : 'it is not a valid connection string.';
      throw new ServerlessHubError('CONNECTION_STRING_INVALID', `The app setting ${settingName} is not a valid connection string: ${reason}`, {
        cause: error,
      });
    }
    found.push(Object.freeze({ name, type: type.toLowerCase() as 'primary' | 'secondary', endpoint }));
  }
  return Object.freeze(found);
}
