import { createServer } from 'node:http';
import type { IncomingHttpHeaders, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { parseConnectionString } from '../connection/connection-string.js';
import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { httpHealthProbe } from './endpoint-health-probe.js';

// Azure/azure-signalr RestHealthCheckService.IsServiceHealthy: HEAD `api/health?api-version=…`
// (RestApiProvider.HealthApiPath) on the server endpoint, through a client without credentials
// (HttpClientNames.InternalDefault), healthy when EnsureSuccessStatusCode passes, with HttpTimeout.

interface Seen {
  readonly method: string | undefined;
  readonly url: string | undefined;
  readonly headers: IncomingHttpHeaders;
}

let server: Server | undefined;

async function serve(status: number | 'hang'): Promise<{ endpoint: ServiceEndpoint; seen: Seen[] }> {
  const seen: Seen[] = [];
  server = createServer((request, response) => {
    seen.push({ method: request.method, url: request.url, headers: request.headers });
    if (status === 'hang') return;
    response.statusCode = status;
    response.end();
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    endpoint: parseConnectionString(
      `Endpoint=http://127.0.0.1;Port=${String(port)};AccessKey=PROBE-KEY-ABCDEFGHIJKLMNOPQRSTUVWXYZ012;Version=1.0;`,
    ),
    seen,
  };
}

afterEach(async () => {
  const running = server;
  server = undefined;
  if (running === undefined) return;
  running.closeAllConnections();
  await new Promise<void>((resolve) => {
    running.close(() => {
      resolve();
    });
  });
});

describe('httpHealthProbe', () => {
  it('sends HEAD /api/health with the API version and no credentials; 2xx is healthy', async () => {
    const { endpoint, seen } = await serve(200);
    const outcome = await httpHealthProbe(2_000)(endpoint, new AbortController().signal);
    expect(outcome).toEqual({ healthy: true, reason: 'HEAD /api/health answered 200' });
    expect(seen).toHaveLength(1);
    expect(seen[0]?.method).toBe('HEAD');
    expect(seen[0]?.url).toMatch(/^\/api\/health\?api-version=\d{4}-\d{2}-\d{2}/);
    expect(seen[0]?.headers.authorization).toBeUndefined();
  });

  it.each([404, 502, 503])('is unhealthy on %i', async (status) => {
    const { endpoint } = await serve(status);
    const outcome = await httpHealthProbe(2_000)(endpoint, new AbortController().signal);
    expect(outcome).toEqual({ healthy: false, reason: `HEAD /api/health answered ${String(status)}` });
  });

  it('is unhealthy when nothing listens', async () => {
    const { endpoint } = await serve(200);
    server?.close();
    await new Promise<void>((resolve) => server?.on('close', resolve));
    server = undefined;
    const outcome = await httpHealthProbe(2_000)(endpoint, new AbortController().signal);
    expect(outcome.healthy).toBe(false);
    expect(outcome.reason).toMatch(/^HEAD \/api\/health failed: .*ECONNREFUSED/);
  });

  it('is unhealthy when the answer does not come within the time limit', async () => {
    const { endpoint } = await serve('hang');
    const outcome = await httpHealthProbe(50)(endpoint, new AbortController().signal);
    expect(outcome).toEqual({ healthy: false, reason: 'HEAD /api/health got no answer within 50 ms' });
  });

  it('rejects when stopped', async () => {
    const { endpoint } = await serve('hang');
    const stop = new AbortController();
    const probing = httpHealthProbe(60_000)(endpoint, stop.signal);
    stop.abort(new Error('stopped'));
    await expect(probing).rejects.toThrow('stopped');
  });
});
