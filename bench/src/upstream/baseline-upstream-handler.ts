// The bare minimum an upstream `invoke` needs, written by hand for one hub method: check the signature,
// parse the invocation, call the method, frame the completion. It is what the framework's registered
// function is compared with.
import { createHmac, createSecretKey, timingSafeEqual } from 'node:crypto';
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { Decoder, Encoder } from '@msgpack/msgpack';
import type { WireProtocol } from './service-request.js';

type Handler = (request: HttpRequest) => Promise<HttpResponseInit>;

const RECORD_SEPARATOR = '\u001e';
const utf8 = new TextDecoder();
const UNAUTHORIZED: HttpResponseInit = { status: 401 };
const BAD_REQUEST: HttpResponseInit = { status: 400 };

const echoHub = {
  echo(value: unknown): unknown {
    return value;
  },
};

function signatureChecker(accessKey: string): (connectionId: string, header: string) => boolean {
  const key = createSecretKey(Buffer.from(accessKey, 'utf8'));
  return (connectionId, header) => {
    const expected = createHmac('sha256', key).update(connectionId).digest();
    for (const entry of header.split(',')) {
      const trimmed = entry.trim();
      if (trimmed.length !== 71 || !trimmed.toLowerCase().startsWith('sha256=')) continue;
      const presented = Buffer.from(trimmed.slice(7), 'hex');
      if (presented.length === expected.length && timingSafeEqual(presented, expected)) return true;
    }
    return false;
  };
}

/**
 * The whole body. Reading the stream is cheaper than `request.arrayBuffer()` (undici's body mixin), so the
 * baseline uses it too: the baseline is the cheapest way, not the most obvious one.
 */
async function readBody(request: HttpRequest): Promise<Uint8Array> {
  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = (stream as ReadableStream<Uint8Array>).getReader();
  const first = await reader.read();
  if (first.done) return new Uint8Array(0);
  let body = first.value;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) return body;
    const joined = new Uint8Array(body.length + value.length);
    joined.set(body, 0);
    joined.set(value, body.length);
    body = joined;
  }
}

function lengthPrefixed(payload: Uint8Array): Uint8Array {
  const prefix: number[] = [];
  let length = payload.length;
  do {
    let byte = length & 0x7f;
    length >>>= 7;
    if (length > 0) byte |= 0x80;
    prefix.push(byte);
  } while (length > 0);
  const framed = new Uint8Array(prefix.length + payload.length);
  framed.set(prefix, 0);
  framed.set(payload, prefix.length);
  return framed;
}

/** A hand-written upstream handler of `echo` for one protocol. */
export function createBaselineHandler(protocol: WireProtocol, accessKey: string): Handler {
  const isValid = signatureChecker(accessKey);
  if (protocol === 'json') {
    const headers = { 'content-type': 'application/json' };
    return async (request) => {
      const connectionId = request.headers.get('x-asrs-connection-id');
      const signature = request.headers.get('x-asrs-signature');
      if (connectionId === null || signature === null || !isValid(connectionId, signature)) return UNAUTHORIZED;
      const invocation = JSON.parse(utf8.decode(await readBody(request))) as {
        invocationId?: string;
        arguments: unknown[];
      };
      if (!Array.isArray(invocation.arguments)) return BAD_REQUEST;
      const result = echoHub.echo(invocation.arguments[0]);
      const body = JSON.stringify({ type: 3, invocationId: invocation.invocationId, result }) + RECORD_SEPARATOR;
      return { status: 200, body, headers };
    };
  }
  const headers = { 'content-type': 'application/x-msgpack' };
  // Reused: `encode()` / `decode()` would build a new encoder or decoder for every message.
  const encoder = new Encoder();
  const decoder = new Decoder();
  return async (request) => {
    const connectionId = request.headers.get('x-asrs-connection-id');
    const signature = request.headers.get('x-asrs-signature');
    if (connectionId === null || signature === null || !isValid(connectionId, signature)) return UNAUTHORIZED;
    const invocation = decoder.decode(await readBody(request)) as unknown[];
    const args = invocation[4];
    if (!Array.isArray(args)) return BAD_REQUEST;
    const result = echoHub.echo(args[0]);
    // Completion: [3, headers, invocationId, resultKind 3 (has result), result].
    return { status: 200, body: lengthPrefixed(encoder.encode([3, {}, invocation[2], 3, result])), headers };
  };
}
