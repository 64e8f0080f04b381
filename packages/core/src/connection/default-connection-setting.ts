// Apart from the settings parser, so that registration names the default without loading it.
/**
 * The app setting the official bindings read when a hub names none.
 *
 * @example
 * ```ts
 * const endpoint = endpointFromSettings(DEFAULT_CONNECTION_SETTING); // same as endpointFromSettings()
 * ```
 */
export const DEFAULT_CONNECTION_SETTING = 'AzureSignalRConnectionString';
