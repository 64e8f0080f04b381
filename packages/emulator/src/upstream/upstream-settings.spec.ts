import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { EmulatorError } from '../errors/emulator-error.js';
import { loadUpstreamSettings, parseUpstreamSettings } from './upstream-settings.js';

describe('parseUpstreamSettings', () => {
  it("reads the official emulator's settings.json shape", () => {
    const templates = parseUpstreamSettings(
      {
        UpstreamSettings: {
          Templates: [
            {
              UrlTemplate: 'http://localhost:7071/runtime/webhooks/signalr',
              EventPattern: '*',
              HubPattern: 'chat',
              CategoryPattern: 'messages,connections',
            },
            { urlTemplate: 'http://localhost:7071/api/{hub}/{category}/{event}' },
          ],
        },
      },
      'settings.json',
    );
    expect(templates).toEqual([
      {
        urlTemplate: 'http://localhost:7071/runtime/webhooks/signalr',
        eventPattern: '*',
        hubPattern: 'chat',
        categoryPattern: 'messages,connections',
      },
      { urlTemplate: 'http://localhost:7071/api/{hub}/{category}/{event}' },
    ]);
    expect(parseUpstreamSettings({}, 'settings.json')).toEqual([]);
    expect(parseUpstreamSettings({ UpstreamSettings: {} }, 'settings.json')).toEqual([]);
  });

  it.each([
    [[], 'JSON object'],
    [{ UpstreamSettings: [] }, '"UpstreamSettings" must be an object'],
    [{ UpstreamSettings: { Templates: {} } }, 'must be an array'],
    [{ UpstreamSettings: { Templates: [42] } }, 'Templates[0] must be an object'],
    [{ UpstreamSettings: { Templates: [{}] } }, 'UrlTemplate is required'],
    [{ UpstreamSettings: { Templates: [{ UrlTemplate: 'localhost:7071/api' }] } }, 'must use http or https'],
    [{ UpstreamSettings: { Templates: [{ UrlTemplate: '/api/{hub}' }] } }, 'not an absolute URL'],
    [{ UpstreamSettings: { Templates: [{ UrlTemplate: 'http://a', HubPattern: 3 }] } }, 'HubPattern must be'],
    [{ UpstreamSettings: { Templates: [{ UrlTemplate: 'http://a', EventPattern: ' ' }] } }, 'EventPattern must be'],
  ])('refuses %j with a message naming what is wrong', (settings, message) => {
    expect(() => parseUpstreamSettings(settings, 'settings.json')).toThrow(message);
    expect(() => parseUpstreamSettings(settings, 'settings.json')).toThrow(EmulatorError);
  });
});

describe('loadUpstreamSettings', () => {
  it('reads a file (with a byte order mark) and names the file in errors', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'upstream-settings-'));
    try {
      const good = join(directory, 'settings.json');
      await writeFile(
        good,
        '\ufeff{"UpstreamSettings":{"Templates":[{"UrlTemplate":"http://127.0.0.1:7071/api/{hub}/{category}/{event}"}]}}',
      );
      expect(await loadUpstreamSettings(good)).toEqual([
        { urlTemplate: 'http://127.0.0.1:7071/api/{hub}/{category}/{event}' },
      ]);
      const bad = join(directory, 'bad.json');
      await writeFile(bad, '{"UpstreamSettings":');
      await expect(loadUpstreamSettings(bad)).rejects.toThrow(`The upstream settings file '${bad}' is not valid JSON`);
      await expect(loadUpstreamSettings(join(directory, 'missing.json'))).rejects.toThrow(
        'Cannot read the upstream settings file',
      );
    } finally {
      await rm(directory, { recursive: true });
    }
  });
});
