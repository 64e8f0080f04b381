import { describe, expect, it, vi } from 'vitest';
import { parseConnectionString } from '../connection/connection-string.js';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { createUpstreamAuthenticator } from './upstream-authenticator.js';
import type { UpstreamLogger } from './upstream-logger.js';
import { computeUpstreamSignature } from './upstream-signature.js';

const KEY_A = 'key-a-0123456789';
const KEY_B = 'key-b-0123456789';
const keyEndpoint = (key: string) =>
  parseConnectionString(`Endpoint=https://x.service.signalr.net;AccessKey=${key};Version=1.0;`);
const identityEndpoint = parseConnectionString(
  'Endpoint=https://x.service.signalr.net;AuthType=azure.msi;Version=1.0;',
);

function credentials(connectionId: string, signature: string | undefined) {
  return { connectionId, headers: signature === undefined ? {} : { 'x-asrs-signature': signature } };
}

describe('createUpstreamAuthenticator', () => {
  it('accepts signatures of the access keys of key-based endpoints and of extra keys', () => {
    const authenticator = createUpstreamAuthenticator({ endpoints: [keyEndpoint(KEY_A)], accessKeys: [KEY_B] });
    expect(authenticator.authenticate(credentials('c1', computeUpstreamSignature('c1', [KEY_A])))).toEqual({
      ok: true,
    });
    expect(authenticator.authenticate(credentials('c1', computeUpstreamSignature('c1', [KEY_B])))).toEqual({
      ok: true,
    });
  });

  it('refuses other signatures synchronously with a reason for the log', () => {
    const authenticator = createUpstreamAuthenticator({ accessKeys: [KEY_A] });
    const verdict = authenticator.authenticate(credentials('c1', computeUpstreamSignature('c1', ['other'])));
    expect(verdict).toEqual({ ok: false, reason: 'no X-ASRS-Signature entry matches a configured access key' });
    expect(authenticator.authenticate(credentials('c1', undefined))).toMatchObject({ ok: false });
  });

  it('refuses to build without any way to authenticate', () => {
    expect(() => createUpstreamAuthenticator({})).toThrow(ServerlessHubError);
    expect(() => createUpstreamAuthenticator({ endpoints: [], accessKeys: [] })).toThrow(/cannot be authenticated/);
  });

  it('refuses an identity-based endpoint without Entra ID options, naming both ways out', () => {
    const build = () => createUpstreamAuthenticator({ endpoints: [keyEndpoint(KEY_A), identityEndpoint] });
    expect(build).toThrow(/entraId/);
    expect(build).toThrow(/insecureSkipValidation/);
    try {
      build();
      expect.unreachable();
    } catch (error) {
      expect((error as ServerlessHubError).code).toBe('UPSTREAM_CONFIGURATION_INVALID');
    }
  });

  it('never puts a key into a configuration error', () => {
    try {
      createUpstreamAuthenticator({ accessKeys: [KEY_A, ''] });
      expect.unreachable();
    } catch (error) {
      expect((error as Error).message).not.toContain(KEY_A);
    }
  });

  it('lets everything through with the explicit opt-out and warns once per process', async () => {
    vi.resetModules();
    const fresh = await import('./upstream-authenticator.js');
    const entries: string[] = [];
    const logger: UpstreamLogger = { log: (level, message) => entries.push(`${level}: ${message}`) };
    const first = fresh.createUpstreamAuthenticator({ insecureSkipValidation: true, logger });
    fresh.createUpstreamAuthenticator({ insecureSkipValidation: true, logger });
    expect(first.authenticate(credentials('c1', undefined))).toEqual({ ok: true });
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatch(/^warn: Upstream request validation is switched off/);
  });
});
