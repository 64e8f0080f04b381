import { isDeepStrictEqual } from 'node:util';
import type { HttpResponseInit } from '@azure/functions';
import { decode } from '@msgpack/msgpack';
import type { WireProtocol } from './service-request.js';

function bodyBytes(body: HttpResponseInit['body']): Uint8Array {
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  if (body instanceof ArrayBuffer) return new Uint8Array(body);
  throw new Error(`unexpected response body type ${Object.prototype.toString.call(body)}`);
}

function readCompletionResult(protocol: WireProtocol, bytes: Uint8Array): unknown {
  if (protocol === 'json') {
    const text = Buffer.from(bytes).toString('utf8');
    if (!text.endsWith('\u001e')) throw new Error('the JSON completion is not framed with the record separator');
    const message = JSON.parse(text.slice(0, -1)) as { type?: unknown; result?: unknown };
    if (message.type !== 3) throw new Error(`expected a Completion, got ${text}`);
    return message.result;
  }
  let length = 0;
  let offset = 0;
  for (let shift = 0; ; shift += 7) {
    const byte = bytes[offset++]!;
    length |= (byte & 0x7f) << shift;
    if ((byte & 0x80) === 0) break;
  }
  if (offset + length !== bytes.length)
    throw new Error('the MessagePack completion length prefix does not match its size');
  const message = decode(bytes.subarray(offset)) as unknown[];
  if (message[0] !== 3 || message[3] !== 3)
    throw new Error(`expected a Completion with a result, got ${JSON.stringify(message)}`);
  return message[4];
}

/**
 * Checks that an upstream answer is a framed Completion whose result is `expected`, so that a
 * benchmark never times an error path by mistake.
 */
export function assertEchoCompletion(what: string, protocol: WireProtocol, response: unknown, expected: unknown): void {
  const init = response as HttpResponseInit;
  const status = init.status ?? 200;
  if (status !== 200) throw new Error(`${what} answered ${status}: ${describeBody(init.body)}`);
  const result = readCompletionResult(protocol, bodyBytes(init.body));
  if (!isDeepStrictEqual(result, expected))
    throw new Error(`${what} returned ${JSON.stringify(result)} instead of the echoed argument`);
}

/** An answer's body for an error message. */
export function describeBody(body: HttpResponseInit['body']): string {
  if (typeof body === 'string') return body.slice(0, 300);
  if (body instanceof Uint8Array) return Buffer.from(body).toString('utf8').slice(0, 300);
  return Object.prototype.toString.call(body);
}
