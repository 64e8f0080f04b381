import { describe, expect, it } from 'vitest';
import { HubRestRoutes } from './hub-rest-routes.js';

describe('HubRestRoutes', () => {
  it('lower-cases and escapes the hub, and puts the api-version in the query', () => {
    const routes = new HubRestRoutes('Chat[1]', undefined);
    expect(routes.hubPath).toBe('/api/hubs/chat%5B1%5D');
    expect(routes.query).toBe('?api-version=2024-12-01');
  });

  it('puts a lower-cased application before the api-version', () => {
    expect(new HubRestRoutes('chat', 'Contoso').query).toBe('?application=contoso&api-version=2024-12-01');
  });

  it('escapes every id segment', () => {
    const routes = new HubRestRoutes('chat', undefined);
    expect(routes.connection('a/b')).toBe('/api/hubs/chat/connections/a%2Fb');
    expect(routes.user("o'neil")).toBe('/api/hubs/chat/users/o%27neil');
    expect(routes.group('room 1')).toBe('/api/hubs/chat/groups/room%201');
    expect(routes.groupConnection('g?', 'c#')).toBe('/api/hubs/chat/groups/g%3F/connections/c%23');
    expect(routes.userGroup('u&', 'g=')).toBe('/api/hubs/chat/users/u%26/groups/g%3D');
  });

  it('repeats excluded and appends the reason', () => {
    const routes = new HubRestRoutes('chat', 'app');
    expect(routes.queryWith('excluded', ['a', 'b&c'])).toBe(
      '?application=app&api-version=2024-12-01&excluded=a&excluded=b%26c',
    );
    expect(routes.closeQuery(['x'], 'bye now')).toBe(
      '?application=app&api-version=2024-12-01&excluded=x&reason=bye%20now',
    );
    expect(routes.closeQuery([], undefined)).toBe('?application=app&api-version=2024-12-01');
  });
});
