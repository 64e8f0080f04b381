import { endpointFromSettings } from '../connection/endpoint-from-settings.js';
import { hubEndpointsFromSettings } from '../connection/hub-endpoints-from-settings.js';
import { namedEndpointsFromSettings } from '../connection/named-endpoints-from-settings.js';
import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { defaultEndpointRouter } from './default-endpoint-router.js';
import type { EndpointRouter } from './endpoint-router.js';
import type { NegotiateRouteContext } from './negotiate-route-context.js';

/**
 * The service endpoints of one hub for negotiate. Whether the app has named endpoints
 * (`Azure__SignalR__Endpoints__*`) is decided at first use, since listing every setting is too slow for
 * each request: without them, the hub's one connection setting is read on each use as before (parsed
 * once per text, so a changed setting applies) and no router runs unless the app gave one; with them,
 * the endpoints read then are kept. Internal to the framework.
 */
export class HubEndpoints {
  readonly #hubName: string;
  readonly #settingName: string;
  readonly #router: EndpointRouter | undefined;
  // undefined: not decided yet; null: the hub's connection setting alone.
  #endpoints: readonly NamedServiceEndpoint[] | null | undefined;

  constructor(hubName: string, settingName: string, router: EndpointRouter | undefined) {
    this.#hubName = hubName;
    this.#settingName = settingName;
    this.#router = router;
  }

  // Not cached when reading fails, so that a fixed setting applies on the next request.
  #decided(): readonly NamedServiceEndpoint[] | null {
    if (this.#endpoints === undefined) {
      this.#endpoints = namedEndpointsFromSettings().length === 0 ? null : hubEndpointsFromSettings(this.#settingName);
    }
    return this.#endpoints;
  }

  /** Every endpoint of the hub as negotiate sees it now. */
  list(): readonly NamedServiceEndpoint[] {
    this.#decided();
    return (
      this.#endpoints ?? [
        { name: '', type: 'primary', endpoint: endpointFromSettings(this.#settingName), setting: this.#settingName },
      ]
    );
  }

  /** The endpoint a negotiating client connects to. */
  negotiateEndpoint(context: Omit<NegotiateRouteContext, 'hubName'>): ServiceEndpoint {
    if (this.#decided() === null && this.#router === undefined) return endpointFromSettings(this.#settingName);
    const endpoints = this.list();
    const router = this.#router ?? defaultEndpointRouter;
    // The router is the app's code, maybe JavaScript: check what it returns.
    const chosen: unknown = router.getNegotiateEndpoint({ ...context, hubName: this.#hubName }, endpoints);
    if (!endpoints.includes(chosen as NamedServiceEndpoint)) {
      throw new ServerlessHubError(
        'NEGOTIATE_OPTIONS_INVALID',
        `The endpoint router of hub '${this.#hubName}' returned ${chosen === undefined || chosen === null ? String(chosen) : 'an object'} that is not one of the endpoints it was given; return one of them.`,
      );
    }
    return (chosen as NamedServiceEndpoint).endpoint;
  }
}
