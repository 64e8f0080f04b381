import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { errorMessage } from '../errors/describe-error.js';

/**
 * One connection of a group, as the service lists it (`GroupMember` of REST API 2024-12-01).
 *
 * @example
 * ```ts
 * for await (const member of hub.groups.listConnections('room')) console.log(member.connectionId, member.userId);
 * ```
 */
export interface GroupMember {
  readonly connectionId: string;
  /** The user of the connection; absent for an anonymous connection. */
  readonly userId?: string;
}

/**
 * One page of a group's connections, and the token that asks for the next one.
 *
 * @example
 * ```ts
 * let page = await service.groups.listConnectionsPage('room');
 * while (page.continuationToken !== undefined) {
 *   page = await service.groups.listConnectionsPage('room', { continuationToken: page.continuationToken });
 * }
 * ```
 */
export interface GroupMemberPage {
  readonly members: readonly GroupMember[];
  /** Pass to the next call for the next page; `undefined` on the last page. */
  readonly continuationToken: string | undefined;
}

function malformed(what: string, problem: string): ServerlessHubError {
  return new ServerlessHubError(
    'REST_SERVICE_ERROR',
    `${what}: the service's answer is not a page of group members (${problem}).`,
  );
}

/**
 * Reads a `GroupMemberPagedValues` answer (`{"value": [...], "nextLink"?: "…"}`): the answer is untrusted,
 * so every member is checked. The next page's continuation token is the `continuationToken` query
 * parameter of `nextLink` (the official SDK follows that link as it is; this client rebuilds the request
 * from it, so the token audience and base path stay its own).
 */
export function parseGroupMemberPage(body: string, what: string): GroupMemberPage {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw malformed(what, `not JSON: ${errorMessage(error)}`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw malformed(what, 'not an object');
  const { value, nextLink } = parsed as { value?: unknown; nextLink?: unknown };
  if (!Array.isArray(value)) throw malformed(what, "'value' is not an array");
  const members: GroupMember[] = [];
  for (const entry of value as unknown[]) {
    if (typeof entry !== 'object' || entry === null) throw malformed(what, 'a member is not an object');
    const { connectionId, userId } = entry as { connectionId?: unknown; userId?: unknown };
    if (typeof connectionId !== 'string' || connectionId === '') throw malformed(what, 'a member has no connectionId');
    if (userId !== undefined && userId !== null && typeof userId !== 'string')
      throw malformed(what, "a member's userId is not a string");
    members.push(Object.freeze(typeof userId === 'string' ? { connectionId, userId } : { connectionId }));
  }
  let continuationToken: string | undefined;
  if (nextLink !== undefined && nextLink !== null) {
    if (typeof nextLink !== 'string') throw malformed(what, "'nextLink' is not a string");
    let url: URL;
    try {
      url = new URL(nextLink, 'http://service.invalid/');
    } catch {
      throw malformed(what, "'nextLink' is not a URL");
    }
    const token = url.searchParams.get('continuationToken');
    if (token === null || token === '') throw malformed(what, "'nextLink' has no continuationToken");
    continuationToken = token;
  }
  return Object.freeze({ members: Object.freeze(members), continuationToken });
}
