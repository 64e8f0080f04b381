import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyLocalSettings, loadLocalSettings, parseLocalSettings } from './local-settings.js';

describe('local settings', () => {
  it('parses Values, ConnectionStrings and Host as Core Tools reads them', () => {
    const settings = parseLocalSettings(
      JSON.stringify({
        IsEncrypted: false,
        Values: { FUNCTIONS_WORKER_RUNTIME: 'node', RETRIES: 3, VERBOSE: true },
        ConnectionStrings: { Db: 'Server=x' },
        Host: { LocalHttpPort: 7072, CORS: '*', CORSCredentials: false },
      }),
      'local.settings.json',
    );
    expect(settings.values).toEqual({ FUNCTIONS_WORKER_RUNTIME: 'node', RETRIES: '3', VERBOSE: 'true' });
    expect(settings.connectionStrings).toEqual({ Db: 'Server=x' });
    expect([settings.localHttpPort, settings.cors, settings.corsCredentials]).toEqual([7072, '*', false]);
  });

  it.each([
    ['{', 'not valid JSON'],
    ['[]', 'JSON object'],
    ['{"IsEncrypted":true}', 'encrypted'],
    ['{"Values":{"A":{"b":1}}}', '"Values.A" must be a string'],
    ['{"Host":{"LocalHttpPort":"7071"}}', 'LocalHttpPort'],
    ['{"Host":{"CORS":["*"]}}', 'Host.CORS'],
  ])('refuses %s', (text, message) => {
    expect(() => parseLocalSettings(text, 'local.settings.json')).toThrow(message);
  });

  it('sets Values as environment variables without overriding those already set', () => {
    const env: NodeJS.ProcessEnv = { KEEP: 'from the environment' };
    const settings = parseLocalSettings(
      '{"Values":{"KEEP":"from the file","NEW":"new"},"ConnectionStrings":{"Db":"x"}}',
      'f',
    );
    expect(applyLocalSettings(settings, env).sort()).toEqual(['ConnectionStrings:Db', 'NEW']);
    expect(env).toEqual({ KEEP: 'from the environment', NEW: 'new', 'ConnectionStrings:Db': 'x' });
  });

  it('reads local.settings.json, else local.settings.example.json, else nothing', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'local-settings-'));
    try {
      expect((await loadLocalSettings(directory)).source).toBeUndefined();
      await writeFile(join(directory, 'local.settings.example.json'), '{"Values":{"FROM":"example"}}');
      expect((await loadLocalSettings(directory)).values).toEqual({ FROM: 'example' });
      await writeFile(join(directory, 'local.settings.json'), '{"Values":{"FROM":"local"}}');
      const settings = await loadLocalSettings(directory);
      expect(settings.values).toEqual({ FROM: 'local' });
      expect(settings.source).toBe(join(directory, 'local.settings.json'));
    } finally {
      await rm(directory, { recursive: true });
    }
  });
});
