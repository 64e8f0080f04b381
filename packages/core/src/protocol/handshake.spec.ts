import { describe, expect, it } from 'vitest';
import {
  MAX_HANDSHAKE_SIZE,
  parseHandshakeRequest,
  parseHandshakeResponse,
  selectHubProtocol,
  writeHandshakeRequest,
  writeHandshakeResponse,
} from './handshake.js';
import { jsonHubProtocol } from './json-hub-protocol.js';
import { messagePackHubProtocol } from './message-pack-hub-protocol.js';

const RS = '\u001e';
const encoder = new TextEncoder();
const decoder = new TextDecoder();

function invalid(pattern: RegExp): unknown {
  return expect.objectContaining({
    name: 'ServerlessHubError',
    code: 'PROTOCOL_INVALID_MESSAGE',
    message: expect.stringMatching(pattern),
  });
}

describe('parseHandshakeRequest', () => {
  it('reads a request given as text or bytes', () => {
    const expected = { message: { protocol: 'messagepack', version: 1 }, remaining: new Uint8Array(0) };
    expect(parseHandshakeRequest(`{"protocol":"messagepack","version":1}${RS}`)).toEqual(expected);
    expect(parseHandshakeRequest(encoder.encode(`{"protocol":"messagepack","version":1}${RS}`))).toEqual(expected);
  });

  it('returns undefined until the record separator arrives', () => {
    const full = encoder.encode(`{"protocol":"json","version":1}${RS}`);
    for (let end = 0; end < full.length; end++) {
      expect(parseHandshakeRequest(full.subarray(0, end))).toBeUndefined();
    }
    expect(parseHandshakeRequest(full)?.message).toEqual({ protocol: 'json', version: 1 });
  });

  it('returns the bytes that followed the handshake in the same chunk', () => {
    const ping = messagePackHubProtocol.writeMessage({ type: 6 });
    const input = new Uint8Array([...encoder.encode(`{"protocol":"messagepack","version":1}${RS}`), ...ping]);
    const parsed = parseHandshakeRequest(input);
    expect(parsed?.remaining).toEqual(ping);
    expect(messagePackHubProtocol.parseMessages(parsed!.remaining)).toEqual([{ type: 6 }]);
    const fromText = parseHandshakeRequest(`{"protocol":"json","version":1}${RS}{"type":6}${RS}`);
    expect(jsonHubProtocol.parseMessages(fromText!.remaining)).toEqual([{ type: 6 }]);
  });

  it('copies the remaining bytes, so the caller may reuse its buffer', () => {
    const input = encoder.encode(`{"protocol":"json","version":1}${RS}{"type":6}${RS}`);
    const parsed = parseHandshakeRequest(input);
    input.fill(0);
    expect(decoder.decode(parsed!.remaining)).toBe(`{"type":6}${RS}`);
    const buffer = Buffer.from(`{"protocol":"json","version":1}${RS}{"type":6}${RS}`);
    const fromBuffer = parseHandshakeRequest(buffer);
    buffer.fill(0);
    expect(decoder.decode(fromBuffer!.remaining)).toBe(`{"type":6}${RS}`);
  });

  it('ignores unknown properties', () => {
    expect(parseHandshakeRequest(`{"protocol":"json","version":2,"extra":true}${RS}`)?.message).toEqual({
      protocol: 'json',
      version: 2,
    });
  });

  it.each([
    ['bad JSON', `{"protocol":${RS}`, /handshake request is not valid JSON/],
    ['an array', `[]${RS}`, /must be a JSON object/],
    ['a missing protocol', `{"version":1}${RS}`, /must have a 'protocol'/],
    ['a numeric protocol', `{"protocol":1,"version":1}${RS}`, /'protocol' .* must be a string/],
    ['a missing version', `{"protocol":"json"}${RS}`, /must have a 'version'/],
    ['a string version', `{"protocol":"json","version":"1"}${RS}`, /'version' .* must be an integer/],
    ['a fractional version', `{"protocol":"json","version":1.5}${RS}`, /'version' .* must be an integer/],
  ])('rejects %s', (_name, input, pattern) => {
    expect(() => parseHandshakeRequest(input)).toThrow(invalid(pattern));
  });

  it('rejects bytes that are not UTF-8', () => {
    expect(() => parseHandshakeRequest(new Uint8Array([0x7b, 0xff, 0x7d, 0x1e]))).toThrow(invalid(/not valid UTF-8/));
  });

  it('refuses to wait forever for a separator', () => {
    const junk = 'x'.repeat(MAX_HANDSHAKE_SIZE + 1);
    expect(() => parseHandshakeRequest(junk)).toThrow(invalid(/longer than 4096 bytes/));
    expect(() => parseHandshakeRequest(encoder.encode(junk))).toThrow(invalid(/longer than 4096 bytes/));
    expect(() => parseHandshakeRequest(`${junk}${RS}`)).toThrow(invalid(/longer than 4096 bytes/));
  });
});

describe('selectHubProtocol', () => {
  it('resolves names case-insensitively and accepts versions 1 and 2', () => {
    expect(selectHubProtocol({ protocol: 'json', version: 1 })).toBe(jsonHubProtocol);
    expect(selectHubProtocol({ protocol: 'MessagePack', version: 2 })).toBe(messagePackHubProtocol);
  });

  it("refuses other protocols and versions with ASP.NET Core's messages", () => {
    expect(() => selectHubProtocol({ protocol: 'xml', version: 1 })).toThrow(
      expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED', message: "The protocol 'xml' is not supported." }),
    );
    expect(() => selectHubProtocol({ protocol: 'json', version: 9001 })).toThrow(
      expect.objectContaining({
        code: 'PROTOCOL_UNSUPPORTED',
        message: "The server does not support version 9001 of the 'json' protocol.",
      }),
    );
  });
});

describe('handshake responses', () => {
  it('writes {} or {"error"} followed by the record separator', () => {
    expect(decoder.decode(writeHandshakeResponse())).toBe(`{}${RS}`);
    expect(JSON.parse(decoder.decode(writeHandshakeResponse('No "way"')).slice(0, -1))).toEqual({ error: 'No "way"' });
  });

  it('returns a fresh array each time', () => {
    const first = writeHandshakeResponse();
    first.fill(0);
    expect(decoder.decode(writeHandshakeResponse())).toBe(`{}${RS}`);
  });

  it('reads responses, errors and the messages that follow', () => {
    expect(parseHandshakeResponse(`{}${RS}`)).toEqual({ message: {}, remaining: new Uint8Array(0) });
    expect(parseHandshakeResponse(writeHandshakeResponse('nope'))?.message).toEqual({ error: 'nope' });
    const parsed = parseHandshakeResponse(`{}${RS}{"type":6}${RS}`);
    expect(jsonHubProtocol.parseMessages(parsed!.remaining)).toEqual([{ type: 6 }]);
    expect(parseHandshakeResponse('{}')).toBeUndefined();
  });

  it('rejects a hub message where a handshake response belongs', () => {
    expect(() => parseHandshakeResponse(`{"type":6}${RS}`)).toThrow(invalid(/Expected a handshake response/));
    expect(() => parseHandshakeResponse(`{"error":5}${RS}`)).toThrow(
      invalid(/'error' of the handshake response must be a string/),
    );
  });

  it('writes requests that the server side reads back', () => {
    const bytes = writeHandshakeRequest({ protocol: 'messagepack', version: 1 });
    expect(decoder.decode(bytes)).toBe(`{"protocol":"messagepack","version":1}${RS}`);
    expect(parseHandshakeRequest(bytes)?.message).toEqual({ protocol: 'messagepack', version: 1 });
  });
});
