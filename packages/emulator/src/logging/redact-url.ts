/** Query parameters whose values are secrets (function keys, tokens, signatures). */
const secretParameters = /([?&](?:code|access_token|sig|signature|key)=)[^&#]*/gi;

/**
 * A URL (or URL template) for a log line or the console: the values of secret query parameters,
 * such as the `code` key of the SignalR extension's webhook, are replaced by `***`.
 *
 * @example
 * ```ts
 * redactUrl('https://app.azurewebsites.net/runtime/webhooks/signalr?code=abc'); // '…/signalr?code=***'
 * ```
 */
export function redactUrl(url: string): string {
  return url.replace(secretParameters, '$1***');
}
