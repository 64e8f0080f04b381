import * as identity from '@azure/identity';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { parseConnectionString } from './connection-string.js';
import { createIdentityCredential, getCredential, setCredential, SIGNALR_ENTRA_SCOPE } from './identity-credential.js';
import type { IdentityModule, TokenCredential } from './identity-credential.js';
import type { ServiceAuth } from './service-endpoint.js';

interface Construction {
  readonly name: string;
  readonly args: unknown[];
}

/** A stand-in for @azure/identity that records which credential was constructed, and how. */
function recordingModule(): { module: IdentityModule; constructed: Construction[] } {
  const constructed: Construction[] = [];
  const fake = (name: string) =>
    class {
      constructor(...args: unknown[]) {
        constructed.push({ name, args });
      }
      getToken(): Promise<null> {
        return Promise.resolve(null);
      }
    };
  const module = {
    DefaultAzureCredential: fake('DefaultAzureCredential'),
    ManagedIdentityCredential: fake('ManagedIdentityCredential'),
    ClientSecretCredential: fake('ClientSecretCredential'),
    ClientCertificateCredential: fake('ClientCertificateCredential'),
  } as unknown as IdentityModule;
  return { module, constructed };
}

async function built(auth: ServiceAuth): Promise<Construction[]> {
  const { module, constructed } = recordingModule();
  await createIdentityCredential(auth, () => Promise.resolve(module));
  return constructed;
}

function authOf(text: string): ServiceAuth {
  return parseConnectionString(text).auth;
}

describe('createIdentityCredential', () => {
  it('uses the scope of Azure SignalR Service', () => {
    expect(SIGNALR_ENTRA_SCOPE).toBe('https://signalr.azure.com/.default');
  });

  it('builds DefaultAzureCredential for AuthType=azure, with the managed identity client id when given', async () => {
    expect(await built({ type: 'azure' })).toEqual([{ name: 'DefaultAzureCredential', args: [] }]);
    expect(await built({ type: 'azure', clientId: 'cid' })).toEqual([
      { name: 'DefaultAzureCredential', args: [{ managedIdentityClientId: 'cid' }] },
    ]);
  });

  it('builds ManagedIdentityCredential for AuthType=azure.msi (system- or user-assigned)', async () => {
    expect(await built(authOf('Endpoint=https://a.b;AuthType=azure.msi'))).toEqual([
      { name: 'ManagedIdentityCredential', args: [] },
    ]);
    expect(await built(authOf('Endpoint=https://a.b;AuthType=azure.msi;ClientId=u'))).toEqual([
      { name: 'ManagedIdentityCredential', args: [{ clientId: 'u' }] },
    ]);
  });

  it('builds ClientSecretCredential or ClientCertificateCredential for AuthType=azure.app', async () => {
    expect(await built(authOf('Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientSecret=s'))).toEqual(
      [{ name: 'ClientSecretCredential', args: ['t', 'c', 's'] }],
    );
    expect(
      await built(authOf('Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientCert=/x.pem')),
    ).toEqual([{ name: 'ClientCertificateCredential', args: ['t', 'c', { certificatePath: '/x.pem' }] }]);
    // the secret wins when both are given, as in the official SDK
    expect(
      await built(
        authOf('Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientCert=/x.pem;ClientSecret=s'),
      ),
    ).toEqual([{ name: 'ClientSecretCredential', args: ['t', 'c', 's'] }]);
  });

  it('builds real @azure/identity credentials with the default loader', async () => {
    expect(await createIdentityCredential({ type: 'azure.msi', clientId: 'u' })).toBeInstanceOf(
      identity.ManagedIdentityCredential,
    );
    expect(
      await createIdentityCredential(
        authOf('Endpoint=https://a.b;AuthType=azure.app;ClientId=c;TenantId=t;ClientSecret=s'),
      ),
    ).toBeInstanceOf(identity.ClientSecretCredential);
    expect(await createIdentityCredential({ type: 'azure' })).toBeInstanceOf(identity.DefaultAzureCredential);
  });

  it('refuses key auth', async () => {
    await expect(createIdentityCredential(authOf('Endpoint=https://a.b;AccessKey=k'))).rejects.toMatchObject({
      code: 'IDENTITY_UNAVAILABLE',
    });
  });

  it('explains how to fix a missing @azure/identity', async () => {
    const missing = new Error("Cannot find package '@azure/identity'");
    const error = await createIdentityCredential({ type: 'azure' }, () => Promise.reject(missing)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect(error).toMatchObject({ code: 'IDENTITY_UNAVAILABLE', cause: missing });
    expect((error as Error).message).toContain('npm install @azure/identity');
  });
});

describe('getCredential / setCredential', () => {
  it('builds the credential once per endpoint', async () => {
    const endpoint = parseConnectionString('Endpoint=https://a.b;AuthType=azure.msi');
    const first = await getCredential(endpoint);
    expect(first).toBeInstanceOf(identity.ManagedIdentityCredential);
    expect(await getCredential(endpoint)).toBe(first);
    const other = parseConnectionString('Endpoint=https://a.b;AuthType=azure.msi');
    expect(await getCredential(other)).not.toBe(first);
  });

  it('returns a credential set for the endpoint', async () => {
    const endpoint = parseConnectionString('Endpoint=https://a.b;AuthType=azure');
    const stub: TokenCredential = { getToken: () => Promise.resolve({ token: 't', expiresOnTimestamp: 0 }) };
    setCredential(endpoint, stub);
    expect(await getCredential(endpoint)).toBe(stub);
    expect(() => {
      setCredential(endpoint, {} as TokenCredential);
    }).toThrow(ServerlessHubError);
  });

  it('fails for key endpoints and does not cache the failure', async () => {
    const endpoint = parseConnectionString('Endpoint=https://a.b;AccessKey=k');
    await expect(getCredential(endpoint)).rejects.toMatchObject({ code: 'IDENTITY_UNAVAILABLE' });
    const stub: TokenCredential = { getToken: () => Promise.resolve(null) };
    setCredential(endpoint, stub);
    expect(await getCredential(endpoint)).toBe(stub);
  });
});
