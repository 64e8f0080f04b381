import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/** `%Name%`: a reference to the app setting `Name`, as the Functions host resolves it in binding options. */
const REFERENCE = /%([^%\s]+)%/g;

/**
 * Replaces every `%Name%` in a binding option by the value of the app setting `Name`, as the Functions
 * host does for the C# extension's binding options (connection string setting names, the negotiate
 * binding's `userId` and `idToken`). Text without `%…%` is returned unchanged.
 *
 * @param value the option as written, e.g. `'%ChatConnectionSetting%'` or `'{headers.%UserHeader%}'`.
 * @param what the option, for the error message.
 * @param env the app settings; default `process.env`.
 * @throws {@link ServerlessHubError} `SETTING_MISSING` naming the setting that is not set.
 *
 * @example
 * ```ts
 * // ChatConnection=AzureSignalRConnectionString in the app settings
 * resolveAppSettingReferences('%ChatConnection%', 'connectionStringSetting'); // 'AzureSignalRConnectionString'
 * ```
 */
export function resolveAppSettingReferences(
  value: string,
  what: string,
  env: Readonly<Record<string, string | undefined>> = process.env,
): string {
  if (!value.includes('%')) return value;
  return value.replace(REFERENCE, (_reference, name: string) => {
    const setting = env[name];
    if (setting === undefined || setting === '') {
      throw new ServerlessHubError(
        'SETTING_MISSING',
        `${what} refers to the app setting ${name} (%${name}%), which is not set. Set it in the app settings (local.settings.json when local), or write the value itself.`,
      );
    }
    return setting;
  });
}
