import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { namedEndpointsFromSettings } from './named-endpoints-from-settings.js';

const east = 'Endpoint=https://east.service.signalr.net;AccessKey=EAST-KEY-0123456789;Version=1.0;';
const west = 'Endpoint=https://west.service.signalr.net;AccessKey=WEST-KEY-0123456789;Version=1.0;';

describe('namedEndpointsFromSettings', () => {
  it('reads every Azure__SignalR__Endpoints__ setting with its name and type, colon or double underscore', () => {
    const endpoints = namedEndpointsFromSettings({
      Azure__SignalR__Endpoints__east__primary: east,
      'Azure:SignalR:Endpoints:west:Secondary': west,
      azure__signalr__endpoints__plain: east,
      AzureSignalRConnectionString: west,
      Unrelated: 'x',
    });
    // Children in name order, as the configuration section lists them.
    expect(endpoints.map(({ name, type, endpoint }) => [name, type, endpoint.endpoint])).toEqual([
      ['east', 'primary', 'https://east.service.signalr.net'],
      ['plain', 'primary', 'https://east.service.signalr.net'],
      ['west', 'secondary', 'https://west.service.signalr.net'],
    ]);
    expect(Object.isFrozen(endpoints)).toBe(true);
  });

  it('skips empty settings and returns nothing when none is set', () => {
    expect(namedEndpointsFromSettings({ Azure__SignalR__Endpoints__east: '  ' })).toEqual([]);
    expect(namedEndpointsFromSettings({})).toEqual([]);
  });

  it('names the setting that does not parse, without its value', () => {
    const secret = 'SECRET-VALUE-THAT-MUST-NOT-LEAK';
    let caught: unknown;
    try {
      namedEndpointsFromSettings({ Azure__SignalR__Endpoints__bad: `Endpoint=ftp://x;AccessKey=${secret}` });
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(ServerlessHubError);
    expect((caught as ServerlessHubError).code).toBe('CONNECTION_STRING_INVALID');
    expect((caught as Error).message).toContain('Azure__SignalR__Endpoints__bad');
    expect((caught as Error).message).not.toContain(secret);
  });

  // Azure/azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.SignalRService IConfigurationExtensions.GetNamedEndpointsFromConnectionString:
  // a child's own value, its `primary` and its `secondary` key each give an endpoint of that name.
  it('reads up to three endpoints of one name: its value, __primary and __secondary', () => {
    const endpoints = namedEndpointsFromSettings({
      Azure__SignalR__Endpoints__one: east,
      Azure__SignalR__Endpoints__one__primary: west,
      'Azure:SignalR:Endpoints:one:secondary':
        'Endpoint=https://third.service.signalr.net;AccessKey=THIRD-KEY-0123456789;Version=1.0;',
    });
    expect(endpoints.map(({ name, type, endpoint, setting }) => [name, type, endpoint.endpoint, setting])).toEqual([
      ['one', 'primary', 'https://east.service.signalr.net', 'Azure__SignalR__Endpoints__one'],
      ['one', 'primary', 'https://west.service.signalr.net', 'Azure__SignalR__Endpoints__one__primary'],
      ['one', 'secondary', 'https://third.service.signalr.net', 'Azure:SignalR:Endpoints:one:secondary'],
    ]);
  });

  // Same source, TryGetNamedEndpointFromIdentity: a child with `ServiceUri` is one identity-based endpoint whose
  // role is its `Type` key (Primary by default), and its other keys are not read as connection strings.
  it('reads identity-based endpoints: __serviceUri with __type and the credential keys, in any case', () => {
    const endpoints = namedEndpointsFromSettings({
      Azure__SignalR__Endpoints__msi__serviceUri: 'https://msi.service.signalr.net',
      Azure__SignalR__Endpoints__msi__credential: 'managedidentity',
      AZURE__SIGNALR__ENDPOINTS__MSI__CLIENTID: 'client-1',
      Azure__SignalR__Endpoints__msi__type: 'Secondary',
      'Azure:SignalR:Endpoints:chain:ServiceUri': 'https://chain.service.signalr.net',
    });
    expect(endpoints.map(({ name, type, endpoint }) => [name, type, endpoint.endpoint, endpoint.auth])).toEqual([
      ['chain', 'primary', 'https://chain.service.signalr.net', { type: 'azure' }],
      ['msi', 'secondary', 'https://msi.service.signalr.net', { type: 'azure.msi', clientId: 'client-1' }],
    ]);
  });

  it('refuses an endpoint type other than Primary or Secondary, naming the setting', () => {
    expect(() =>
      namedEndpointsFromSettings({
        Azure__SignalR__Endpoints__x__serviceUri: 'https://x.service.signalr.net',
        Azure__SignalR__Endpoints__x__type: 'tertiary',
      }),
    ).toThrow(/Azure__SignalR__Endpoints__x__type must be "Primary" or "Secondary"/);
  });

  it('ignores keys deeper than a name and its role', () => {
    expect(
      namedEndpointsFromSettings({
        Azure__SignalR__Endpoints__a__b: east,
        'Azure:SignalR:Endpoints:a:b:primary': east,
      }),
    ).toEqual([]);
  });
});
