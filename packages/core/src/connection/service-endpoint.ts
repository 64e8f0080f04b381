/**
 * How the app authenticates to the service, as chosen by the connection string's `AuthType`.
 * `key`: an `AccessKey` signs every token. The others use Microsoft Entra ID through `@azure/identity`.
 */
export type ServiceAuth =
  | { readonly type: 'key'; readonly accessKey: string }
  | { readonly type: 'azure' }
  | { readonly type: 'azure.msi'; readonly clientId?: string }
  | {
      readonly type: 'azure.app';
      readonly clientId: string;
      readonly tenantId: string;
      readonly clientSecret?: string;
      readonly clientCert?: string;
    };

/**
 * A parsed, validated Azure SignalR Service connection string. Frozen; safe to share and cache.
 *
 * @example
 * ```ts
 * const endpoint = parseConnectionString('Endpoint=https://x.service.signalr.net;AccessKey=...;Version=1.0;');
 * endpoint.clientEndpoint; // 'https://x.service.signalr.net'
 * ```
 */
export interface ServiceEndpoint {
  /** `Endpoint` as written, without a trailing `/` and without `Port` applied: the base of token audiences. */
  readonly endpoint: string;
  /** Base URL given to clients: `ClientEndpoint`, else `Endpoint` with `Port` applied. No trailing `/`. */
  readonly clientEndpoint: string;
  /** Base URL of REST calls and the access-key endpoint: `ServerEndpoint`, else `Endpoint` with `Port`. No trailing `/`. */
  readonly serverEndpoint: string;
  /** `Version`, when given. */
  readonly version?: string;
  /** `Port`, when given. */
  readonly port?: number;
  readonly auth: ServiceAuth;
}
