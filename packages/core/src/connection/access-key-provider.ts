import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import { getCredential, SIGNALR_ENTRA_SCOPE } from './identity-credential.js';
import type { TokenCredential } from './identity-credential.js';
import type { ServiceEndpoint } from './service-endpoint.js';
import { errorMessage } from '../errors/describe-error.js';

/**
 * The key that signs client and REST tokens, with its id when the service issued it to an identity.
 *
 * @example
 * ```ts
 * const { key, kid }: SigningKey = await getSigningKey(endpoint);
 * ```
 */
export interface SigningKey {
  /** Its UTF-8 bytes are the HMAC key. */
  readonly key: string;
  /** The service's `KeyId`; set as the `kid` header of tokens signed with this key. */
  readonly kid?: string;
}

/**
 * Tuning of the access-key fetch for identity-based endpoints. Defaults suit production.
 *
 * @example
 * ```ts
 * import { ManagedIdentityCredential } from '@azure/identity';
 * const options: AccessKeyOptions = { credential: new ManagedIdentityCredential(), timeoutMs: 10_000 };
 * await getSigningKey(endpoint, options);
 * ```
 */
export interface AccessKeyOptions {
  /** The Entra ID credential; defaults to `getCredential(endpoint)`. */
  readonly credential?: TokenCredential;
  /** Time limit of each attempt (Entra token, then the HTTP call), in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /** Pause before the 2nd and 3rd attempt after a network error, timeout or 5xx/429, in ms. Default 1 000 (doubled for the 3rd). */
  readonly retryDelayMs?: number;
  /** Clock in ms since the epoch; tests move it instead of waiting. */
  readonly now?: () => number;
}

const MINUTE = 60_000;
// The official SDK refreshes every 55 minutes and stops using a key 120 minutes after its last refresh.
const REFRESH_AFTER_MS = 55 * MINUTE;
const EXPIRES_AFTER_MS = 120 * MINUTE;
// While an older key still works, a failed refresh is retried at most once a minute.
const RETRY_WITH_KEY_MS = MINUTE;
// Without a usable key, callers within this window get the last failure instead of a new fetch each.
const FAILURE_COOLDOWN_MS = 10_000;
const ATTEMPTS = 3;
const DEFAULT_TIMEOUT_MS = 30_000;
const DEFAULT_RETRY_DELAY_MS = 1_000;
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_KEY_LENGTH = 4096;
const MAX_KID_LENGTH = 512;

interface FetchedKey {
  readonly signingKey: SigningKey;
  readonly fetchedAt: number;
}

interface Failure {
  readonly error: ServerlessHubError;
  readonly at: number;
}

function unavailable(message: string, cause?: unknown, status?: number): ServerlessHubError {
  const options: { cause?: unknown; status?: number } = {};
  if (cause !== undefined) options.cause = cause;
  if (status !== undefined) options.status = status;
  return new ServerlessHubError('ACCESS_KEY_UNAVAILABLE', message, options);
}

/** A failure worth another attempt: the network, a timeout, throttling or a server error. */
class TransientFailure extends Error {}

function sleep(ms: number): Promise<void> {
  return ms <= 0 ? Promise.resolve() : new Promise((resolve) => setTimeout(resolve, ms));
}

async function withTimeout<T>(work: (signal: AbortSignal) => Promise<T>, timeoutMs: number, what: string): Promise<T> {
  const controller = new AbortController();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => {
      controller.abort();
      reject(new TransientFailure(`${what} timed out after ${String(timeoutMs)} ms`));
    }, timeoutMs);
  });
  try {
    return await Promise.race([work(controller.signal), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

async function readLimited(response: Response, limit: number): Promise<string> {
  const declared = Number(response.headers.get('content-length'));
  if (declared > limit) throw new Error(`the answer is larger than ${String(limit)} bytes`);
  if (response.body === null) return '';
  const reader = (response.body as ReadableStream<Uint8Array>).getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel();
      throw new Error(`the answer is larger than ${String(limit)} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** Reads a property whatever its casing: the service writes PascalCase, a stand-in may not. */
function property(body: Record<string, unknown>, name: string): unknown {
  if (Object.hasOwn(body, name)) return body[name];
  const lower = name.toLowerCase();
  for (const key of Object.keys(body)) if (key.toLowerCase() === lower) return body[key];
  return undefined;
}

/** Validates the untrusted answer of `GET /api/v1/auth/accessKey`. */
function parseAccessKeyAnswer(text: string, url: string): SigningKey {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw unavailable(
      `The access-key answer of ${url} is not JSON. Check that Endpoint / ServerEndpoint points to Azure SignalR Service.`,
      error,
    );
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw unavailable(`The access-key answer of ${url} is not a JSON object with KeyId and AccessKey.`);
  }
  const record = body as Record<string, unknown>;
  const kid = property(record, 'KeyId');
  const key = property(record, 'AccessKey');
  if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) {
    throw unavailable(
      `The access-key answer of ${url} has no valid KeyId (a non-empty string of at most ${String(MAX_KID_LENGTH)} characters).`,
    );
  }
  if (typeof key !== 'string' || key === '' || key.length > MAX_KEY_LENGTH) {
    throw unavailable(
      `The access-key answer of ${url} has no valid AccessKey (a non-empty string of at most ${String(MAX_KEY_LENGTH)} characters).`,
    );
  }
  return Object.freeze({ key, kid });
}

function statusMessage(status: number, url: string): string {
  switch (status) {
    case 401:
      return `Azure SignalR Service refused the Microsoft Entra ID token at ${url} (401). Check that the identity is in the resource's tenant and that Entra ID authentication is enabled on the resource.`;
    case 403:
      return `The identity may not get access keys at ${url} (403). Assign it the "SignalR App Server" (or "SignalR Service Owner") role on the resource.`;
    case 404:
      return `${url} answered 404: no access-key endpoint there. Check Endpoint / ServerEndpoint in the connection string.`;
    default:
      return `GET ${url} answered ${String(status)}.`;
  }
}

/**
 * The signing key of one identity-based endpoint: fetched from the service with a Microsoft Entra
 * ID token, kept for 55 minutes, then refreshed ahead while the old key keeps serving (it is used for
 * at most 120 minutes, as in the official SDK). Concurrent callers share one fetch. Internal.
 */
export class EntraAccessKey {
  readonly url: string;
  private current: FetchedKey | undefined;
  private inflight: Promise<SigningKey> | undefined;
  private lastFailure: Failure | undefined;
  private readonly now: () => number;
  private readonly timeoutMs: number;
  private readonly retryDelayMs: number;

  constructor(
    private readonly endpoint: ServiceEndpoint,
    private readonly options: AccessKeyOptions = {},
  ) {
    this.url = `${endpoint.serverEndpoint}/api/v1/auth/accessKey`;
    this.now = options.now ?? Date.now;
    this.timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    this.retryDelayMs = options.retryDelayMs ?? DEFAULT_RETRY_DELAY_MS;
  }

  /** The refresh under way, if any; resolves when it settles, whatever its outcome. */
  get refreshing(): Promise<void> | undefined {
    return this.inflight?.then(
      () => undefined,
      () => undefined,
    );
  }

  get(): Promise<SigningKey> {
    const now = this.now();
    const current = this.current;
    if (current !== undefined) {
      const age = now - current.fetchedAt;
      if (age < REFRESH_AFTER_MS) return Promise.resolve(current.signingKey);
      if (age < EXPIRES_AFTER_MS) {
        const failure = this.lastFailure;
        if (this.inflight === undefined && (failure === undefined || now - failure.at >= RETRY_WITH_KEY_MS)) {
          // Refresh ahead; its failure is recorded, and the old key keeps serving meanwhile.
          this.refresh().catch(() => undefined);
        }
        return Promise.resolve(current.signingKey);
      }
    }
    if (this.inflight !== undefined) return this.inflight;
    const failure = this.lastFailure;
    if (failure !== undefined && now - failure.at < FAILURE_COOLDOWN_MS) return Promise.reject(failure.error);
    return this.refresh();
  }

  private refresh(): Promise<SigningKey> {
    const inflight = this.fetchKey().then(
      (signingKey) => {
        this.current = { signingKey, fetchedAt: this.now() };
        this.lastFailure = undefined;
        return signingKey;
      },
      (error: unknown) => {
        const failure = ServerlessHubError.is(error)
          ? error
          : unavailable(`Could not get the access key from ${this.url}.`, error);
        this.lastFailure = { error: failure, at: this.now() };
        throw failure;
      },
    );
    this.inflight = inflight;
    const clear = (): void => {
      if (this.inflight === inflight) this.inflight = undefined;
    };
    inflight.then(clear, clear);
    return inflight;
  }

  private async fetchKey(): Promise<SigningKey> {
    const credential = this.options.credential ?? (await getCredential(this.endpoint));
    let lastError: unknown;
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      if (attempt > 1) await sleep(this.retryDelayMs * (attempt - 1));
      const token = await this.entraToken(credential);
      try {
        return await withTimeout((signal) => this.requestKey(token, signal), this.timeoutMs, `GET ${this.url}`);
      } catch (error) {
        if (!(error instanceof TransientFailure)) throw error;
        lastError = error;
      }
    }
    throw unavailable(
      `Could not get the access key from ${this.url} after ${String(ATTEMPTS)} attempts: ${errorMessage(lastError)}.`,
      lastError,
    );
  }

  private async entraToken(credential: TokenCredential): Promise<string> {
    let token: Awaited<ReturnType<TokenCredential['getToken']>>;
    try {
      token = await withTimeout(
        (abortSignal) => credential.getToken(SIGNALR_ENTRA_SCOPE, { abortSignal }),
        this.timeoutMs,
        'Getting a Microsoft Entra ID token',
      );
    } catch (error) {
      const reason = errorMessage(error).slice(0, 500);
      throw unavailable(
        `Could not get a Microsoft Entra ID token for ${SIGNALR_ENTRA_SCOPE} (needed to fetch the access key of ${this.endpoint.endpoint}): ${reason}`,
        error,
      );
    }
    if (token === null || typeof token.token !== 'string' || token.token === '') {
      throw unavailable(
        `The credential returned no Microsoft Entra ID token for ${SIGNALR_ENTRA_SCOPE}. Check the identity configuration.`,
      );
    }
    return token.token;
  }

  private async requestKey(token: string, signal: AbortSignal): Promise<SigningKey> {
    let response: Response;
    try {
      // No redirects: the bearer token must reach the service only.
      response = await fetch(this.url, {
        headers: { Authorization: `Bearer ${token}`, Accept: 'application/json' },
        redirect: 'error',
        signal,
      });
    } catch (error) {
      throw new TransientFailure(`the request failed (${errorMessage(error)})`, { cause: error });
    }
    if (response.status !== 200) {
      await response.body?.cancel();
      if (response.status >= 500 || response.status === 429 || response.status === 408) {
        throw new TransientFailure(`the service answered ${String(response.status)}`);
      }
      throw unavailable(statusMessage(response.status, this.url), undefined, response.status);
    }
    let text: string;
    try {
      text = await readLimited(response, MAX_RESPONSE_BYTES);
    } catch (error) {
      if (signal.aborted) throw new TransientFailure('reading the answer timed out', { cause: error });
      throw unavailable(`The access-key answer of ${this.url} could not be read: ${errorMessage(error)}.`, error);
    }
    return parseAccessKeyAnswer(text, this.url);
  }
}

const providers = new WeakMap<ServiceEndpoint, EntraAccessKey>();
const keySigningKeys = new WeakMap<ServiceEndpoint, SigningKey>();

/**
 * The key that signs tokens for this endpoint. With an `AccessKey`, that key. With an identity
 * (`AuthType`), the key the service hands out at `GET {ServerEndpoint}/api/v1/auth/accessKey` for a
 * Microsoft Entra ID token of scope `https://signalr.azure.com/.default`, with its `kid`: fetched
 * once per endpoint, refreshed every 55 minutes ahead of time (the old key keeps serving if a
 * refresh fails), shared by concurrent callers. `options` apply when the endpoint's key is first
 * requested.
 *
 * @throws {@link ServerlessHubError} `ACCESS_KEY_UNAVAILABLE` when no valid key can be had (the
 * message says why: credential, role assignment, endpoint, timeout) or `IDENTITY_UNAVAILABLE`
 * when `@azure/identity` is missing.
 *
 * @example
 * ```ts
 * const { key, kid } = await getSigningKey(endpointFromSettings());
 * const token = await signAccessToken({ audience, key, ...(kid === undefined ? {} : { kid }), lifetimeSeconds: 3600 });
 * ```
 */
export function getSigningKey(endpoint: ServiceEndpoint, options?: AccessKeyOptions): Promise<SigningKey> {
  const { auth } = endpoint;
  if (auth.type === 'key') {
    let signingKey = keySigningKeys.get(endpoint);
    if (signingKey === undefined) {
      signingKey = Object.freeze({ key: auth.accessKey });
      keySigningKeys.set(endpoint, signingKey);
    }
    return Promise.resolve(signingKey);
  }
  let provider = providers.get(endpoint);
  if (provider === undefined) {
    provider = new EntraAccessKey(endpoint, options);
    providers.set(endpoint, provider);
  }
  return provider.get();
}
