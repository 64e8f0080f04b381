import { describe, expect, it } from 'vitest';
import { parseClientQuery } from './client-query.js';

describe('parseClientQuery', () => {
  it('parses the query with its leading "?" and decodes escapes and "+"', () => {
    const query = parseClientQuery('?hub=chat&name=J%C3%BCrgen+M&empty=&flag');
    expect({ ...query.first }).toEqual({ hub: 'chat', name: 'Jürgen M', empty: '', flag: '' });
  });

  it('keeps every value of a repeated parameter and the first in the single-value view', () => {
    const query = parseClientQuery('?tag=a&tag=b&x=1');
    expect(query.all.tag).toEqual(['a', 'b']);
    expect(query.first.tag).toBe('a');
  });

  it('accepts a query without "?" and keeps malformed escapes as written', () => {
    expect({ ...parseClientQuery('a=%zz&b=%').first }).toEqual({ a: '%zz', b: '%' });
  });

  it('gives an empty, frozen result for a missing or empty query', () => {
    for (const header of [undefined, '', '?']) {
      const query = parseClientQuery(header);
      expect(Object.keys(query.all)).toEqual([]);
      expect(Object.isFrozen(query.first)).toBe(true);
    }
  });

  it('treats __proto__ as a plain parameter name', () => {
    expect(parseClientQuery('?__proto__=x').first.__proto__).toBe('x');
  });
});
