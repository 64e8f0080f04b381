import type { InvocationContext } from '@azure/functions';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import type { EndpointRouter } from '../endpoints/endpoint-router.js';
import { endpointFromSettings } from '../connection/endpoint-from-settings.js';
import { multiEndpointServices } from '../endpoints/fan-out-services.js';
import type { HubEndpoints } from '../endpoints/hub-endpoints.js';
import { negotiate } from '../negotiate/negotiate.js';
import type { ConnectionInfo, NegotiateOptions } from '../negotiate/negotiate.js';
import { ServiceHubClient } from '../service/service-hub-client.js';
import type { NegotiateRouteContext } from '../endpoints/negotiate-route-context.js';
import type { Reconnection } from '../negotiate/reconnection.js';
import type { HubInvocationContext } from '../upstream/hub-invocation-context.js';
import type { HubServices, HubServicesFactory } from './hub-services.js';
import { typedHubClients } from './typed-clients.js';
import type { TypedHubClients } from './typed-clients.js';

/**
 * What one registered hub shares across all its invocations: its name and connection setting, its
 * endpoints, and its services, created on first use (so that a missing setting fails the first call that
 * needs it, with a message naming the setting, not the app's start-up) and then reused. Built with the
 * hub's functions at the first request (see `hub-function-handlers.ts`): it holds everything a hub
 * instance reaches at run time, so that the hub class itself loads none of it.
 */
export class HubRuntime {
  // undefined: the hub's own endpoints (the connection setting, or the named endpoints with the router).
  readonly #servicesFactory: HubServicesFactory | undefined;
  readonly #endpointRouter: EndpointRouter | undefined;
  #services: HubServices | undefined;
  #clients: TypedHubClients<unknown> | undefined;

  /**
   * @param endpoints - The hub's service endpoints for negotiate, with their health; made at registration
   * (its `serviceEndpoints()` reads them) and shared with the hub's options-based negotiate.
   */
  constructor(
    readonly hubName: string,
    readonly connectionStringSetting: string,
    readonly endpoints: HubEndpoints,
    servicesFactory: HubServicesFactory | undefined,
    endpointRouter?: EndpointRouter,
  ) {
    this.#servicesFactory = servicesFactory;
    this.#endpointRouter = endpointRouter;
  }

  /**
   * The service endpoint of a negotiating client: with one connection setting, that one (parsed once per
   * setting text); with several endpoints, the router's choice.
   */
  negotiateEndpoint(context: Omit<NegotiateRouteContext, 'hubName'>): ServiceEndpoint {
    return this.endpoints.negotiateEndpoint(context);
  }

  /** A client's connection info for this hub on one of its endpoints (`this.negotiate(...)` of a hub). */
  issueConnectionInfo(endpoint: ServiceEndpoint, options: NegotiateOptions): Promise<ConnectionInfo> {
    return negotiate(endpoint, this.hubName, options);
  }

  get services(): HubServices {
    this.#services ??=
      this.#servicesFactory === undefined
        ? this.#ownServices()
        : this.#servicesFactory({ hubName: this.hubName, connectionStringSetting: this.connectionStringSetting });
    return this.#services;
  }

  // With named endpoints, each operation goes where the router says (every endpoint by default), over the
  // same endpoint objects negotiate and the health checks use; with one connection setting, straight to it.
  #ownServices(): HubServices {
    const named = this.endpoints.named();
    return named === null
      ? new ServiceHubClient(endpointFromSettings(this.connectionStringSetting), this.hubName)
      : multiEndpointServices(
          named,
          this.hubName,
          this.#endpointRouter === undefined ? {} : { router: this.#endpointRouter },
        );
  }

  /** The typed view of `services.clients`, built once. */
  get clients(): TypedHubClients<unknown> {
    this.#clients ??= typedHubClients(this.services.clients);
    return this.#clients;
  }
}

/** One call of a hub: set on a fresh hub instance before its method runs. */
export interface HubInvocation {
  readonly runtime: HubRuntime;
  /** The upstream event's context; `undefined` while negotiating. */
  readonly context: HubInvocationContext | undefined;
  /** The Azure Functions context of the function call, when the transport has one. */
  readonly functionContext: InvocationContext | undefined;
  readonly signal: AbortSignal;
  /** While negotiating: the reconnect the request's service token proves, if any. */
  readonly reconnection?: Reconnection | undefined;
  /** While negotiating: the request, for the endpoint router. */
  readonly request?: NegotiateRouteContext['request'];
}
