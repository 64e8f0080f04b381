/** What the hub state needs to know of a connection. */
export interface HubMember {
  readonly id: string;
  readonly userId: string | undefined;
  /** The connection groups this connection is in (kept by the hub state). */
  readonly groups: Set<string>;
}

/**
 * Users may stay in a group without TTL for "1 year at most"; the service keeps only the 100 most
 * recently updated such memberships per user.
 */
const foreverMs = 365 * 24 * 3600 * 1000;
const maxUserGroupsWithoutTtl = 100;

interface UserMembership {
  expiresAt: number;
  withoutTtl: boolean;
}

/**
 * The connections, users, connection groups and user groups of one hub. A group's members are its
 * connections plus every connection of each user in the group (until the membership's TTL passes).
 * Group and user names are case-sensitive, as in the service.
 */
export class HubState<C extends HubMember> {
  private readonly connections = new Map<string, C>();
  private readonly userConnections = new Map<string, Set<C>>();
  private readonly groupConnections = new Map<string, Set<C>>();
  /** user → group → membership, in update order (for the 100-groups rule). */
  private readonly userGroups = new Map<string, Map<string, UserMembership>>();
  /** group → users, the reverse index used by group sends. */
  private readonly groupUsers = new Map<string, Set<string>>();

  constructor(readonly name: string) {}

  add(connection: C): void {
    this.connections.set(connection.id, connection);
    if (connection.userId !== undefined) {
      let set = this.userConnections.get(connection.userId);
      if (set === undefined) this.userConnections.set(connection.userId, (set = new Set()));
      set.add(connection);
    }
  }

  remove(connection: C): void {
    if (this.connections.get(connection.id) !== connection) return;
    this.connections.delete(connection.id);
    if (connection.userId !== undefined) {
      const set = this.userConnections.get(connection.userId);
      set?.delete(connection);
      if (set?.size === 0) this.userConnections.delete(connection.userId);
    }
    for (const group of connection.groups) this.deleteFromGroupIndex(group, connection);
    connection.groups.clear();
  }

  /** The hub's connection with this id, if it is connected. */
  connection(id: string): C | undefined {
    return this.connections.get(id);
  }

  /** Every connection of the hub. */
  allConnections(): IterableIterator<C> {
    return this.connections.values();
  }

  get connectionCount(): number {
    return this.connections.size;
  }

  isEmpty(): boolean {
    return this.connections.size === 0 && this.userGroups.size === 0;
  }

  userConnectionsOf(userId: string): ReadonlySet<C> {
    return this.userConnections.get(userId) ?? emptySet;
  }

  hasUser(userId: string): boolean {
    return this.userConnections.has(userId);
  }

  addToGroup(connection: C, group: string): void {
    if (connection.groups.has(group)) return;
    connection.groups.add(group);
    let set = this.groupConnections.get(group);
    if (set === undefined) this.groupConnections.set(group, (set = new Set()));
    set.add(connection);
  }

  /** @returns whether the connection was in the group. */
  removeFromGroup(connection: C, group: string): boolean {
    if (!connection.groups.delete(group)) return false;
    this.deleteFromGroupIndex(group, connection);
    return true;
  }

  removeFromAllGroups(connection: C): void {
    for (const group of connection.groups) this.deleteFromGroupIndex(group, connection);
    connection.groups.clear();
  }

  /**
   * Adds a user to a group. `ttlSeconds` undefined: without TTL (1 year, 100 most recent kept);
   * 0: only the user's current connections join (nothing is remembered); otherwise for that long.
   */
  addUserToGroup(userId: string, group: string, ttlSeconds: number | undefined, now: number): void {
    if (ttlSeconds === 0) {
      for (const connection of this.userConnectionsOf(userId)) this.addToGroup(connection, group);
      return;
    }
    let groups = this.userGroups.get(userId);
    if (groups === undefined) this.userGroups.set(userId, (groups = new Map<string, UserMembership>()));
    // Re-inserting moves the membership to the end: the map stays in update order.
    groups.delete(group);
    const withoutTtl = ttlSeconds === undefined;
    groups.set(group, { expiresAt: now + (withoutTtl ? foreverMs : ttlSeconds * 1000), withoutTtl });
    let users = this.groupUsers.get(group);
    if (users === undefined) this.groupUsers.set(group, (users = new Set()));
    users.add(userId);
    if (withoutTtl) this.enforceUserGroupLimit(userId, groups);
  }

  /** Removes the user's membership and takes the user's current connections out of the group. */
  removeUserFromGroup(userId: string, group: string): void {
    this.deleteUserMembership(userId, group);
    for (const connection of this.userConnectionsOf(userId)) this.removeFromGroup(connection, group);
  }

  removeUserFromAllGroups(userId: string): void {
    const groups = this.userGroups.get(userId);
    if (groups !== undefined) for (const group of [...groups.keys()]) this.deleteUserMembership(userId, group);
    for (const connection of this.userConnectionsOf(userId)) this.removeFromAllGroups(connection);
  }

  /** Whether the user is in the group: a live membership, or one of its connections in the group. */
  isUserInGroup(userId: string, group: string, now: number): boolean {
    if (this.liveMembership(userId, group, now)) return true;
    for (const connection of this.userConnectionsOf(userId)) if (connection.groups.has(group)) return true;
    return false;
  }

  /** Whether any connection is in the group, directly or through a user. */
  groupHasConnections(group: string, now: number): boolean {
    if ((this.groupConnections.get(group)?.size ?? 0) > 0) return true;
    for (const userId of this.groupUsers.get(group) ?? emptySet) {
      if (this.hasUser(userId) && this.liveMembership(userId, group, now)) return true;
    }
    return false;
  }

  /** Every connection in the group, directly or through a user, each once. */
  groupMembers(group: string, now: number): Set<C> {
    const members = new Set<C>(this.groupConnections.get(group));
    const users = this.groupUsers.get(group);
    if (users !== undefined) {
      for (const userId of users) {
        const connections = this.userConnections.get(userId);
        if (connections !== undefined && this.liveMembership(userId, group, now))
          for (const connection of connections) members.add(connection);
      }
    }
    return members;
  }

  /** Forgets user memberships whose TTL has passed. */
  sweepExpired(now: number): void {
    for (const [userId, groups] of this.userGroups) {
      for (const [group, membership] of groups)
        if (membership.expiresAt <= now) this.deleteUserMembership(userId, group);
    }
  }

  private liveMembership(userId: string, group: string, now: number): boolean {
    const membership = this.userGroups.get(userId)?.get(group);
    if (membership === undefined) return false;
    if (membership.expiresAt > now) return true;
    this.deleteUserMembership(userId, group);
    return false;
  }

  private enforceUserGroupLimit(userId: string, groups: Map<string, UserMembership>): void {
    let withoutTtl = 0;
    for (const membership of groups.values()) if (membership.withoutTtl) withoutTtl++;
    if (withoutTtl <= maxUserGroupsWithoutTtl) return;
    for (const [group, membership] of groups) {
      if (!membership.withoutTtl) continue;
      this.deleteUserMembership(userId, group);
      if (--withoutTtl <= maxUserGroupsWithoutTtl) return;
    }
  }

  private deleteUserMembership(userId: string, group: string): void {
    const groups = this.userGroups.get(userId);
    if (groups?.delete(group) !== true) return;
    if (groups.size === 0) this.userGroups.delete(userId);
    const users = this.groupUsers.get(group);
    users?.delete(userId);
    if (users?.size === 0) this.groupUsers.delete(group);
  }

  private deleteFromGroupIndex(group: string, connection: C): void {
    const set = this.groupConnections.get(group);
    set?.delete(connection);
    if (set?.size === 0) this.groupConnections.delete(group);
  }
}

const emptySet: ReadonlySet<never> = new Set<never>();
