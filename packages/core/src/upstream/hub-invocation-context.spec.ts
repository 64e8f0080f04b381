import { describe, expect, it } from 'vitest';
import { createHubInvocationContext } from './hub-invocation-context.js';

describe('createHubInvocationContext', () => {
  it('fills both claim and query views from single or repeated values', () => {
    const context = createHubInvocationContext({
      connectionId: 'c1',
      hub: 'chat',
      category: 'messages',
      event: 'broadcast',
      claims: { sub: 'u1', role: ['admin', 'ops'], none: [] },
      query: { tag: ['a', 'b'], lang: 'de' },
      arguments: ['hello'],
    });
    expect({ ...context.claims }).toEqual({ sub: 'u1', role: 'admin' });
    expect({ ...context.claimValues }).toEqual({ sub: ['u1'], role: ['admin', 'ops'] });
    expect({ ...context.query }).toEqual({ tag: 'a', lang: 'de' });
    expect(context.queryValues.tag).toEqual(['a', 'b']);
    expect(context.arguments).toEqual(['hello']);
  });

  it('defaults to no user, no error, no invocation id, empty collections and the JSON protocol', () => {
    const context = createHubInvocationContext({
      connectionId: 'c1',
      hub: 'chat',
      category: 'connections',
      event: 'connected',
    });
    expect(context).toMatchObject({
      userId: undefined,
      error: undefined,
      invocationId: undefined,
      protocol: 'json',
      arguments: [],
    });
    expect(Object.keys(context.headers)).toEqual([]);
  });

  it('lowercases header names and freezes everything, copying the arguments', () => {
    const args = [1, 2];
    const context = createHubInvocationContext({
      connectionId: 'c1',
      hub: 'chat',
      category: 'messages',
      event: 'add',
      headers: { 'X-ASRS-Hub': 'chat' },
      arguments: args,
    });
    args.push(3);
    expect(context.arguments).toEqual([1, 2]);
    expect(context.headers['x-asrs-hub']).toBe('chat');
    for (const value of [
      context,
      context.claims,
      context.claimValues,
      context.query,
      context.headers,
      context.arguments,
    ]) {
      expect(Object.isFrozen(value)).toBe(true);
    }
  });
});
