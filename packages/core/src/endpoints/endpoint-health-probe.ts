import type { ServiceEndpoint } from '../connection/service-endpoint.js';
import { defaultAgent } from '../service/default-agent.js';
import { attemptHttpRequest } from '../service/http-attempt.js';
import type { HttpOrigin } from '../service/http-attempt.js';
import { HEALTH_PATH, HEALTH_QUERY } from '../service/hub-rest-routes.js';
import { productInfo } from '../service/product-info.js';

/** What one probe found: whether the endpoint answered 2xx, and else why not (no secret in it). */
export interface ProbeOutcome {
  readonly healthy: boolean;
  readonly reason: string;
}

/** Probes one endpoint once; rejects only when `signal` aborts. */
export type EndpointProbe = (endpoint: ServiceEndpoint, signal: AbortSignal) => Promise<ProbeOutcome>;

function originOf(serverEndpoint: string): { origin: HttpOrigin; basePath: string } {
  const url = new URL(serverEndpoint);
  const secure = url.protocol === 'https:';
  return {
    origin: {
      secure,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      agent: defaultAgent(secure),
    },
    basePath: url.pathname.replace(/\/+$/, ''),
  };
}

/**
 * The probe of the official SDK (Azure/azure-signalr `RestHealthCheckService.IsServiceHealthy`): one
 * `HEAD {ServerEndpoint}/api/health?api-version=…` without credentials, healthy on any 2xx answer, with
 * a time limit; any other answer, a network failure or the time limit makes it unhealthy.
 */
export function httpHealthProbe(timeoutMs: number): EndpointProbe {
  const origins = new WeakMap<ServiceEndpoint, { origin: HttpOrigin; basePath: string }>();
  return async (endpoint, signal) => {
    let target = origins.get(endpoint);
    if (target === undefined) {
      target = originOf(endpoint.serverEndpoint);
      origins.set(endpoint, target);
    }
    const agent = productInfo();
    const result = await attemptHttpRequest(target.origin, {
      method: 'HEAD',
      pathAndQuery: `${target.basePath}${HEALTH_PATH}${HEALTH_QUERY}`,
      headers: { 'user-agent': agent, 'asrs-user-agent': agent },
      body: undefined,
      timeoutMs,
      signal,
    });
    switch (result.kind) {
      case 'status':
        return result.status >= 200 && result.status < 300
          ? { healthy: true, reason: `HEAD /api/health answered ${String(result.status)}` }
          : { healthy: false, reason: `HEAD /api/health answered ${String(result.status)}` };
      case 'timeout':
        return { healthy: false, reason: `HEAD /api/health got no answer within ${String(timeoutMs)} ms` };
      case 'network':
        return { healthy: false, reason: `HEAD /api/health failed: ${result.error.message}` };
      case 'aborted':
        throw signal.reason ?? new Error('The health probe was stopped.');
    }
  };
}
