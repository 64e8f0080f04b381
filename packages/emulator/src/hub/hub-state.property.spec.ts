// Model-based property test of a hub's membership state: random sequences of connects, disconnects,
// connection-group and user-group changes (with and without TTL, and ttl=0) and clock moves, checked after
// every step against a plain model of the documented rules (docs/emulator.md, REST API): a group's members
// are its connections plus every connection of each user whose membership is live; ttl=0 adds only the
// user's current connections; removing a user from a group also takes the user's connections out of it.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HubState } from './hub-state.js';
import type { HubMember } from './hub-state.js';

interface Member extends HubMember {
  readonly id: string;
  readonly userId: string | undefined;
  readonly groups: Set<string>;
}

type Command =
  | { readonly kind: 'connect'; readonly id: string; readonly user: string | undefined }
  | { readonly kind: 'disconnect'; readonly id: string }
  | { readonly kind: 'join'; readonly id: string; readonly group: string }
  | { readonly kind: 'leave'; readonly id: string; readonly group: string }
  | { readonly kind: 'leave-all'; readonly id: string }
  | { readonly kind: 'user-join'; readonly user: string; readonly group: string; readonly ttl: number | undefined }
  | { readonly kind: 'user-leave'; readonly user: string; readonly group: string }
  | { readonly kind: 'user-leave-all'; readonly user: string }
  | { readonly kind: 'tick'; readonly ms: number };

const ids = ['c1', 'c2', 'c3', 'c4'];
const users = ['alice', 'bob', 'carol'];
const groups = ['g1', 'g2', 'room'];

const id = fc.constantFrom(...ids);
const user = fc.constantFrom(...users);
const group = fc.constantFrom(...groups);
const command: fc.Arbitrary<Command> = fc.oneof(
  fc.record({ kind: fc.constant('connect' as const), id, user: fc.option(user, { nil: undefined }) }),
  fc.record({ kind: fc.constant('disconnect' as const), id }),
  fc.record({ kind: fc.constant('join' as const), id, group }),
  fc.record({ kind: fc.constant('leave' as const), id, group }),
  fc.record({ kind: fc.constant('leave-all' as const), id }),
  fc.record({ kind: fc.constant('user-join' as const), user, group, ttl: fc.constantFrom(undefined, 0, 1, 5, 60) }),
  fc.record({ kind: fc.constant('user-leave' as const), user, group }),
  fc.record({ kind: fc.constant('user-leave-all' as const), user }),
  fc.record({ kind: fc.constant('tick' as const), ms: fc.constantFrom(500, 1000, 4000, 30_000) }),
);

/** The rules, written as plainly as possible. */
class Model {
  readonly connections = new Map<string, string | undefined>();
  readonly connectionGroups = new Map<string, Set<string>>();
  /** user → group → expiry (ms) */
  readonly userGroups = new Map<string, Map<string, number>>();

  live(userId: string, groupName: string, now: number): boolean {
    return (this.userGroups.get(userId)?.get(groupName) ?? -1) > now;
  }

  members(groupName: string, now: number): string[] {
    return [...this.connections]
      .filter(
        ([connection, userId]) =>
          this.connectionGroups.get(connection)?.has(groupName) === true ||
          (userId !== undefined && this.live(userId, groupName, now)),
      )
      .map(([connection]) => connection)
      .sort();
  }

  userInGroup(userId: string, groupName: string, now: number): boolean {
    if (this.live(userId, groupName, now)) return true;
    return [...this.connections].some(
      ([connection, owner]) => owner === userId && this.connectionGroups.get(connection)?.has(groupName) === true,
    );
  }
}

describe('hub membership state, against a model of the rules', () => {
  it('every step agrees with the model', () => {
    fc.assert(
      fc.property(fc.array(command, { maxLength: 40 }), (commands) => {
        const state = new HubState<Member>('chat');
        const live = new Map<string, Member>();
        const model = new Model();
        let now = 1_000_000;
        for (const step of commands) {
          switch (step.kind) {
            case 'connect': {
              if (live.has(step.id)) break;
              const member: Member = { id: step.id, userId: step.user, groups: new Set() };
              live.set(step.id, member);
              state.add(member);
              model.connections.set(step.id, step.user);
              model.connectionGroups.set(step.id, new Set());
              break;
            }
            case 'disconnect': {
              const member = live.get(step.id);
              if (member === undefined) break;
              state.remove(member);
              live.delete(step.id);
              model.connections.delete(step.id);
              model.connectionGroups.delete(step.id);
              break;
            }
            case 'join': {
              const member = live.get(step.id);
              if (member === undefined) break;
              state.addToGroup(member, step.group);
              model.connectionGroups.get(step.id)?.add(step.group);
              break;
            }
            case 'leave': {
              const member = live.get(step.id);
              if (member === undefined) break;
              expect(state.removeFromGroup(member, step.group)).toBe(
                model.connectionGroups.get(step.id)?.delete(step.group) === true,
              );
              break;
            }
            case 'leave-all': {
              const member = live.get(step.id);
              if (member === undefined) break;
              state.removeFromAllGroups(member);
              model.connectionGroups.get(step.id)?.clear();
              break;
            }
            case 'user-join':
              state.addUserToGroup(step.user, step.group, step.ttl, now);
              if (step.ttl === 0) {
                for (const [connection, owner] of model.connections)
                  if (owner === step.user) model.connectionGroups.get(connection)?.add(step.group);
              } else {
                let memberships = model.userGroups.get(step.user);
                if (memberships === undefined) model.userGroups.set(step.user, (memberships = new Map()));
                memberships.set(step.group, now + (step.ttl === undefined ? 365 * 24 * 3600 * 1000 : step.ttl * 1000));
              }
              break;
            case 'user-leave':
              state.removeUserFromGroup(step.user, step.group);
              model.userGroups.get(step.user)?.delete(step.group);
              for (const [connection, owner] of model.connections)
                if (owner === step.user) model.connectionGroups.get(connection)?.delete(step.group);
              break;
            case 'user-leave-all':
              state.removeUserFromAllGroups(step.user);
              model.userGroups.delete(step.user);
              for (const [connection, owner] of model.connections)
                if (owner === step.user) model.connectionGroups.get(connection)?.clear();
              break;
            case 'tick':
              now += step.ms;
              if (step.ms >= 4000) state.sweepExpired(now);
              break;
          }
          for (const groupName of groups) {
            const expected = model.members(groupName, now);
            expect([...state.groupMembers(groupName, now)].map((member) => member.id).sort()).toEqual(expected);
            expect(state.groupHasConnections(groupName, now)).toBe(expected.length > 0);
            for (const userId of users)
              expect(state.isUserInGroup(userId, groupName, now)).toBe(model.userInGroup(userId, groupName, now));
          }
          for (const userId of users) {
            expect([...state.userConnectionsOf(userId)].map((member) => member.id).sort()).toEqual(
              [...model.connections]
                .filter(([, owner]) => owner === userId)
                .map(([connection]) => connection)
                .sort(),
            );
          }
        }
      }),
      { numRuns: 300 },
    );
  });
});
