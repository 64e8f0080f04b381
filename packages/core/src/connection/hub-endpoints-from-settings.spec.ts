import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { hubEndpointsFromSettings } from './hub-endpoints-from-settings.js';

const main = 'Endpoint=https://main.service.signalr.net;AccessKey=MAIN-KEY-0123456789;Version=1.0;';
const east = 'Endpoint=https://east.service.signalr.net;AccessKey=EAST-KEY-0123456789;Version=1.0;';
const west = 'Endpoint=https://west.service.signalr.net;AccessKey=WEST-KEY-0123456789;Version=1.0;';

function summary(env: Record<string, string>, setting?: string): string[] {
  return hubEndpointsFromSettings(setting, env).map(
    ({ name, type, endpoint }) => `${name}:${type}:${endpoint.endpoint}`,
  );
}

// Azure/azure-sdk-for-net Microsoft.Azure.WebJobs.Extensions.SignalRService OptionsSetupFromConfig: the hub's
// connection setting and the `Azure:SignalR:Endpoints` section; Azure/azure-signalr
// IServiceEndpointOptionExtensions.GetMergedEndpoints: the connection string first, as an unnamed primary endpoint.
describe('hubEndpointsFromSettings', () => {
  it('puts the hub connection string first, as an unnamed primary, before the named endpoints', () => {
    expect(summary({ AzureSignalRConnectionString: main, Azure__SignalR__Endpoints__west__secondary: west })).toEqual([
      ':primary:https://main.service.signalr.net',
      'west:secondary:https://west.service.signalr.net',
    ]);
  });

  it("reads the hub's own connection setting, and the named endpoints for every hub", () => {
    const env = { ChatConnection: east, AzureSignalRConnectionString: main, Azure__SignalR__Endpoints__west: west };
    expect(summary(env, 'ChatConnection')).toEqual([
      ':primary:https://east.service.signalr.net',
      'west:primary:https://west.service.signalr.net',
    ]);
  });

  it('works with only named endpoints', () => {
    expect(summary({ Azure__SignalR__Endpoints__east: east, Azure__SignalR__Endpoints__west: west })).toEqual([
      'east:primary:https://east.service.signalr.net',
      'west:primary:https://west.service.signalr.net',
    ]);
  });

  // OptionsSetupFromConfig appends the identity-based form of the hub setting after the named endpoints.
  it('puts the identity-based hub setting after the named endpoints', () => {
    expect(
      summary({
        AzureSignalRConnectionString__serviceUri: 'https://main.service.signalr.net',
        Azure__SignalR__Endpoints__east: east,
      }),
    ).toEqual(['east:primary:https://east.service.signalr.net', ':primary:https://main.service.signalr.net']);
  });

  // Azure/azure-signalr ServiceEndpointManagerBase: endpoints of one address count once, the primary preferred.
  it('keeps one endpoint per address, the primary one first', () => {
    expect(
      summary({
        Azure__SignalR__Endpoints__a__secondary: east,
        Azure__SignalR__Endpoints__b: east,
        Azure__SignalR__Endpoints__c: west,
      }),
    ).toEqual(['b:primary:https://east.service.signalr.net', 'c:primary:https://west.service.signalr.net']);
    expect(summary({ AzureSignalRConnectionString: main, Azure__SignalR__Endpoints__same: main })).toEqual([
      ':primary:https://main.service.signalr.net',
    ]);
  });

  // Same class: AzureSignalRNoPrimaryEndpointException when every endpoint is secondary.
  it('refuses a set without a primary endpoint', () => {
    expect(() => hubEndpointsFromSettings(undefined, { Azure__SignalR__Endpoints__east__secondary: east })).toThrow(
      /No primary service endpoint/,
    );
  });

  it('names both forms when nothing is set', () => {
    let caught: unknown;
    try {
      hubEndpointsFromSettings(undefined, {});
    } catch (error) {
      caught = error;
    }
    expect(ServerlessHubError.is(caught, 'SETTING_MISSING')).toBe(true);
    expect((caught as Error).message).toMatch(/AzureSignalRConnectionString.*Azure__SignalR__Endpoints__<name>/s);
  });
});
