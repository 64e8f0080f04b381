import type { HttpResponse as FunctionsHttpResponse, HttpResponseInit } from '@azure/functions';
import { MessageType } from '../protocol/hub-message.js';
import { hubProtocolByContentType } from '../protocol/hub-protocol.js';
import { HttpResponse } from './azure-functions-runtime.js';

/**
 * The client-visible outcome of an `invoke`: a result, no result (void), or an error.
 *
 * @example
 * ```ts
 * const completion: DecodedCompletion | undefined = (await bed.invoke('echo', [1])).completion;
 * completion?.hasResult; // true
 * ```
 */
export interface DecodedCompletion {
  readonly invocationId: string;
  /** Whether the completion carries a result (`false` for a void completion or an error). */
  readonly hasResult: boolean;
  readonly result?: unknown;
  readonly error?: string;
}

/**
 * An upstream answer, decoded.
 *
 * @example
 * ```ts
 * const response: UpstreamResponse = await readUpstreamResponse(await handler(request, context));
 * response.status; // 200
 * ```
 */
export interface UpstreamResponse {
  /** The HTTP status the service receives. */
  readonly status: number;
  /** Response headers, names lowercased. */
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
  /** The body as UTF-8 text (the reason of a refusal). */
  readonly text: string;
  /** For a 200 answer with a body: the Completion it carries, decoded in its protocol. */
  readonly completion: DecodedCompletion | undefined;
}

/**
 * Decodes what an upstream function returned (an `HttpResponseInit` or `HttpResponse`): status, headers,
 * body, and the Completion message of an `invoke` in the answer's protocol (JSON or MessagePack).
 *
 * @example
 * ```ts
 * const response = await readUpstreamResponse(await handler(request, context));
 * response.completion?.result; // what the client's invoke() resolves to
 * ```
 */
export async function readUpstreamResponse(
  answer: HttpResponseInit | FunctionsHttpResponse,
): Promise<UpstreamResponse> {
  const response = answer instanceof HttpResponse ? answer : new HttpResponse(answer);
  const body = new Uint8Array(await response.arrayBuffer());
  const headers: Record<string, string> = {};
  for (const [name, value] of response.headers) headers[name.toLowerCase()] = value;
  let completion: DecodedCompletion | undefined;
  const contentType = headers['content-type'];
  if (response.status === 200 && body.length > 0 && contentType !== undefined && !contentType.startsWith('text/')) {
    const messages = hubProtocolByContentType(contentType).parseMessages(body);
    const message = messages[0];
    if (messages.length !== 1 || message?.type !== MessageType.Completion) {
      throw new Error(
        `Expected one Completion message in the upstream answer, got ${String(messages.length)} message(s).`,
      );
    }
    completion = {
      invocationId: message.invocationId,
      hasResult: 'result' in message,
      ...('result' in message ? { result: message.result } : {}),
      ...(message.error === undefined ? {} : { error: message.error }),
    };
  }
  return { status: response.status, headers, body, text: Buffer.from(body).toString('utf8'), completion };
}
