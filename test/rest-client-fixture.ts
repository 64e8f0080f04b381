// The setup the REST client's test files share: a fresh fake service and a client of hub "Chat" for every
// test, and the checks every file makes of the request the client sent. `service` and `client` are live
// bindings, replaced before each test of a file that calls useRestClientFixture().
import { afterEach, beforeEach, expect } from 'vitest';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { FakeRestService } from './rest-fake-service.js';
import type { RecordedRequest } from './rest-fake-service.js';

/** The fake service of the current test. */
export let service: FakeRestService;
/** A client of hub "Chat" against `service`, retrying after 1 ms. */
export let client: ServiceHubClient;

/** Starts `service` and makes `client` before each test of the calling file, and closes `service` after it. */
export function useRestClientFixture(): void {
  beforeEach(async () => {
    service = await FakeRestService.start();
    client = new ServiceHubClient(service.endpoint(), 'Chat', { retry: { delayMs: 1 } });
  });
  afterEach(async () => {
    await service.close();
  });
}

/** The one request the service received. */
export function only(): RecordedRequest {
  expect(service.requests).toHaveLength(1);
  return service.requests[0]!;
}

/** Checks the request's token: verified by the fake against the access key, audience = URL without query, one-hour lifetime. */
export function expectValidToken(request: RecordedRequest): void {
  expect(request.tokenError).toBeUndefined();
  expect(request.token?.aud).toBe(`${service.url}${request.path}`);
  const { exp, iat, nbf } = request.token!;
  expect(exp! - iat!).toBe(3600);
  expect(nbf).toBe(iat);
  expect(exp! * 1000).toBeGreaterThan(Date.now());
}
