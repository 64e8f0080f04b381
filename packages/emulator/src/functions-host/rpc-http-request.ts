import type { RpcHttpData, RpcNullableString } from './functions-core-contract.js';

/**
 * An HTTP request as the local host received it, before conversion.
 *
 * @example
 * ```ts
 * const received: ReceivedHttpRequest = { method: 'GET', url: 'http://localhost:7071/api/hello?a=1', rawHeaders: ['Accept', '*' + '/*'], params: {}, body: undefined };
 * ```
 */
export interface ReceivedHttpRequest {
  readonly method: string;
  /** The absolute URL, with its query. */
  readonly url: string;
  /** Node's `rawHeaders`: names and values alternating, repeated headers kept apart. */
  readonly rawHeaders: readonly string[];
  /** The route parameters the function's route template matched. */
  readonly params: Readonly<Record<string, string>>;
  readonly body: Uint8Array | undefined;
}

function nullable(values: Map<string, { name: string; values: string[] }>): Record<string, RpcNullableString> {
  const result: Record<string, RpcNullableString> = {};
  for (const { name, values: list } of values.values()) result[name] = { value: list.join(',') };
  return result;
}

function add(map: Map<string, { name: string; values: string[] }>, name: string, value: string): void {
  const key = name.toLowerCase();
  const entry = map.get(key);
  if (entry === undefined) map.set(key, { name, values: [value] });
  else entry.values.push(value);
}

/**
 * Converts a received request into the RPC request data the Functions host sends the Node.js worker
 * (which announces `UseNullableValueDictionaryForHttp`, `RawHttpBodyBytes` and `RpcHttpBodyOnly`), as
 * azure-functions-host's `GrpcMessageConversionExtensions.ToRpcHttp` builds it: header names lowercased;
 * a repeated header or query parameter is one entry whose values are joined with `,` (ASP.NET Core's
 * `StringValues.ToString()`), query keys compared without case; route parameters; the body as bytes,
 * only when there is one.
 *
 * @example
 * ```ts
 * const http = toRpcHttpRequest({ method: 'GET', url: 'http://localhost:7071/api/x?a=1&a=2', rawHeaders: [], params: {}, body: undefined });
 * http.nullableQuery?.a?.value; // '1,2'
 * ```
 */
export function toRpcHttpRequest(request: ReceivedHttpRequest): RpcHttpData {
  const headers = new Map<string, { name: string; values: string[] }>();
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = (request.rawHeaders[index] as string).toLowerCase();
    add(headers, name, request.rawHeaders[index + 1] as string);
  }
  const query = new Map<string, { name: string; values: string[] }>();
  const search = new URL(request.url).searchParams;
  for (const [name, value] of search) add(query, name, value);
  const params: Record<string, RpcNullableString> = {};
  for (const [name, value] of Object.entries(request.params)) params[name] = { value };
  return {
    method: request.method,
    url: request.url,
    nullableHeaders: nullable(headers),
    nullableQuery: nullable(query),
    nullableParams: params,
    ...(request.body === undefined || request.body.length === 0 ? {} : { body: { bytes: request.body } }),
  };
}
