// Property tests of the handshake: any request and response round-trip, with whatever bytes followed them
// handed back untouched; input cut before the record separator means "wait"; any other input, random or a
// mutation of a valid handshake, gives PROTOCOL_INVALID_MESSAGE, and protocol selection gives a codec or
// PROTOCOL_UNSUPPORTED.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ServerlessHubError } from '../errors/serverless-hub-error.js';
import {
  parseHandshakeRequest,
  parseHandshakeResponse,
  selectHubProtocol,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from './handshake.js';
import type { HandshakeParseResult } from './handshake.js';

const RUNS = 300;
const encoder = new TextEncoder();

function anyText(maxLength: number): fc.Arbitrary<string> {
  return fc.array(fc.oneof(fc.nat(0x7f), fc.nat(0xffff)), { maxLength }).map((codes) => String.fromCharCode(...codes));
}

function parsedOrInvalid<T>(
  parse: () => HandshakeParseResult<T> | undefined,
): HandshakeParseResult<T> | undefined | ServerlessHubError {
  try {
    return parse();
  } catch (error) {
    expect(error).toBeInstanceOf(ServerlessHubError);
    expect((error as ServerlessHubError).code).toBe('PROTOCOL_INVALID_MESSAGE');
    return error as ServerlessHubError;
  }
}

function mutations(bytes: Uint8Array): fc.Arbitrary<Uint8Array> {
  const edit = fc.tuple(
    fc.constantFrom('flip', 'delete', 'insert', 'truncate'),
    fc.nat(Math.max(0, bytes.length - 1)),
    fc.nat(255),
  );
  return fc.array(edit, { minLength: 1, maxLength: 3 }).map((edits) => {
    let result = Uint8Array.from(bytes);
    for (const [kind, at, byte] of edits) {
      const index = Math.min(at, Math.max(0, result.length - 1));
      if (kind === 'flip') result[index] = byte;
      else if (kind === 'delete')
        result = Uint8Array.from([...result.subarray(0, index), ...result.subarray(index + 1)]);
      else if (kind === 'insert')
        result = Uint8Array.from([...result.subarray(0, index), byte, ...result.subarray(index)]);
      else result = result.subarray(0, index);
    }
    return result;
  });
}

const protocolName = fc.oneof(fc.constantFrom('json', 'messagepack', 'JSON', 'MessagePack', 'xml', ''), anyText(20));
const version = fc.oneof(fc.constantFrom(1, 2), fc.integer({ min: -1000, max: 1000 }), fc.maxSafeInteger());

describe('handshake properties', () => {
  it('any request round-trips, as bytes or text, with the bytes after it handed back', () => {
    fc.assert(
      fc.property(protocolName, version, fc.uint8Array({ maxLength: 20 }), (protocol, requestedVersion, after) => {
        const written = writeHandshakeRequest({ protocol, version: requestedVersion });
        const input = new Uint8Array([...written, ...after]);
        const parsed = parseHandshakeRequest(input);
        expect(parsed?.message).toEqual({ protocol, version: requestedVersion });
        expect(Array.from(parsed?.remaining ?? [])).toEqual(Array.from(after));
        const text = new TextDecoder().decode(written);
        expect(parseHandshakeRequest(`${text}tail`)?.remaining).toEqual(encoder.encode('tail'));
        // Cut before the separator: not yet a handshake.
        for (const cut of [0, 1, Math.floor(written.length / 2), written.length - 1])
          expect(parseHandshakeRequest(written.subarray(0, cut))).toBeUndefined();
      }),
      { numRuns: RUNS },
    );
  });

  it('protocol selection gives a codec for json and messagepack versions 1 and 2, else PROTOCOL_UNSUPPORTED', () => {
    fc.assert(
      fc.property(protocolName, version, (protocol, requestedVersion) => {
        const supported = ['json', 'messagepack'].includes(protocol.toLowerCase()) && [1, 2].includes(requestedVersion);
        try {
          expect(selectHubProtocol({ protocol, version: requestedVersion }).name).toBe(protocol.toLowerCase());
          expect(supported).toBe(true);
        } catch (error) {
          expect(supported).toBe(false);
          expect((error as ServerlessHubError).code).toBe('PROTOCOL_UNSUPPORTED');
          // Echoed names are bounded: the error goes back to the client and into logs.
          expect((error as ServerlessHubError).message.length).toBeLessThan(300);
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('any response round-trips', () => {
    fc.assert(
      fc.property(fc.option(anyText(60), { nil: undefined }), fc.uint8Array({ maxLength: 10 }), (error, after) => {
        const parsed = parseHandshakeResponse(new Uint8Array([...writeHandshakeResponse(error), ...after]));
        expect(parsed?.message).toEqual(error === undefined ? {} : { error });
        expect(Array.from(parsed?.remaining ?? [])).toEqual(Array.from(after));
      }),
      { numRuns: RUNS },
    );
  });

  it('random and mutated input gives a handshake, "wait", or PROTOCOL_INVALID_MESSAGE', () => {
    const valid = fc.oneof(
      fc
        .tuple(protocolName, version)
        .map(([protocol, requestedVersion]) => writeHandshakeRequest({ protocol, version: requestedVersion })),
      fc.option(anyText(20), { nil: undefined }).map((error) => writeHandshakeResponse(error)),
      fc.constant(encoder.encode('{"type":1,"target":"x","arguments":[]}\u001e')),
    );
    const input = fc.oneof(
      fc.uint8Array({ maxLength: 100 }),
      valid.chain(mutations),
      anyText(60).map((text) => `${text}\u001e`),
    );
    fc.assert(
      fc.property(input, (bytes) => {
        const request = parsedOrInvalid(() => parseHandshakeRequest(bytes));
        parsedOrInvalid(() => parseHandshakeResponse(bytes));
        if (request !== undefined && !(request instanceof ServerlessHubError)) {
          try {
            selectHubProtocol(request.message);
          } catch (error) {
            expect((error as ServerlessHubError).code).toBe('PROTOCOL_UNSUPPORTED');
          }
        }
      }),
      { numRuns: RUNS },
    );
  });

  it('input of more than 4096 bytes without a separator is refused instead of buffered', () => {
    fc.assert(
      fc.property(fc.integer({ min: 4097, max: 9000 }), fc.integer({ min: 0x20, max: 0x7e }), (size, fill) => {
        const bytes = new Uint8Array(size).fill(fill);
        expect(parsedOrInvalid(() => parseHandshakeRequest(bytes))).toBeInstanceOf(ServerlessHubError);
        expect(parsedOrInvalid(() => parseHandshakeRequest(String.fromCharCode(fill).repeat(size)))).toBeInstanceOf(
          ServerlessHubError,
        );
      }),
      { numRuns: 20 },
    );
  });
});
