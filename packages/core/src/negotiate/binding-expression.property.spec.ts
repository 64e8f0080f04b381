// Property tests of binding expressions: a template assembled from literals and {headers.x} / {query.x}
// references evaluates to the concatenation of its parts (or undefined when a referenced value is missing
// or empty); any other template compiles or gives NEGOTIATE_OPTIONS_INVALID, and a compiled expression
// never throws whatever the request.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { compileBindingExpression } from './binding-expression.js';
import type { NegotiateRequest } from './binding-expression.js';

const RUNS = 200;

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

type Part =
  | { readonly kind: 'literal'; readonly text: string }
  | { readonly kind: 'headers' | 'query'; readonly name: string; readonly sourceSpelling: string };

const literal = fc
  .string({ minLength: 1, maxLength: 8 })
  .filter((text) => !/[{}]/.test(text))
  .map((text): Part => ({ kind: 'literal', text }));
const headerName = fc.stringMatching(/^[a-z0-9!#$%&'*+\-.^_`|~]{1,12}$/);
// Query names: no whitespace or braces; '%' and '+' are left out so that URLSearchParams keeps them verbatim.
const queryName = fc.stringMatching(/^[a-z0-9_.\-~:]{1,12}$/);
const reference = fc.oneof(
  fc
    .tuple(headerName, fc.mixedCase(fc.constant('headers')))
    .map(([name, sourceSpelling]): Part => ({ kind: 'headers', name, sourceSpelling })),
  fc
    .tuple(queryName, fc.mixedCase(fc.constant('query')))
    .map(([name, sourceSpelling]): Part => ({ kind: 'query', name, sourceSpelling })),
);

function templateOf(parts: readonly Part[]): string {
  return parts.map((part) => (part.kind === 'literal' ? part.text : `{${part.sourceSpelling}.${part.name}}`)).join('');
}

/** Adjacent literals merge in a template; merging them in the model too keeps the two comparable. */
function merged(parts: readonly Part[]): Part[] {
  const result: Part[] = [];
  for (const part of parts) {
    const last = result.at(-1);
    if (part.kind === 'literal' && last?.kind === 'literal')
      result[result.length - 1] = { kind: 'literal', text: last.text + part.text };
    else result.push(part);
  }
  return result;
}

// Values: printable ASCII without leading/trailing spaces (Headers trims them), sometimes empty.
const value = fc.oneof(fc.constant(''), fc.stringMatching(/^[!-~]([ -~]{0,10}[!-~])?$/));

interface Request {
  readonly request: NegotiateRequest;
  readonly headers: ReadonlyMap<string, string>;
  readonly query: ReadonlyMap<string, string>;
}

/** A request that has a value for some of the referenced names (query names in a random letter case). */
function requestFor(parts: readonly Part[]): fc.Arbitrary<Request> {
  const headerNames = [...new Set(parts.flatMap((part) => (part.kind === 'headers' ? [part.name] : [])))];
  const queryNames = [...new Set(parts.flatMap((part) => (part.kind === 'query' ? [part.name] : [])))];
  const entry = (name: string) =>
    fc.option(fc.tuple(fc.constant(name), value, fc.mixedCase(fc.constant(name))), { nil: undefined, freq: 3 });
  return fc
    .tuple(fc.tuple(...headerNames.map(entry)), fc.tuple(...queryNames.map(entry)))
    .map(([headerEntries, queryEntries]) => {
      const headers = new Headers();
      const headerValues = new Map<string, string>();
      for (const item of headerEntries) {
        if (item === undefined) continue;
        headers.set(item[2], item[1]);
        headerValues.set(item[0], item[1]);
      }
      const query = new URLSearchParams();
      const queryValues = new Map<string, string>();
      for (const item of queryEntries) {
        if (item === undefined) continue;
        query.append(item[2], item[1]);
        queryValues.set(item[0], item[1]);
      }
      return { request: { headers, query }, headers: headerValues, query: queryValues };
    });
}

/** What the template means: every part's text, or undefined when a referenced value is absent or empty. */
function meaning(parts: readonly Part[], request: Request): string | undefined {
  let result = '';
  for (const part of parts) {
    if (part.kind === 'literal') {
      result += part.text;
      continue;
    }
    const found = (part.kind === 'headers' ? request.headers : request.query).get(part.name);
    if (found === undefined || found === '') return undefined;
    result += found;
  }
  return parts.length === 0 ? undefined : result;
}

function compileOrInvalid(template: string): ReturnType<typeof compileBindingExpression> | undefined {
  try {
    return compileBindingExpression(template, 'userId');
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('NEGOTIATE_OPTIONS_INVALID');
    expect((error as ServerlessHubError).message).toContain('userId');
    return undefined;
  }
}

describe('compileBindingExpression properties', () => {
  it('a template of literals and references evaluates to the concatenation of its parts', () => {
    const scenario = fc
      .array(fc.oneof(literal, reference), { maxLength: 5 })
      .map(merged)
      .chain((parts) => fc.tuple(fc.constant(parts), requestFor(parts)));
    fc.assert(
      fc.property(scenario, ([parts, request]) => {
        const expression = compileBindingExpression(templateOf(parts), 'userId');
        expect(expression(request.request)).toBe(meaning(parts, request));
      }),
      { numRuns: RUNS },
    );
  });

  it('any template compiles or gives NEGOTIATE_OPTIONS_INVALID, and a compiled one never throws', () => {
    const pieces = fc.constantFrom(
      '{',
      '}',
      '{headers.',
      '{query.',
      '{}',
      '.',
      'headers',
      'query',
      '{claims.sub}',
      ' ',
      'x-user',
    );
    const template = fc.oneof(
      anyText(40),
      fc.array(fc.oneof(pieces, fc.string({ maxLength: 4 })), { maxLength: 10 }).map((list) => list.join('')),
    );
    const anyRequest = fc
      .tuple(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z-]{1,8}$/), fc.string({ maxLength: 8 }))),
        fc.array(fc.tuple(anyText(6), anyText(6))),
      )
      .map(([headerEntries, queryEntries]): NegotiateRequest => {
        const headers = new Headers();
        for (const [name, text] of headerEntries) {
          try {
            headers.append(name, text);
          } catch {
            // a value Headers refuses cannot reach a handler either
          }
        }
        return { headers, query: new URLSearchParams(queryEntries) };
      });
    fc.assert(
      fc.property(template, anyRequest, (text, request) => {
        const expression = compileOrInvalid(text);
        if (expression === undefined) return;
        const result = expression(request);
        expect(result === undefined || typeof result === 'string').toBe(true);
        // Text outside braces is kept: a template without braces is its own value.
        if (!/[{}]/.test(text)) expect(result).toBe(text === '' ? undefined : text);
      }),
      { numRuns: RUNS },
    );
  });

  it('non-string templates give NEGOTIATE_OPTIONS_INVALID', () => {
    fc.assert(
      fc.property(
        fc.anything().filter((item) => typeof item !== 'string'),
        (item) => {
          expect(compileOrInvalid(item as string)).toBeUndefined();
        },
      ),
      { numRuns: 50 },
    );
  });
});
