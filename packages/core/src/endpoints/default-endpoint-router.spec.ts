import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConnectionString } from '../connection/connection-string.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { DefaultEndpointRouter } from './default-endpoint-router.js';
import type { HubServiceEndpoint } from './hub-service-endpoint.js';

function endpoint(name: string, type: 'primary' | 'secondary', online = true): HubServiceEndpoint {
  return {
    name,
    type,
    online,
    endpoint: parseConnectionString(
      `Endpoint=https://${name}.service.signalr.net;AccessKey=${name.toUpperCase()}-KEY-0123456789;Version=1.0;`,
    ),
  };
}

// Azure/azure-signalr DefaultEndpointRouter.GetNegotiateEndpoints: a random one of the online primary
// endpoints; the online secondary endpoints only when no primary is online; none online throws
// (AzureSignalRNotConnectedException there, ENDPOINTS_OFFLINE here). Azure/azure-signalr
// Microsoft.Azure.SignalR.Management AutoHealthCheckRouter: a single endpoint is used whatever its state.
describe('DefaultEndpointRouter', () => {
  afterEach(() => {
    vi.restoreAllMocks();
  });

  const endpoints = [
    endpoint('a', 'secondary'),
    endpoint('b', 'primary'),
    endpoint('c', 'secondary'),
    endpoint('d', 'primary'),
  ];

  it('picks uniformly among the primary endpoints, never a secondary one while a primary is online', () => {
    const router = new DefaultEndpointRouter();
    const random = vi.spyOn(Math, 'random');
    const picked = [0, 0.49, 0.5, 0.99].map((value) => {
      random.mockReturnValueOnce(value);
      return router.getNegotiateEndpoint({ hubName: 'chat' }, endpoints).name;
    });
    expect(picked).toEqual(['b', 'b', 'd', 'd']);
  });

  it('falls back to the secondary endpoints when no primary is given', () => {
    const router = new DefaultEndpointRouter();
    const secondaries = endpoints.filter(({ type }) => type === 'secondary');
    const random = vi.spyOn(Math, 'random');
    random.mockReturnValueOnce(0.2).mockReturnValueOnce(0.7);
    expect(router.getNegotiateEndpoint({ hubName: 'chat' }, secondaries).name).toBe('a');
    expect(router.getNegotiateEndpoint({ hubName: 'chat' }, secondaries).name).toBe('c');
  });

  it('leaves offline endpoints out: the online primaries, else the online secondaries', () => {
    const router = new DefaultEndpointRouter();
    const random = vi.spyOn(Math, 'random').mockReturnValue(0.99);
    const onePrimaryDown = [endpoint('a', 'secondary'), endpoint('b', 'primary', false), endpoint('d', 'primary')];
    expect(router.getNegotiateEndpoint({ hubName: 'chat' }, onePrimaryDown).name).toBe('d');
    random.mockReturnValue(0);
    expect(router.getNegotiateEndpoint({ hubName: 'chat' }, onePrimaryDown).name).toBe('d');
    const primariesDown = [
      endpoint('a', 'secondary', false),
      endpoint('b', 'primary', false),
      endpoint('c', 'secondary'),
    ];
    expect(router.getNegotiateEndpoint({ hubName: 'chat' }, primariesDown).name).toBe('c');
  });

  it('refuses with ENDPOINTS_OFFLINE, saying what to check, when no endpoint is online', () => {
    const allDown = [endpoint('a', 'primary', false), endpoint('b', 'secondary', false)];
    let caught: unknown;
    try {
      new DefaultEndpointRouter().getNegotiateEndpoint({ hubName: 'chat' }, allDown);
    } catch (error) {
      caught = error;
    }
    expect(ServerlessHubError.is(caught, 'ENDPOINTS_OFFLINE')).toBe(true);
    expect((caught as Error).message).toMatch(/hub 'chat'.*HEAD \/api\/health.*running and reachable/);
    // The message may reach clients (503 body): no address and no key.
    expect((caught as Error).message).not.toMatch(/signalr\.net|KEY/);
  });

  it('uses a single endpoint whatever its state', () => {
    const only = endpoint('a', 'primary', false);
    expect(new DefaultEndpointRouter().getNegotiateEndpoint({ hubName: 'chat' }, [only])).toBe(only);
  });

  it('refuses an empty list with a clear error', () => {
    expect(() => new DefaultEndpointRouter().getNegotiateEndpoint({ hubName: 'chat' }, [])).toThrow(
      /needs at least one endpoint/,
    );
  });
});
