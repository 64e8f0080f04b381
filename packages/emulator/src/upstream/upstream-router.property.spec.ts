// Property tests of upstream routing and its settings file: any hub, category and event — the event is a
// client's invocation target, so any text at all — resolves to a URL of the first matching template, with
// the values escaped so that they decode back, or to nothing; it never throws. Patterns match as the
// official emulator documents them ('*', one name, or a comma list, in any letter case). Any settings JSON
// gives templates or CONFIG_INVALID.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../errors/emulator-error.js';
import { UpstreamRouter } from './upstream-router.js';
import { parseUpstreamSettings } from './upstream-settings.js';
import type { UpstreamTemplate } from './upstream-settings.js';

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

const names = ['chat', 'Chat', 'room', 'connections', 'messages', 'connected', 'disconnected', 'echo', 'send'];
const name = fc.constantFrom(...names);
const pattern = fc.oneof(
  fc.constant(undefined),
  fc.constant('*'),
  name,
  fc
    .tuple(fc.array(fc.oneof(name, fc.constant('*')), { minLength: 1, maxLength: 3 }), fc.constantFrom(',', ', ', ' ,'))
    .map(([list, separator]) => list.join(separator)),
);
const template: fc.Arbitrary<UpstreamTemplate> = fc
  .record({ index: fc.nat(99), hubPattern: pattern, categoryPattern: pattern, eventPattern: pattern })
  .map(({ index, hubPattern, categoryPattern, eventPattern }) => {
    const result: { -readonly [K in keyof UpstreamTemplate]: UpstreamTemplate[K] } = {
      urlTemplate: `http://127.0.0.1:7071/t${String(index)}/{hub}/{category}/{event}?h={HUB}`,
    };
    if (hubPattern !== undefined) result.hubPattern = hubPattern;
    if (categoryPattern !== undefined) result.categoryPattern = categoryPattern;
    if (eventPattern !== undefined) result.eventPattern = eventPattern;
    return result;
  });

function matches(patternText: string | undefined, value: string): boolean {
  if (patternText === undefined) return true;
  const list = patternText.split(',').map((item) => item.trim().toLowerCase());
  return list.includes('*') || list.includes(value.toLowerCase());
}

describe('upstream routing properties', () => {
  it('the first matching template wins, with every value escaped so that it decodes back', () => {
    fc.assert(
      fc.property(
        fc.array(template, { maxLength: 4 }),
        name,
        fc.constantFrom('connections', 'messages', 'Messages'),
        fc.oneof(name, fc.constantFrom('.', '..', '%2E'), anyText(12)),
        (templates, hub, category, event) => {
          const router = new UpstreamRouter(templates);
          const expected = templates.find(
            (item) =>
              matches(item.hubPattern, hub) &&
              matches(item.categoryPattern, category) &&
              matches(item.eventPattern, event),
          );
          let url: string | undefined;
          try {
            url = router.resolve(hub, category, event);
          } catch (error) {
            expect.fail(`resolve threw ${String(error)} for event ${JSON.stringify(event)}`);
          }
          // A second lookup comes from the cache and must say the same.
          expect(router.resolve(hub, category, event)).toBe(url);
          if (expected === undefined) {
            expect(url).toBeUndefined();
            return;
          }
          expect(url).toBeDefined();
          // The URL as the router writes it. An event "." or ".." stays such a segment here; sending resolves it
          // (as .NET's Uri does in the service), which test/emulator-connections.test.ts checks end to end.
          const written = (url ?? '').slice('http://127.0.0.1:7071'.length);
          const [path = '', search = ''] = written.split('?');
          const [, first, hubSegment, categorySegment, ...eventSegments] = path.split('/');
          expect(first).toBe(expected.urlTemplate.split('/')[3]);
          expect(decodeURIComponent(hubSegment ?? '')).toBe(hub);
          expect(decodeURIComponent(categorySegment ?? '')).toBe(category);
          // The event stays one segment, and decodes to the event (a lone surrogate becomes U+FFFD: it has no UTF-8 form).
          expect(eventSegments).toHaveLength(1);
          expect(decodeURIComponent(eventSegments[0] ?? '')).toBe(event.replace(/\p{Cs}/gu, '\ufffd'));
          expect(new URLSearchParams(search).get('h')).toBe(hub);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('any settings JSON gives templates or CONFIG_INVALID', () => {
    const key = (text: string) => fc.mixedCase(fc.constant(text));
    const settings = fc.oneof(
      fc.jsonValue({ maxDepth: 4 }),
      fc
        .array(
          fc.oneof(
            fc
              .record({
                url: key('UrlTemplate'),
                value: fc.oneof(
                  fc.constantFrom(
                    'http://localhost:7071/api/{hub}/{category}/{event}',
                    'ftp://x/{hub}',
                    'not a url',
                    '',
                    'https://h/{event}',
                  ),
                  fc.jsonValue({ maxDepth: 1 }),
                ),
              })
              .map(({ url, value }) => ({ [url]: value })),
            fc.jsonValue({ maxDepth: 2 }),
          ),
          { maxLength: 3 },
        )
        .chain((templates) =>
          fc
            .tuple(key('UpstreamSettings'), key('Templates'))
            .map(([outer, inner]) => ({ [outer]: { [inner]: templates } })),
        ),
    );
    fc.assert(
      fc.property(settings, (value) => {
        try {
          const templates = parseUpstreamSettings(value, 'settings.json');
          for (const item of templates) {
            expect(typeof item.urlTemplate).toBe('string');
            // Whatever the settings file held, a router can be built and used from it.
            expect(() => new UpstreamRouter(templates).resolve('chat', 'messages', 'echo')).not.toThrow();
          }
        } catch (error) {
          expect(error).toBeInstanceOf(EmulatorError);
          expect((error as EmulatorError).code).toBe('CONFIG_INVALID');
          expect((error as EmulatorError).message).toContain('settings.json');
        }
      }),
      { numRuns: 300 },
    );
  });
});
