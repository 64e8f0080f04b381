import type { ClientManager } from '../service/client-manager.js';
import type { ConnectionGroups } from '../service/connection-groups.js';
import type { HubClients } from '../service/hub-clients.js';
import type { UserGroups } from '../service/user-groups.js';

/**
 * What a hub uses to reach its clients: the service's REST API for one hub, or a stand-in (for example
 * the recording services of `@serverless-hub/core/testing`). `ServerlessHub` exposes them as
 * `this.clients` (typed), `this.groups`, `this.userGroups` and `this.clientManager`.
 *
 * @example
 * ```ts
 * registerHubs(app, [Chat], {
 *   services: ({ hubName }) => recordingServicesFor(hubName), // no REST calls in tests
 * });
 * ```
 */
export interface HubServices {
  readonly clients: HubClients;
  readonly groups: ConnectionGroups;
  readonly userGroups: UserGroups;
  readonly clientManager: ClientManager;
}

/**
 * What a {@link HubServicesFactory} is told about the hub it serves.
 *
 * @example
 * ```ts
 * registerHubs(app, [Chat], {
 *   services: ({ hubName, connectionStringSetting }: HubServicesRequest) =>
 *     new ServiceHubClient(endpointFromSettings(connectionStringSetting), hubName, { timeoutMs: 10_000 }),
 * });
 * ```
 */
export interface HubServicesRequest {
  /** The hub name, as declared. */
  readonly hubName: string;
  /** The app setting that holds the hub's connection string. */
  readonly connectionStringSetting: string;
}

/**
 * Creates the services of one hub. Called once per hub, at its first use, and cached; not per request.
 *
 * @example
 * ```ts
 * const services: HubServicesFactory = ({ hubName, connectionStringSetting }) =>
 *   new ServiceHubClient(endpointFromSettings(connectionStringSetting), hubName, { retry: false });
 * registerHubs(app, [Chat], { services }); // every hub's this.clients, this.groups... go through it
 * ```
 */
export type HubServicesFactory = (request: HubServicesRequest) => HubServices;
