import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { parseGroupMemberPage } from './group-member-page.js';

describe('parseGroupMemberPage', () => {
  it('reads the members and the continuation token of nextLink (the spec example HubProxyV20241201_ListConnectionsInGroup)', () => {
    const page = parseGroupMemberPage(
      JSON.stringify({
        value: [
          { connectionId: 'c1', userId: 'u1' },
          { connectionId: 'c2', userId: 'u2' },
        ],
        nextLink:
          'https://www.host.com/api/hubs/hub/groups/group1/connections?top=1000&maxpagesize=200&continuationToken=c2&api-version=2024-12-01',
      }),
      'GET x',
    );
    expect(page).toEqual({
      members: [
        { connectionId: 'c1', userId: 'u1' },
        { connectionId: 'c2', userId: 'u2' },
      ],
      continuationToken: 'c2',
    });
    expect(Object.isFrozen(page.members)).toBe(true);
  });

  it('has no token on the last page; a relative nextLink and a null userId are read too', () => {
    expect(parseGroupMemberPage('{"value":[{"connectionId":"a","userId":null}]}', 'GET x')).toEqual({
      members: [{ connectionId: 'a' }],
      continuationToken: undefined,
    });
    expect(
      parseGroupMemberPage('{"value":[],"nextLink":"/api/x?continuationToken=t%2B1"}', 'GET x').continuationToken,
    ).toBe('t+1');
  });

  it.each([
    ['not JSON', 'nope'],
    ['not an object', '[]'],
    ['no value', '{}'],
    ['a member that is not an object', '{"value":["c1"]}'],
    ['a member without connectionId', '{"value":[{"userId":"u"}]}'],
    ['an empty connectionId', '{"value":[{"connectionId":""}]}'],
    ['a userId that is not a string', '{"value":[{"connectionId":"c","userId":1}]}'],
    ['a nextLink that is not a string', '{"value":[],"nextLink":3}'],
    ['a nextLink without continuationToken', '{"value":[],"nextLink":"http://x/"}'],
  ])('refuses %s with REST_SERVICE_ERROR naming the request', (_what, body) => {
    expect(() => parseGroupMemberPage(body, 'GET /api/hubs/chat/groups/g/connections')).toThrow(ServerlessHubError);
    try {
      parseGroupMemberPage(body, 'GET /api/hubs/chat/groups/g/connections');
    } catch (error) {
      expect((error as ServerlessHubError).code).toBe('REST_SERVICE_ERROR');
      expect((error as ServerlessHubError).message).toContain('GET /api/hubs/chat/groups/g/connections');
    }
  });
});
