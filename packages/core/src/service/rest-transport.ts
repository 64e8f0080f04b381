import { STATUS_CODES } from 'node:http';
import type { Agent, OutgoingHttpHeaders } from 'node:http';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import type { ServerlessHubErrorCode } from '../errors/serverless-hub-error.js';
import { abortableDelay, abortedError } from './abortable.js';
import { attemptHttpRequest } from './http-attempt.js';
import type { HttpAttemptResult, HttpOrigin } from './http-attempt.js';
import type { RestAuthorizer } from './rest-authorizer.js';
import type { MessageEncoding } from './message-payload.js';
import { isRetriable } from './retry-policy.js';
import type { RetryPolicy } from './retry-policy.js';
import { parseServiceErrorDetail } from './service-error-detail.js';

/** One REST call, before authorization. */
export interface RestRequest {
  readonly method: 'HEAD' | 'GET' | 'POST' | 'PUT' | 'DELETE';
  /** Escaped path below the server endpoint, e.g. `/api/hubs/chat/:send`; the token audience is built from it. */
  readonly path: string;
  /** `?api-version=…` and the other query parameters, escaped. */
  readonly query: string;
  readonly body?: Buffer;
  /** `Content-Type` of `body`; default JSON. */
  readonly contentType?: string;
  /** A message send: retried only when it cannot have been delivered (see `isRetriable`). */
  readonly isSend: boolean;
  /** Lower-cased `x-ms-error-code` values that make a 404 an answer (`false`) instead of a failure. */
  readonly answers?: ReadonlySet<string>;
  /** `false` for a single attempt whatever the retry policy (health probes, client invocations). */
  readonly retry?: boolean;
  /** This call's time limit per attempt, instead of the client's (a client invocation waits for the client). */
  readonly timeoutMs?: number;
}

/** A success answer whose body the caller reads (see {@link RestTransport.callForBody}). */
export interface RestBodyAnswer {
  readonly status: number;
  /** The body as UTF-8 text, complete (an answer over the limit is a failure). */
  readonly body: string;
}

/** Construction options of {@link RestTransport}. */
export interface RestTransportOptions {
  /** `ServerEndpoint`, else `Endpoint` with `Port`: an absolute http(s) URL. */
  readonly serverEndpoint: string;
  readonly authorizer: RestAuthorizer;
  readonly agent: Agent;
  readonly timeoutMs: number;
  readonly retry: RetryPolicy;
  /** `User-Agent`, and `Asrs-User-Agent` as the Management SDK sends its product information. */
  readonly userAgent: string;
  /** How sends are written; default `auto`. */
  readonly messageEncoding?: MessageEncoding;
}

/** The service rejects requests whose headers exceed 16 KB; keep margin for the headers besides URL and token. */
const MAX_URL_AND_AUTHORIZATION_LENGTH = 16 * 1024 - 1024;
/** The service rejects bodies over 1 MB. */
export const MAX_BODY_BYTES = 1024 * 1024;
const JSON_CONTENT_TYPE = 'application/json; charset=utf-8';

const HINTS: Partial<Record<ServerlessHubErrorCode, string>> = {
  REST_INVALID_ARGUMENT: 'The service rejected the request as invalid.',
  REST_UNAUTHORIZED:
    'The service rejected the credentials: check the AccessKey of the connection string, or that the identity has a SignalR data-plane role.',
  REST_NOT_FOUND:
    'Check the Endpoint (or ServerEndpoint and Port) of the connection string: the service does not know this URL.',
};

function codeForStatus(status: number): ServerlessHubErrorCode {
  if (status === 400) return 'REST_INVALID_ARGUMENT';
  if (status === 401) return 'REST_UNAUTHORIZED';
  if (status === 404) return 'REST_NOT_FOUND';
  return 'REST_SERVICE_ERROR';
}

function describeAttempts(attempts: number): string {
  return attempts === 1 ? '' : ` (after ${attempts} attempts)`;
}

/**
 * Sends REST calls to one service endpoint: authorizes each with a cached token whose audience is the
 * request URL without its query, applies the per-attempt timeout, the caller's AbortSignal and the retry
 * policy, and turns answers into `true` (2xx), `false` (a 404 the request lists as an answer) or a typed
 * {@link ServerlessHubError}.
 */
export class RestTransport {
  readonly #origin: HttpOrigin;
  readonly #basePath: string;
  readonly #audienceBase: string;
  readonly #authorizer: RestAuthorizer;
  readonly #timeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #userAgent: string;
  /** How the sends through this transport are written. */
  readonly messageEncoding: MessageEncoding;

  constructor(options: RestTransportOptions) {
    let url: URL;
    try {
      url = new URL(options.serverEndpoint);
    } catch (error) {
      throw new ServerlessHubError(
        'REST_INVALID_ARGUMENT',
        'The server endpoint of the service is not an absolute URL.',
        { cause: error },
      );
    }
    if (url.protocol !== 'http:' && url.protocol !== 'https:') {
      throw new ServerlessHubError(
        'REST_INVALID_ARGUMENT',
        `The server endpoint must be an http or https URL, not ${url.protocol}.`,
      );
    }
    const secure = url.protocol === 'https:';
    this.#origin = {
      secure,
      hostname: url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname,
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      agent: options.agent,
    };
    this.#basePath = url.pathname.replace(/\/+$/, '');
    // `host` keeps a non-default port and drops a default one, as the service sees the URL.
    this.#audienceBase = `${url.protocol}//${url.host}${this.#basePath}`;
    this.#authorizer = options.authorizer;
    this.#timeoutMs = options.timeoutMs;
    this.#retry = options.retry;
    this.#userAgent = options.userAgent;
    this.messageEncoding = options.messageEncoding ?? 'auto';
  }

  /** The token audience of `path`: the request URL without its query. */
  audienceOf(path: string): string {
    return this.#audienceBase + path;
  }

  /**
   * Performs `request`: resolves `true` on 2xx, `false` on a 404 whose `x-ms-error-code` is one of
   * `request.answers`, and rejects with a {@link ServerlessHubError} otherwise.
   */
  async call(request: RestRequest, signal: AbortSignal | undefined): Promise<boolean> {
    return (await this.#perform(request, signal, undefined)) !== false;
  }

  /**
   * Performs `request` and returns the body of its success answer (read up to `bodyLimit` bytes), or
   * `false` on a 404 listed in `request.answers`; rejects like {@link RestTransport.call} otherwise, and
   * with `REST_SERVICE_ERROR` when the answer is larger than `bodyLimit`.
   */
  async callForBody(
    request: RestRequest,
    bodyLimit: number,
    signal: AbortSignal | undefined,
  ): Promise<RestBodyAnswer | false> {
    const answer = await this.#perform(request, signal, bodyLimit);
    if (answer === false) return false;
    if (answer.truncated) {
      throw new ServerlessHubError(
        'REST_SERVICE_ERROR',
        `${request.method} ${request.path}: the service's answer is larger than ${bodyLimit} bytes, more than this call reads.`,
        { status: answer.status },
      );
    }
    return { status: answer.status, body: answer.body };
  }

  async #perform(
    request: RestRequest,
    signal: AbortSignal | undefined,
    successBodyLimit: number | undefined,
  ): Promise<Extract<HttpAttemptResult, { kind: 'status' }> | false> {
    const what = `${request.method} ${request.path}`;
    if (request.body !== undefined && request.body.length > MAX_BODY_BYTES) {
      throw new ServerlessHubError(
        'REST_INVALID_ARGUMENT',
        `${what}: the message is ${request.body.length} bytes; the service accepts at most ${MAX_BODY_BYTES} bytes.`,
      );
    }
    const audience = this.#audienceBase + request.path;
    const pathAndQuery = this.#basePath + request.path + request.query;
    const maxRetries = request.retry === false ? 0 : this.#retry.maxRetries;
    for (let attempt = 1; ; attempt++) {
      if (signal?.aborted === true) throw abortedError(signal, what);
      const authorization = await this.#authorizer.authorization(audience, signal);
      if (attempt === 1 && pathAndQuery.length + authorization.length > MAX_URL_AND_AUTHORIZATION_LENGTH) {
        throw new ServerlessHubError(
          'REST_INVALID_ARGUMENT',
          `${what}: the request URL is ${pathAndQuery.length} characters; with its token it exceeds the service's 16 KB header limit. ` +
            'Exclude fewer connections, or use shorter ids.',
        );
      }
      const headers: OutgoingHttpHeaders = {
        authorization,
        'user-agent': this.#userAgent,
        'asrs-user-agent': this.#userAgent,
      };
      if (request.body !== undefined) {
        headers['content-type'] = request.contentType ?? JSON_CONTENT_TYPE;
        headers['content-length'] = request.body.length;
      } else if (request.method === 'POST' || request.method === 'PUT') {
        headers['content-length'] = 0;
      }
      const result = await attemptHttpRequest(this.#origin, {
        method: request.method,
        pathAndQuery,
        headers,
        body: request.body,
        timeoutMs: request.timeoutMs ?? this.#timeoutMs,
        signal,
        ...(successBodyLimit === undefined ? {} : { successBodyLimit }),
      });
      if (result.kind === 'status') {
        if (result.status >= 200 && result.status < 300) return result;
        if (
          result.status === 404 &&
          result.errorCode !== undefined &&
          request.answers?.has(result.errorCode.toLowerCase()) === true
        ) {
          return false;
        }
      }
      if (result.kind === 'aborted') throw abortedError(signal as AbortSignal, what);
      if (attempt > maxRetries || !isRetriable(request.isSend, result)) {
        throw this.#failure(what, result, attempt, authorization, request.timeoutMs ?? this.#timeoutMs);
      }
      await abortableDelay(this.#retry.delayBeforeRetry(attempt), signal, what);
    }
  }

  #failure(
    what: string,
    result: Exclude<HttpAttemptResult, { kind: 'aborted' }>,
    attempts: number,
    authorization: string,
    timeoutMs: number,
  ): ServerlessHubError {
    const tried = describeAttempts(attempts);
    if (result.kind === 'timeout') {
      return new ServerlessHubError(
        'REST_TIMEOUT',
        `${what}: the service did not answer within ${timeoutMs} ms${tried}.`,
        {
          details: { attempts, beforeSend: result.beforeSend },
        },
      );
    }
    if (result.kind === 'network') {
      const reason = (result.error as NodeJS.ErrnoException).code ?? result.error.message;
      return new ServerlessHubError('REST_NETWORK', `${what}: the request to the service failed (${reason})${tried}.`, {
        cause: result.error,
        details: { attempts, beforeSend: result.beforeSend },
      });
    }
    const token = authorization.startsWith('Bearer ') ? authorization.slice(7) : authorization;
    const detail = parseServiceErrorDetail(result.body, [token]);
    const errorCode =
      result.errorCode === undefined ? undefined : parseServiceErrorDetail(result.errorCode, [token]).message;
    const code = codeForStatus(result.status);
    const said = [errorCode, detail.code !== errorCode ? detail.code : undefined, detail.message].filter(
      (part) => part !== undefined,
    );
    const statusText = STATUS_CODES[result.status] ?? 'Unknown';
    const hint = HINTS[code];
    return new ServerlessHubError(
      code,
      `${what}: the service answered ${result.status} ${statusText}${said.length > 0 ? ` (${said.join(': ')})` : ''}${tried}.` +
        (hint === undefined ? '' : ` ${hint}`),
      {
        status: result.status,
        details: {
          attempts,
          ...(errorCode === undefined ? {} : { errorCode }),
          ...(detail.code === undefined ? {} : { serviceCode: detail.code }),
          ...(detail.message === undefined ? {} : { serviceMessage: detail.message }),
        },
      },
    );
  }
}
