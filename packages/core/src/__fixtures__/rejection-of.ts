// Test support, never built into the package: what a promise rejected with, checked to be the
// package's error class so that a test can go on to assert its code and message.
import { expect } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/** Awaits `promise`, expects it to reject with a {@link ServerlessHubError}, and returns that error. */
export async function rejectionOf(promise: Promise<unknown>): Promise<ServerlessHubError> {
  const error = await promise.then(
    () => undefined,
    (caught: unknown) => caught,
  );
  expect(error).toBeInstanceOf(ServerlessHubError);
  return error as ServerlessHubError;
}
