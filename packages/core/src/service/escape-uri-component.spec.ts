import { describe, expect, it } from 'vitest';
import { escapeUriComponent } from './escape-uri-component.js';

describe('escapeUriComponent', () => {
  it('keeps the RFC 3986 unreserved characters', () => {
    expect(escapeUriComponent('AZaz09-._~')).toBe('AZaz09-._~');
  });

  it("escapes what encodeURIComponent leaves but .NET Uri.EscapeDataString does not: ! ' ( ) *", () => {
    expect(escapeUriComponent("!'()*")).toBe('%21%27%28%29%2A');
  });

  it('escapes separators, spaces and the hub name punctuation', () => {
    expect(escapeUriComponent('a/b?c#d&e=f g+h%`,[]')).toBe('a%2Fb%3Fc%23d%26e%3Df%20g%2Bh%25%60%2C%5B%5D');
  });

  it('encodes non-ASCII text as UTF-8', () => {
    expect(escapeUriComponent('é😀')).toBe('%C3%A9%F0%9F%98%80');
  });
});
