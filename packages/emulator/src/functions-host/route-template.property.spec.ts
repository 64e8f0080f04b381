// Property tests of function routes: any route text gives a template or CONFIG_INVALID; a template built
// from literals and parameters matches exactly the paths that fill it (literals in any letter case) and
// gives back the parameter values; and any path, matched against any template, never throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../errors/emulator-error.js';
import { RouteTemplate } from './route-template.js';

type Part = { readonly kind: 'literal'; readonly text: string } | { readonly kind: 'parameter'; readonly name: string };

const part: fc.Arbitrary<Part> = fc.oneof(
  fc.stringMatching(/^[a-z][a-z0-9_-]{0,8}$/).map((text): Part => ({ kind: 'literal', text })),
  fc.stringMatching(/^[a-z_][a-z0-9_]{0,8}$/).map((name): Part => ({ kind: 'parameter', name })),
);
// Parameter names are unique within a route.
const route = fc.array(part, { minLength: 1, maxLength: 5 }).filter((parts) => {
  const names = parts.flatMap((item) => (item.kind === 'parameter' ? [item.name] : []));
  return new Set(names).size === names.length;
});
const value = fc.string({ minLength: 1, maxLength: 10 }).filter((text) => !text.includes('/'));

describe('route template properties', () => {
  it('a route of literals and parameters matches the paths that fill it, and gives back their values', () => {
    fc.assert(
      fc.property(
        route.chain((parts) =>
          fc.tuple(
            fc.constant(parts),
            fc.array(value, { minLength: parts.length, maxLength: parts.length }),
            fc.array(fc.boolean(), { minLength: parts.length, maxLength: parts.length }),
          ),
        ),
        ([parts, values, upper]) => {
          const template = new RouteTemplate(
            parts.map((item) => (item.kind === 'literal' ? item.text : `{${item.name}}`)).join('/'),
          );
          const path = parts.map((item, index) =>
            item.kind === 'literal'
              ? upper[index] === true
                ? item.text.toUpperCase()
                : item.text
              : (values[index] ?? 'v'),
          );
          const expected: Record<string, string> = {};
          parts.forEach((item, index) => {
            if (item.kind === 'parameter') expected[item.name] = values[index] ?? 'v';
          });
          expect(template.match(path)).toEqual(expected);
          // One segment more or less does not match.
          expect(template.match([...path, 'extra'])).toBeUndefined();
          expect(template.match(path.slice(0, -1))).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any route text gives a template or CONFIG_INVALID, and matching any path never throws', () => {
    const pieces = fc.constantFrom(
      '{',
      '}',
      '{id}',
      '{*rest}',
      '{id:int}',
      '{id?}',
      '/',
      '//',
      'api',
      '{9}',
      '{a:b:c}',
      '{}',
    );
    const text = fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 8 }).map((list) => list.join(''));
    fc.assert(
      fc.property(text, fc.array(fc.string({ maxLength: 6 }), { maxLength: 6 }), (routeText, path) => {
        let template: RouteTemplate;
        try {
          template = new RouteTemplate(routeText);
        } catch (error) {
          expect(error).toBeInstanceOf(EmulatorError);
          expect((error as EmulatorError).code).toBe('CONFIG_INVALID');
          return;
        }
        const params = template.match(path);
        if (params !== undefined) for (const item of Object.values(params)) expect(typeof item).toBe('string');
      }),
      { numRuns: 300 },
    );
  });
});
