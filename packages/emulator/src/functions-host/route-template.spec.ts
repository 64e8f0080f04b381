import { describe, expect, it } from 'vitest';
import { RouteTemplate } from './route-template.js';

describe('RouteTemplate', () => {
  it('matches literal routes without letter case', () => {
    const route = new RouteTemplate('chat/messages/broadcast');
    expect(route.match(['Chat', 'MESSAGES', 'broadcast'])).toEqual({});
    expect(route.match(['chat', 'messages'])).toBeUndefined();
    expect(route.match(['chat', 'messages', 'broadcast', 'x'])).toBeUndefined();
  });

  it('binds parameters, optional parameters and catch-alls', () => {
    expect(new RouteTemplate('items/{id}').match(['items', '42'])).toEqual({ id: '42' });
    expect(new RouteTemplate('hello/{name?}').match(['hello'])).toEqual({});
    expect(new RouteTemplate('hello/{name?}').match(['hello', 'ada'])).toEqual({ name: 'ada' });
    expect(new RouteTemplate('files/{*path}').match(['files', 'a', 'b.txt'])).toEqual({ path: 'a/b.txt' });
    expect(new RouteTemplate('files/{*path}').match(['files'])).toEqual({});
  });

  it('checks constraints', () => {
    const route = new RouteTemplate('items/{id:int}');
    expect(route.match(['items', '7'])).toEqual({ id: '7' });
    expect(route.match(['items', 'seven'])).toBeUndefined();
    expect(new RouteTemplate('flags/{on:bool}').match(['flags', 'True'])).toEqual({ on: 'True' });
  });

  it('ranks literal routes above parameter routes', () => {
    expect(new RouteTemplate('chat/negotiate').specificity).toBeGreaterThan(
      new RouteTemplate('chat/{event}').specificity,
    );
    expect(new RouteTemplate('files/{name}').specificity).toBeGreaterThan(
      new RouteTemplate('files/{*path}').specificity,
    );
  });

  it('refuses malformed parameters', () => {
    expect(() => new RouteTemplate('items/{id')).toThrow("the segment '{id' is not a valid parameter");
  });
});
