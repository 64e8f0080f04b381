import { ServerlessHubError } from '../errors/serverless-hub-error.js';

// The binary body of the REST API's `:send` routes (content type application/octet-stream): a MessagePack
// map whose keys are hub protocol names and whose values are one framed message in that protocol, as bin.
// The Management SDK writes it (Azure/azure-signalr, BinaryPayloadMessageContent) and the service gives
// each client the bytes of its own protocol. Written and read by hand: a map of a few str → bin entries
// needs no general MessagePack codec, and reading it must not copy the payloads.

/** More entries than any sender needs (one per protocol); the bound keeps a hostile body cheap. */
const MAX_ENTRIES = 16;
const MAX_KEY_BYTES = 64;
const utf8 = new TextDecoder('utf-8', { fatal: true });
const encoder = new TextEncoder();

function invalid(message: string): ServerlessHubError {
  return new ServerlessHubError(
    'PROTOCOL_INVALID_MESSAGE',
    `The binary payload is not a MessagePack map of protocol names to messages: ${message}`,
  );
}

function headerSize(length: number, small: number): number {
  if (length < small) return 1;
  if (length <= 0xff) return 2;
  if (length <= 0xffff) return 3;
  return 5;
}

/**
 * Writes the protocol map of a REST send: `{ name: bin(framed message), … }` in the order given.
 *
 * @example
 * ```ts
 * const body = encodeProtocolPayloadMap([
 *   ['json', jsonHubProtocol.writeMessage(invocation)],
 *   ['messagepack', messagePackHubProtocol.writeMessage(invocation)],
 * ]);
 * ```
 */
export function encodeProtocolPayloadMap(entries: readonly (readonly [string, Uint8Array])[]): Buffer {
  if (entries.length > 15) throw invalid(`${entries.length} entries; at most 15 can be written.`);
  const keys = entries.map(([name]) => encoder.encode(name));
  let size = 1;
  entries.forEach(([, payload], index) => {
    const key = keys[index] as Uint8Array;
    if (key.length > 31) throw invalid(`the protocol name has ${key.length} bytes; at most 31 can be written.`);
    size += 1 + key.length + headerSize(payload.length, 0) + payload.length;
  });
  const out = Buffer.allocUnsafe(size);
  let offset = out.writeUInt8(0x80 | entries.length, 0);
  entries.forEach(([, payload], index) => {
    const key = keys[index] as Uint8Array;
    offset = out.writeUInt8(0xa0 | key.length, offset);
    out.set(key, offset);
    offset += key.length;
    if (payload.length <= 0xff) offset = out.writeUInt8(payload.length, out.writeUInt8(0xc4, offset));
    else if (payload.length <= 0xffff) offset = out.writeUInt16BE(payload.length, out.writeUInt8(0xc5, offset));
    else offset = out.writeUInt32BE(payload.length, out.writeUInt8(0xc6, offset));
    out.set(payload, offset);
    offset += payload.length;
  });
  return out;
}

class Cursor {
  offset = 0;
  constructor(readonly bytes: Uint8Array) {}

  byte(): number {
    if (this.offset >= this.bytes.length) throw invalid('it ends too early.');
    return this.bytes[this.offset++] as number;
  }

  uint(width: 1 | 2 | 4): number {
    let value = 0;
    for (let index = 0; index < width; index++) value = value * 256 + this.byte();
    return value;
  }

  take(length: number): Uint8Array {
    if (length > this.bytes.length - this.offset) throw invalid('a value is longer than the rest of the body.');
    const slice = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return slice;
  }
}

function readMapLength(cursor: Cursor): number {
  const head = cursor.byte();
  if ((head & 0xf0) === 0x80) return head & 0x0f;
  if (head === 0xde) return cursor.uint(2);
  if (head === 0xdf) return cursor.uint(4);
  throw invalid(`it starts with 0x${head.toString(16).padStart(2, '0')}, not a map.`);
}

function readBytesOrString(cursor: Cursor, what: string): Uint8Array {
  const head = cursor.byte();
  if ((head & 0xe0) === 0xa0) return cursor.take(head & 0x1f);
  switch (head) {
    case 0xc4:
    case 0xd9:
      return cursor.take(cursor.uint(1));
    case 0xc5:
    case 0xda:
      return cursor.take(cursor.uint(2));
    case 0xc6:
    case 0xdb:
      return cursor.take(cursor.uint(4));
    default:
      throw invalid(`${what} is neither bin nor str (0x${head.toString(16).padStart(2, '0')}).`);
  }
}

/**
 * Reads the protocol map of a REST send. Names are lower-cased; the payloads are views into `body`.
 *
 * @throws {ServerlessHubError} `PROTOCOL_INVALID_MESSAGE` when the body is not such a map, has more than
 * 16 entries, a name twice, or bytes after the map.
 * @example
 * ```ts
 * const payloads = decodeProtocolPayloadMap(body);
 * const forJsonClients = payloads.get('json');
 * ```
 */
export function decodeProtocolPayloadMap(body: Uint8Array): Map<string, Uint8Array> {
  const cursor = new Cursor(body);
  const count = readMapLength(cursor);
  if (count > MAX_ENTRIES) throw invalid(`it has ${count} entries; at most ${MAX_ENTRIES} are read.`);
  const payloads = new Map<string, Uint8Array>();
  for (let index = 0; index < count; index++) {
    const keyBytes = readBytesOrString(cursor, 'a key');
    if (keyBytes.length > MAX_KEY_BYTES) throw invalid(`a protocol name has ${keyBytes.length} bytes.`);
    let name: string;
    try {
      name = utf8.decode(keyBytes).toLowerCase();
    } catch {
      throw invalid('a protocol name is not valid UTF-8.');
    }
    if (payloads.has(name)) throw invalid(`the protocol ${JSON.stringify(name)} appears twice.`);
    payloads.set(name, readBytesOrString(cursor, `the value of ${JSON.stringify(name)}`));
  }
  if (cursor.offset !== body.length) throw invalid(`${body.length - cursor.offset} bytes follow the map.`);
  return payloads;
}
