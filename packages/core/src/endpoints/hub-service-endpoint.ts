import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';

/**
 * One service endpoint of a hub as negotiate sees it now: the endpoint of the settings and whether it is
 * online, that is, whether its last health check succeeded (the official SDK's `ServiceEndpoint.Online`).
 * An endpoint is online until a round of health checks finds it failing; see `EndpointHealthOptions`.
 *
 * @example
 * ```ts
 * const offline = registration.serviceEndpoints('chat').filter((e) => !e.online).map((e) => e.name);
 * ```
 */
export interface HubServiceEndpoint extends NamedServiceEndpoint {
  /** `false` from the round of health checks that found it failing until one finds it healthy. */
  readonly online: boolean;
}
