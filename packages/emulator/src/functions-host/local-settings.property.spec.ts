// Property tests of local.settings.json: a file with any Values and ConnectionStrings (strings, numbers,
// booleans, null) reads back as strings; any other text gives CONFIG_INVALID naming the file.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../errors/emulator-error.js';
import { parseLocalSettings } from './local-settings.js';

const key = fc.string({ minLength: 1, maxLength: 12 }).filter((text) => text !== '__proto__');
const scalar = fc.oneof(fc.string({ maxLength: 20 }), fc.integer(), fc.boolean());

describe('local settings properties', () => {
  it('Values and ConnectionStrings read back as strings', () => {
    fc.assert(
      fc.property(
        fc.dictionary(key, scalar, { maxKeys: 6 }),
        fc.dictionary(key, fc.string({ maxLength: 20 }), { maxKeys: 3 }),
        fc.boolean(),
        (values, connectionStrings, bom) => {
          const text = `${bom ? '\ufeff' : ''}${JSON.stringify({ IsEncrypted: false, Values: values, ConnectionStrings: connectionStrings })}`;
          const settings = parseLocalSettings(text, 'local.settings.json');
          expect(settings.values).toEqual(
            Object.fromEntries(Object.entries(values).map(([name, item]) => [name, String(item)])),
          );
          expect(settings.connectionStrings).toEqual(connectionStrings);
        },
      ),
      { numRuns: 200 },
    );
  });

  it('any text gives settings or CONFIG_INVALID naming the file', () => {
    const text = fc.oneof(
      fc.string({ maxLength: 60 }),
      fc.jsonValue({ maxDepth: 3 }).map((value) => JSON.stringify(value)),
      fc
        .record(
          {
            IsEncrypted: fc.jsonValue({ maxDepth: 0 }),
            Values: fc.jsonValue({ maxDepth: 2 }),
            Host: fc.jsonValue({ maxDepth: 2 }),
          },
          { requiredKeys: [] },
        )
        .map((value) => JSON.stringify(value)),
    );
    fc.assert(
      fc.property(text, (input) => {
        try {
          const settings = parseLocalSettings(input, 'local.settings.json');
          for (const item of Object.values(settings.values)) expect(typeof item).toBe('string');
        } catch (error) {
          expect(error).toBeInstanceOf(EmulatorError);
          expect((error as EmulatorError).code).toBe('CONFIG_INVALID');
          expect((error as EmulatorError).message).toContain('local.settings.json');
        }
      }),
      { numRuns: 300 },
    );
  });
});
