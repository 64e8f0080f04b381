import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { endpointFromSettings } from './endpoint-from-settings.js';

const A = 'Endpoint=https://a.service.signalr.net;AccessKey=key-a;Version=1.0;';
const B = 'Endpoint=https://b.service.signalr.net;AccessKey=key-b;Version=1.0;';

function failure(run: () => unknown): ServerlessHubError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    return error as ServerlessHubError;
  }
  throw new Error('expected a failure');
}

describe('endpointFromSettings', () => {
  it('reads AzureSignalRConnectionString by default', () => {
    const endpoint = endpointFromSettings(undefined, { AzureSignalRConnectionString: A });
    expect(endpoint.clientEndpoint).toBe('https://a.service.signalr.net');
  });

  it('reads process.env when no source is given', () => {
    const name = `SettingsSpec_${String(process.pid)}_env`;
    process.env[name] = B;
    try {
      expect(endpointFromSettings(name).clientEndpoint).toBe('https://b.service.signalr.net');
    } finally {
      Reflect.deleteProperty(process.env, name);
    }
  });

  it('falls back to ConnectionStrings__<name> and ConnectionStrings:<name>, preferring the plain setting', () => {
    expect(endpointFromSettings('Fallback1', { ConnectionStrings__Fallback1: A }).endpoint).toBe(
      'https://a.service.signalr.net',
    );
    expect(endpointFromSettings('Fallback2', { 'ConnectionStrings:Fallback2': B }).endpoint).toBe(
      'https://b.service.signalr.net',
    );
    expect(endpointFromSettings('Fallback3', { Fallback3: A, ConnectionStrings__Fallback3: B }).endpoint).toBe(
      'https://a.service.signalr.net',
    );
    expect(endpointFromSettings('Fallback4', { Fallback4: '  ', ConnectionStrings__Fallback4: B }).endpoint).toBe(
      'https://b.service.signalr.net',
    );
  });

  it('tries a ":" in the setting name as "__"', () => {
    expect(
      endpointFromSettings('Azure:SignalR:ConnectionString', { Azure__SignalR__ConnectionString: A }).endpoint,
    ).toBe('https://a.service.signalr.net');
  });

  it('parses once per setting and returns the cached endpoint while the text is unchanged', () => {
    const env: Record<string, string> = { CacheSpec: A };
    const first = endpointFromSettings('CacheSpec', env);
    expect(endpointFromSettings('CacheSpec', { CacheSpec: A })).toBe(first);
    env.CacheSpec = B;
    const second = endpointFromSettings('CacheSpec', env);
    expect(second).not.toBe(first);
    expect(second.endpoint).toBe('https://b.service.signalr.net');
  });

  it('reports a missing setting with SETTING_MISSING naming every name tried', () => {
    const error = failure(() => endpointFromSettings('Missing', {}));
    expect(error.code).toBe('SETTING_MISSING');
    for (const name of ['Missing', 'ConnectionStrings__Missing', 'ConnectionStrings:Missing', 'Missing__serviceUri']) {
      expect(error.message).toContain(name);
    }
    expect(failure(() => endpointFromSettings(undefined, {})).message).toContain('AzureSignalRConnectionString');
    expect(failure(() => endpointFromSettings('Empty', { Empty: '' })).code).toBe('SETTING_MISSING');
    expect(failure(() => endpointFromSettings('', {})).code).toBe('SETTING_MISSING');
  });

  it('names the setting when its connection string is invalid, without the secret', () => {
    const error = failure(() =>
      endpointFromSettings('BadSetting', { BadSetting: 'Endpoint=nope;AccessKey=TOP-SECRET-VALUE' }),
    );
    expect(error.code).toBe('CONNECTION_STRING_INVALID');
    expect(error.message).toContain('BadSetting');
    expect(error.message).toContain('Endpoint');
    expect(error.message).not.toContain('TOP-SECRET-VALUE');
  });

  describe('identity-based settings (<name>__serviceUri)', () => {
    it('uses the default credential chain when only serviceUri is set', () => {
      const endpoint = endpointFromSettings('Id1', { Id1__serviceUri: 'https://a.service.signalr.net/' });
      expect(endpoint.endpoint).toBe('https://a.service.signalr.net');
      expect(endpoint.auth).toEqual({ type: 'azure' });
    });

    it('passes a clientId to the default chain as its managed identity', () => {
      const endpoint = endpointFromSettings('Id2', { Id2__serviceUri: 'https://a.b', Id2__clientId: 'cid' });
      expect(endpoint.auth).toEqual({ type: 'azure', clientId: 'cid' });
      expect(Object.isFrozen(endpoint)).toBe(true);
      expect(Object.isFrozen(endpoint.auth)).toBe(true);
    });

    it('maps credential=managedidentity to a managed identity', () => {
      const endpoint = endpointFromSettings('Id3', {
        Id3__serviceUri: 'https://a.b',
        Id3__credential: 'ManagedIdentity',
        Id3__clientId: 'u',
      });
      expect(endpoint.auth).toEqual({ type: 'azure.msi', clientId: 'u' });
    });

    it('maps tenantId + clientId + clientSecret to an app registration', () => {
      const endpoint = endpointFromSettings('Id4', {
        'Id4:serviceUri': 'https://a.b',
        'Id4:tenantId': 't',
        'Id4:clientId': 'c',
        'Id4:clientSecret': 'SECRET-IN-SETTINGS',
        'Id4:serverEndpoint': 'https://internal.b',
        'Id4:clientEndpoint': 'https://public.b',
      });
      expect(endpoint.auth).toEqual({ type: 'azure.app', clientId: 'c', tenantId: 't' });
      expect(endpoint.serverEndpoint).toBe('https://internal.b');
      expect(endpoint.clientEndpoint).toBe('https://public.b');
      expect(JSON.stringify(endpoint)).not.toContain('SECRET-IN-SETTINGS');
    });

    it('refuses an unsupported credential and an invalid serviceUri, naming the settings', () => {
      const credential = failure(() =>
        endpointFromSettings('Id5', { Id5__serviceUri: 'https://a.b', Id5__credential: 'certificate' }),
      );
      expect(credential.code).toBe('CONNECTION_STRING_INVALID');
      expect(credential.message).toContain('Id5__credential');
      const uri = failure(() => endpointFromSettings('Id6', { Id6__serviceUri: 'not-a-url' }));
      expect(uri.code).toBe('CONNECTION_STRING_INVALID');
      expect(uri.message).toContain('Id6__');
      expect(uri.message).toContain('serviceUri');
    });

    it('prefers a plain connection string over the identity-based form', () => {
      const endpoint = endpointFromSettings('Id7', { Id7: A, Id7__serviceUri: 'https://other.b' });
      expect(endpoint.auth.type).toBe('key');
    });

    it('re-parses when any identity setting changes', () => {
      const env: Record<string, string> = { Id8__serviceUri: 'https://a.b' };
      const first = endpointFromSettings('Id8', env);
      expect(endpointFromSettings('Id8', env)).toBe(first);
      env.Id8__credential = 'managedidentity';
      expect(endpointFromSettings('Id8', env).auth).toEqual({ type: 'azure.msi' });
    });
  });
});
