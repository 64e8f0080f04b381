/**
 * How the app authenticates to the service, as chosen by the connection string's `AuthType`.
 * `key`: an `AccessKey` signs every token. The others use Microsoft Entra ID through `@azure/identity`:
 * `azure` the default credential chain (`clientId`, when given, is the managed identity it tries),
 * `azure.msi` a managed identity (user-assigned when `clientId` is given), `azure.app` an app
 * registration with a client secret or a PEM certificate file (`clientCert` is its path).
 * The legacy `AuthType=aad` is parsed into `azure.app` or `azure.msi` (see `parseConnectionString`).
 *
 * Secrets (`accessKey`, `clientSecret`) are non-enumerable properties: they read normally but stay
 * out of `JSON.stringify`, `console.log` and object spreads, so logging an endpoint leaks nothing.
 *
 * @example
 * ```ts
 * const { auth } = parseConnectionString('Endpoint=https://x.service.signalr.net;AuthType=azure.msi;ClientId=1234;');
 * if (auth.type === 'azure.msi') console.log(auth.clientId); // '1234'
 * ```
 */
export type ServiceAuth =
  | { readonly type: 'key'; readonly accessKey: string }
  | { readonly type: 'azure'; readonly clientId?: string }
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
