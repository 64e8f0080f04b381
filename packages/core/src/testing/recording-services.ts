import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { abortedError } from '../service/abortable.js';
import type { HubServices } from '../hub/hub-services.js';
import type { ClientManager, CloseConnectionsOptions } from '../service/client-manager.js';
import type { ClientTarget } from '../service/client-target.js';
import type {
  ConnectionGroups,
  ListConnectionsOptions,
  ListConnectionsPageOptions,
} from '../service/connection-groups.js';
import type { ClientInvocationOptions, ConnectionTarget } from '../service/connection-target.js';
import type { GroupMember, GroupMemberPage } from '../service/group-member-page.js';
import type { HubClients } from '../service/hub-clients.js';
import {
  assertConnectionId,
  assertGroupName,
  assertIdList,
  assertReason,
  assertStreamId,
  assertTarget,
  assertTtl,
  assertUserId,
} from '../service/rest-arguments.js';
import type { RestCallOptions } from '../service/rest-call-options.js';
import type { AddUserToGroupOptions, UserGroups } from '../service/user-groups.js';

/**
 * Which clients a recorded message went to.
 *
 * @example
 * ```ts
 * expect(services.messages[0]?.to).toEqual({ kind: 'group', group: 'room' });
 * ```
 */
export type ClientSelection =
  | { readonly kind: 'all' }
  | { readonly kind: 'allExcept'; readonly excluded: readonly string[] }
  | { readonly kind: 'client'; readonly connectionId: string }
  | { readonly kind: 'clients'; readonly connectionIds: readonly string[] }
  | { readonly kind: 'user'; readonly userId: string }
  | { readonly kind: 'users'; readonly userIds: readonly string[] }
  | { readonly kind: 'group'; readonly group: string }
  | { readonly kind: 'groups'; readonly groups: readonly string[] }
  | { readonly kind: 'groupExcept'; readonly group: string; readonly excluded: readonly string[] };

/**
 * A message the hub sent to clients.
 *
 * @example
 * ```ts
 * const [first]: readonly RecordedMessage[] = services.messages;
 * first?.target; // 'newMessage'
 * ```
 */
export interface RecordedMessage {
  readonly to: ClientSelection;
  /** The client method invoked. */
  readonly target: string;
  readonly arguments: readonly unknown[];
}

/**
 * A call to `groups`, `userGroups` or `clientManager`.
 *
 * @example
 * ```ts
 * expect(services.calls).toContainEqual({ api: 'groups', method: 'addToGroup', args: ['c1', 'room'] });
 * ```
 */
export interface RecordedCall {
  /** `clients` for a connection's `invoke`, `sendStreamItem` and `completeStream`. */
  readonly api: 'clients' | 'groups' | 'userGroups' | 'clientManager';
  readonly method: string;
  /** The call's arguments, without the trailing call options. */
  readonly args: readonly unknown[];
}

/**
 * What the stand-ins answer to questions (`connectionExists`, `isUserInGroup`, ...) and to calls that
 * report whether their target existed (`addToGroup`, `closeConnection`, ...). Each defaults to `true`. *
 * @example
 * ```ts
 * services.answers.userExists = false; // this.clientManager.userExists(...) now resolves false
 * ```
 */
export interface RecordingAnswers {
  connectionExists: boolean;
  userExists: boolean;
  groupExists: boolean;
  isUserInGroup: boolean;
  /** Whether the connection existed, for `groups.addToGroup` / `removeFromGroup` and `closeConnection`. */
  connectionFound: boolean;
  /** The client's result of `clients.client(id).invoke(target, ...args)`; default: `undefined`. */
  clientResult: (connectionId: string, target: string, args: readonly unknown[]) => unknown;
  /** The members `groups.listConnections(group)` lists; default: none. */
  groupMembers: (group: string) => readonly GroupMember[];
}

/**
 * {@link HubServices} that record instead of calling the service: every message sent (`messages`) and
 * every group or connection call (`calls`), in order. Arguments are validated as the REST client
 * validates them, so a hub that passes an empty group name fails here as it would in production. *
 * @example
 * ```ts
 * const services: RecordingServices = createRecordingServices();
 * registerHubs(app, [Chat], { services: () => services });
 * ```
 */
export interface RecordingServices extends HubServices {
  readonly messages: readonly RecordedMessage[];
  readonly calls: readonly RecordedCall[];
  /** Change to make questions answer `false`. */
  readonly answers: RecordingAnswers;
  /** Forgets what was recorded (answers are kept). */
  reset(): void;
}

function unique(ids: readonly string[]): readonly string[] {
  return Object.freeze([...new Set(ids)]);
}

/**
 * Creates {@link RecordingServices}: stand-ins for `this.clients`, `this.groups`, `this.userGroups` and
 * `this.clientManager`, so a hub can be tested without any server.
 *
 * @example
 * ```ts
 * const services = createRecordingServices();
 * registerHubs(app, [Chat], { services: () => services });
 * // ... invoke 'broadcast' ...
 * expect(services.messages).toEqual([{ to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'c1', text: 'hi' }] }]);
 * services.answers.connectionExists = false;
 * ```
 */
export function createRecordingServices(): RecordingServices {
  const messages: RecordedMessage[] = [];
  const calls: RecordedCall[] = [];
  const answers: RecordingAnswers = {
    connectionExists: true,
    userExists: true,
    groupExists: true,
    isUserInGroup: true,
    connectionFound: true,
    clientResult: () => undefined,
    groupMembers: () => [],
  };

  const target = (to: ClientSelection): ClientTarget => ({
    send(name: string, ...args: unknown[]): Promise<void> {
      return this.sendMessage(name, args);
    },
    // async: an invalid argument rejects, as the REST client's sends do.
    async sendMessage(name: string, args: readonly unknown[], _options?: RestCallOptions): Promise<void> {
      assertTarget(name);
      // The REST client sends JSON: what does not survive JSON fails there, so it fails here too.
      JSON.stringify(args);
      messages.push(Object.freeze({ to, target: name, arguments: Object.freeze([...args]) }));
      await Promise.resolve();
    },
  });

  const connectionTarget = (connectionId: string): ConnectionTarget => {
    const base = target({ kind: 'client', connectionId });
    const self: ConnectionTarget = {
      send: (name: string, ...args: unknown[]) => base.sendMessage(name, args),
      sendMessage: (name: string, args: readonly unknown[], options?: RestCallOptions) =>
        base.sendMessage(name, args, options),
      invoke: (name: string, ...args: unknown[]) => self.invokeMessage(name, args),
      async invokeMessage(name: string, args: readonly unknown[], _options?: ClientInvocationOptions) {
        assertTarget(name);
        JSON.stringify(args);
        calls.push(
          Object.freeze({ api: 'clients', method: 'invoke', args: Object.freeze([connectionId, name, ...args]) }),
        );
        return await Promise.resolve(answers.clientResult(connectionId, name, args));
      },
      async sendStreamItem(streamId: string, item: unknown, options?: { readonly completed?: boolean }) {
        assertStreamId(streamId);
        JSON.stringify(item);
        calls.push(
          Object.freeze({
            api: 'clients',
            method: 'sendStreamItem',
            args: Object.freeze([
              connectionId,
              streamId,
              item,
              ...(options?.completed === true ? [{ completed: true }] : []),
            ]),
          }),
        );
        return await Promise.resolve(answers.connectionFound);
      },
      async completeStream(streamId: string, options?: { readonly error?: string }) {
        assertStreamId(streamId);
        calls.push(
          Object.freeze({
            api: 'clients',
            method: 'completeStream',
            args: Object.freeze([
              connectionId,
              streamId,
              ...(options?.error === undefined ? [] : [{ error: options.error }]),
            ]),
          }),
        );
        return await Promise.resolve(answers.connectionFound);
      },
      async sendStream(streamId: string, items: AsyncIterable<unknown> | Iterable<unknown>, options?: RestCallOptions) {
        assertStreamId(streamId);
        try {
          for await (const item of items) {
            if (options?.signal?.aborted === true)
              throw abortedError(options.signal, `Streaming to ${JSON.stringify(streamId)}`);
            if (!(await self.sendStreamItem(streamId, item))) return false;
          }
        } catch (error) {
          if (ServerlessHubError.is(error, 'REST_ABORTED')) throw error;
          return self.completeStream(streamId, { error: error instanceof Error ? error.message : String(error) });
        }
        return self.completeStream(streamId);
      },
    };
    return self;
  };

  const all = target({ kind: 'all' });
  const clients: HubClients = {
    all,
    allExcept(excluded) {
      assertIdList(excluded, 'excluded connection ids', assertConnectionId);
      return target({ kind: 'allExcept', excluded: unique(excluded) });
    },
    client(connectionId) {
      assertConnectionId(connectionId);
      return connectionTarget(connectionId);
    },
    clients(connectionIds) {
      assertIdList(connectionIds, 'connection ids', assertConnectionId);
      return target({ kind: 'clients', connectionIds: unique(connectionIds) });
    },
    user(userId) {
      assertUserId(userId);
      return target({ kind: 'user', userId });
    },
    users(userIds) {
      assertIdList(userIds, 'user ids', assertUserId);
      return target({ kind: 'users', userIds: unique(userIds) });
    },
    group(group) {
      assertGroupName(group);
      return target({ kind: 'group', group });
    },
    groups(groups) {
      assertIdList(groups, 'group names', assertGroupName);
      return target({ kind: 'groups', groups: unique(groups) });
    },
    groupExcept(group, excluded) {
      assertGroupName(group);
      assertIdList(excluded, 'excluded connection ids', assertConnectionId);
      return target({ kind: 'groupExcept', group, excluded: unique(excluded) });
    },
  };

  async function record<T>(
    api: RecordedCall['api'],
    method: string,
    args: readonly unknown[],
    check: () => void,
    answer: T,
  ): Promise<T> {
    check();
    calls.push(Object.freeze({ api, method, args: Object.freeze([...args]) }));
    // Settle asynchronously, as a REST call does.
    return await Promise.resolve(answer);
  }

  const groups: ConnectionGroups = {
    addToGroup: (connectionId, group, _options?: RestCallOptions) =>
      record(
        'groups',
        'addToGroup',
        [connectionId, group],
        () => {
          assertConnectionId(connectionId);
          assertGroupName(group);
        },
        answers.connectionFound,
      ),
    removeFromGroup: (connectionId, group, _options?: RestCallOptions) =>
      record(
        'groups',
        'removeFromGroup',
        [connectionId, group],
        () => {
          assertConnectionId(connectionId);
          assertGroupName(group);
        },
        answers.connectionFound,
      ),
    removeFromAllGroups: (connectionId, _options?: RestCallOptions) =>
      record(
        'groups',
        'removeFromAllGroups',
        [connectionId],
        () => {
          assertConnectionId(connectionId);
        },
        undefined,
      ),
    listConnections(group: string, options?: ListConnectionsOptions): AsyncIterable<GroupMember> {
      assertGroupName(group);
      const members = answers.groupMembers(group).slice(0, options?.top ?? Number.POSITIVE_INFINITY);
      calls.push(Object.freeze({ api: 'groups', method: 'listConnections', args: Object.freeze([group]) }));
      return (async function* list() {
        for (const member of members) yield await Promise.resolve(member);
      })();
    },
    listConnectionsPage: (group: string, options?: ListConnectionsPageOptions) =>
      record(
        'groups',
        'listConnectionsPage',
        [group],
        () => {
          assertGroupName(group);
        },
        Object.freeze({
          members: answers.groupMembers(group).slice(0, options?.top ?? options?.maxPageSize ?? 200),
          continuationToken: undefined,
        }) as GroupMemberPage,
      ),
  };

  const userGroups: UserGroups = {
    addToGroup: (userId, group, options?: AddUserToGroupOptions) =>
      record(
        'userGroups',
        'addToGroup',
        options?.ttl === undefined ? [userId, group] : [userId, group, { ttl: options.ttl }],
        () => {
          assertUserId(userId);
          assertGroupName(group);
          if (options?.ttl !== undefined) assertTtl(options.ttl);
        },
        undefined,
      ),
    removeFromGroup: (userId, group, _options?: RestCallOptions) =>
      record(
        'userGroups',
        'removeFromGroup',
        [userId, group],
        () => {
          assertUserId(userId);
          assertGroupName(group);
        },
        undefined,
      ),
    removeFromAllGroups: (userId, _options?: RestCallOptions) =>
      record(
        'userGroups',
        'removeFromAllGroups',
        [userId],
        () => {
          assertUserId(userId);
        },
        undefined,
      ),
    isUserInGroup: (userId, group, _options?: RestCallOptions) =>
      record(
        'userGroups',
        'isUserInGroup',
        [userId, group],
        () => {
          assertUserId(userId);
          assertGroupName(group);
        },
        answers.isUserInGroup,
      ),
  };

  const closeOptions = (options: CloseConnectionsOptions | undefined): unknown[] => {
    const recorded: Record<string, unknown> = {};
    if (options?.excluded !== undefined) recorded.excluded = [...options.excluded];
    if (options?.reason !== undefined) recorded.reason = options.reason;
    return Object.keys(recorded).length === 0 ? [] : [recorded];
  };
  const checkClose = (options: CloseConnectionsOptions | undefined): void => {
    if (options?.excluded !== undefined) assertIdList(options.excluded, 'excluded connection ids', assertConnectionId);
    if (options?.reason !== undefined) assertReason(options.reason);
  };

  const clientManager: ClientManager = {
    closeConnection: (connectionId, reason?: string, _options?: RestCallOptions) =>
      record(
        'clientManager',
        'closeConnection',
        reason === undefined ? [connectionId] : [connectionId, reason],
        () => {
          assertConnectionId(connectionId);
          if (reason !== undefined) assertReason(reason);
        },
        answers.connectionFound,
      ),
    closeConnections: (options?: CloseConnectionsOptions) =>
      record(
        'clientManager',
        'closeConnections',
        closeOptions(options),
        () => {
          checkClose(options);
        },
        undefined,
      ),
    closeGroupConnections: (group, options?: CloseConnectionsOptions) =>
      record(
        'clientManager',
        'closeGroupConnections',
        [group, ...closeOptions(options)],
        () => {
          assertGroupName(group);
          checkClose(options);
        },
        undefined,
      ),
    closeUserConnections: (userId, options?: CloseConnectionsOptions) =>
      record(
        'clientManager',
        'closeUserConnections',
        [userId, ...closeOptions(options)],
        () => {
          assertUserId(userId);
          checkClose(options);
        },
        undefined,
      ),
    connectionExists: (connectionId, _options?: RestCallOptions) =>
      record(
        'clientManager',
        'connectionExists',
        [connectionId],
        () => {
          assertConnectionId(connectionId);
        },
        answers.connectionExists,
      ),
    userExists: (userId, _options?: RestCallOptions) =>
      record(
        'clientManager',
        'userExists',
        [userId],
        () => {
          assertUserId(userId);
        },
        answers.userExists,
      ),
    groupExists: (group, _options?: RestCallOptions) =>
      record(
        'clientManager',
        'groupExists',
        [group],
        () => {
          assertGroupName(group);
        },
        answers.groupExists,
      ),
  };

  return {
    clients,
    groups,
    userGroups,
    clientManager,
    messages,
    calls,
    answers,
    reset() {
      messages.length = 0;
      calls.length = 0;
    },
  };
}
