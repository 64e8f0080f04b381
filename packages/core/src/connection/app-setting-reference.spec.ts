import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { resolveAppSettingReferences } from './app-setting-reference.js';

const env = { ChatConnection: 'ChatSignalR', Header: 'x-user', Empty: '' };

describe('resolveAppSettingReferences', () => {
  it('replaces each %Name% by the app setting, inside longer text too', () => {
    expect(resolveAppSettingReferences('%ChatConnection%', 'connectionStringSetting', env)).toBe('ChatSignalR');
    expect(resolveAppSettingReferences('{headers.%Header%}', 'userId', env)).toBe('{headers.x-user}');
    expect(resolveAppSettingReferences('%ChatConnection%-%Header%', 'x', env)).toBe('ChatSignalR-x-user');
  });

  it('leaves text without a reference as it is, a lone % included', () => {
    expect(resolveAppSettingReferences('AzureSignalRConnectionString', 'x', env)).toBe('AzureSignalRConnectionString');
    expect(resolveAppSettingReferences('50% off', 'x', env)).toBe('50% off');
  });

  it('names a setting that is missing or empty', () => {
    for (const reference of ['%Missing%', '%Empty%']) {
      let caught: unknown;
      try {
        resolveAppSettingReferences(reference, 'connectionStringSetting', env);
      } catch (error) {
        caught = error;
      }
      expect(caught).toBeInstanceOf(ServerlessHubError);
      expect(caught).toMatchObject({
        code: 'SETTING_MISSING',
        message: expect.stringMatching(
          new RegExp(
            `^connectionStringSetting refers to the app setting ${reference.slice(1, -1)} \\(${reference}\\), which is not set`,
          ),
        ) as unknown,
      });
    }
  });
});
