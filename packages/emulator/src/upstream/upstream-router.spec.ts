import { describe, expect, it } from 'vitest';
import { UpstreamRouter } from './upstream-router.js';

describe('UpstreamRouter', () => {
  it('uses the first template whose hub, category and event patterns match', () => {
    const router = new UpstreamRouter([
      {
        urlTemplate: 'http://a/{event}',
        hubPattern: 'chat',
        categoryPattern: 'messages',
        eventPattern: 'broadcast, echo',
      },
      { urlTemplate: 'http://b/{hub}/{category}', categoryPattern: 'connections' },
      { urlTemplate: 'http://c/{hub}/{category}/{event}' },
    ]);
    expect(router.resolve('chat', 'messages', 'echo')).toBe('http://a/echo');
    expect(router.resolve('chat', 'messages', 'whoami')).toBe('http://c/chat/messages/whoami');
    expect(router.resolve('news', 'messages', 'echo')).toBe('http://c/news/messages/echo');
    expect(router.resolve('chat', 'connections', 'connected')).toBe('http://b/chat/connections');
  });

  it('matches names without letter case and escapes what it puts in the URL', () => {
    const router = new UpstreamRouter([
      { urlTemplate: 'http://a/{Hub}/{EVENT}?c={category}', hubPattern: 'CHAT', eventPattern: 'Say Hi' },
    ]);
    expect(router.resolve('chat', 'messages', 'say hi')).toBe('http://a/chat/say%20hi?c=messages');
  });

  it('gives nothing when no template matches, and answers the same from its cache', () => {
    const router = new UpstreamRouter([{ urlTemplate: 'http://a/{event}', eventPattern: 'connected' }]);
    expect(router.resolve('chat', 'messages', 'echo')).toBeUndefined();
    expect(router.resolve('chat', 'messages', 'echo')).toBeUndefined();
    expect(router.resolve('chat', 'connections', 'connected')).toBe('http://a/connected');
    expect(router.resolve('chat', 'connections', 'connected')).toBe('http://a/connected');
    expect(new UpstreamRouter([]).resolve('chat', 'messages', 'x')).toBeUndefined();
  });
});
