import { afterEach, describe, expect, it, vi } from 'vitest';
import { parseConnectionString } from '../connection/connection-string.js';
import type { NamedServiceEndpoint } from '../connection/named-endpoints-from-settings.js';
import { DefaultEndpointRouter } from './default-endpoint-router.js';

function endpoint(name: string, type: 'primary' | 'secondary'): NamedServiceEndpoint {
  return {
    name,
    type,
    endpoint: parseConnectionString(
      `Endpoint=https://${name}.service.signalr.net;AccessKey=${name.toUpperCase()}-KEY-0123456789;Version=1.0;`,
    ),
  };
}

// Azure/azure-signalr DefaultEndpointRouter.GetNegotiateEndpoint: a random one of the primary endpoints;
// secondary endpoints only when no primary is available.
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

  it('picks uniformly among the primary endpoints, never a secondary one while a primary is given', () => {
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

  it('refuses an empty list with a clear error', () => {
    expect(() => new DefaultEndpointRouter().getNegotiateEndpoint({ hubName: 'chat' }, [])).toThrow(
      /needs at least one endpoint/,
    );
  });
});
