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
    expect(endpoints.map(({ name, type, endpoint }) => [name, type, endpoint.endpoint])).toEqual([
      ['west', 'secondary', 'https://west.service.signalr.net'],
      ['east', 'primary', 'https://east.service.signalr.net'],
      ['plain', 'primary', 'https://east.service.signalr.net'],
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
});
