import { describe, expect, it } from 'vitest';
import { HubState } from './hub-state.js';
import type { HubMember } from './hub-state.js';

function member(id: string, userId?: string): HubMember {
  return { id, userId, groups: new Set() };
}

function ids(members: Iterable<HubMember>): string[] {
  return [...members].map((m) => m.id).sort();
}

describe('HubState', () => {
  it('indexes connections by user and forgets them on removal', () => {
    const hub = new HubState<HubMember>('chat');
    const a1 = member('a1', 'ann');
    const a2 = member('a2', 'ann');
    hub.add(a1);
    hub.add(a2);
    hub.addToGroup(a1, 'g');
    expect(ids(hub.userConnectionsOf('ann'))).toEqual(['a1', 'a2']);
    hub.remove(a1);
    expect(ids(hub.userConnectionsOf('ann'))).toEqual(['a2']);
    expect(hub.groupHasConnections('g', 0)).toBe(false);
    expect(a1.groups.size).toBe(0);
    hub.remove(a2);
    expect(hub.hasUser('ann')).toBe(false);
    expect(hub.isEmpty()).toBe(true);
  });

  it("puts a user's connections, present and future, in the user's groups until the TTL passes", () => {
    const hub = new HubState<HubMember>('chat');
    const a1 = member('a1', 'ann');
    const b1 = member('b1', 'ben');
    hub.add(a1);
    hub.add(b1);
    hub.addToGroup(b1, 'g');
    hub.addUserToGroup('ann', 'g', 10, 1000);
    const a2 = member('a2', 'ann');
    hub.add(a2);
    expect(ids(hub.groupMembers('g', 2000))).toEqual(['a1', 'a2', 'b1']);
    expect(hub.isUserInGroup('ann', 'g', 2000)).toBe(true);
    expect(ids(hub.groupMembers('g', 11_000))).toEqual(['b1']);
    expect(hub.isUserInGroup('ann', 'g', 11_000)).toBe(false);
  });

  it('with TTL 0 adds only the current connections, and remembers nothing', () => {
    const hub = new HubState<HubMember>('chat');
    const a1 = member('a1', 'ann');
    hub.add(a1);
    hub.addUserToGroup('ann', 'g', 0, 0);
    hub.add(member('a2', 'ann'));
    expect(ids(hub.groupMembers('g', 0))).toEqual(['a1']);
    expect(hub.isUserInGroup('ann', 'g', 0)).toBe(true);
    hub.removeUserFromGroup('ann', 'g');
    expect(hub.isUserInGroup('ann', 'g', 0)).toBe(false);
    expect(hub.groupHasConnections('g', 0)).toBe(false);
  });

  it('keeps only the 100 most recently updated groups a user joined without TTL', () => {
    const hub = new HubState<HubMember>('chat');
    for (let index = 0; index < 101; index++) hub.addUserToGroup('ann', `g${index}`, undefined, 0);
    expect(hub.isUserInGroup('ann', 'g0', 0)).toBe(false);
    expect(hub.isUserInGroup('ann', 'g1', 0)).toBe(true);
    hub.addUserToGroup('ann', 'g1', undefined, 0);
    hub.addUserToGroup('ann', 'g101', undefined, 0);
    expect(hub.isUserInGroup('ann', 'g1', 0)).toBe(true);
    expect(hub.isUserInGroup('ann', 'g2', 0)).toBe(false);
  });

  it('removes a user from all groups, memberships and connections alike', () => {
    const hub = new HubState<HubMember>('chat');
    const a1 = member('a1', 'ann');
    hub.add(a1);
    hub.addToGroup(a1, 'direct');
    hub.addUserToGroup('ann', 'remembered', undefined, 0);
    hub.removeUserFromAllGroups('ann');
    expect(hub.groupHasConnections('direct', 0)).toBe(false);
    expect(hub.groupHasConnections('remembered', 0)).toBe(false);
    expect(hub.isUserInGroup('ann', 'remembered', 0)).toBe(false);
  });

  it('sweeps expired memberships', () => {
    const hub = new HubState<HubMember>('chat');
    hub.addUserToGroup('ann', 'g', 1, 0);
    expect(hub.isEmpty()).toBe(false);
    hub.sweepExpired(500);
    expect(hub.isEmpty()).toBe(false);
    hub.sweepExpired(1000);
    expect(hub.isEmpty()).toBe(true);
  });
});
