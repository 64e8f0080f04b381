import { describe, expect, it } from 'vitest';
import { hubProtocolByContentType, hubProtocolByName } from './hub-protocol.js';
import { jsonHubProtocol } from './json-hub-protocol.js';
import { messagePackHubProtocol } from './message-pack-hub-protocol.js';

describe('hubProtocolByName', () => {
  it('finds both protocols, ignoring case', () => {
    expect(hubProtocolByName('json')).toBe(jsonHubProtocol);
    expect(hubProtocolByName('JSON')).toBe(jsonHubProtocol);
    expect(hubProtocolByName('messagepack')).toBe(messagePackHubProtocol);
  });

  it('refuses other names', () => {
    expect(() => hubProtocolByName('msgpack')).toThrow(
      expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED', message: "The protocol 'msgpack' is not supported." }),
    );
  });
});

describe('hubProtocolByContentType', () => {
  it('finds both protocols, ignoring case and parameters', () => {
    expect(hubProtocolByContentType('application/json')).toBe(jsonHubProtocol);
    expect(hubProtocolByContentType(' Application/JSON; charset=utf-8')).toBe(jsonHubProtocol);
    expect(hubProtocolByContentType('application/x-msgpack')).toBe(messagePackHubProtocol);
  });

  it('refuses other media types, naming them', () => {
    expect(() => hubProtocolByContentType('text/plain')).toThrow(
      expect.objectContaining({
        code: 'PROTOCOL_UNSUPPORTED',
        message: expect.stringContaining("'text/plain' is not a hub protocol"),
      }),
    );
    expect(() => hubProtocolByContentType('')).toThrow(expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED' }));
  });
});

describe('readers and unknown message types', () => {
  const jsonUnknown = new TextEncoder().encode('{"type":99}\u001e{"type":6}\u001e');
  // [99] then [6], each with its one-byte length prefix, as MessagePack hub messages.
  const messagePackUnknown = Uint8Array.from([0x02, 0x91, 0x63, 0x02, 0x91, 0x06]);

  it('skip them by default, as clients do', () => {
    expect(jsonHubProtocol.createReader().push(jsonUnknown)).toEqual([{ type: 6 }]);
    expect(jsonHubProtocol.createReader().push('{"type":99}\u001e{"type":6}\u001e')).toEqual([{ type: 6 }]);
    expect(messagePackHubProtocol.createReader().push(messagePackUnknown)).toEqual([{ type: 6 }]);
  });

  it("refuse them with unknownMessageTypes: 'reject', as an ASP.NET Core server does", () => {
    const refusal = expect.objectContaining({
      code: 'PROTOCOL_INVALID_MESSAGE',
      message: expect.stringContaining('unknown type') as unknown,
    });
    expect(() => jsonHubProtocol.createReader({ unknownMessageTypes: 'reject' }).push(jsonUnknown)).toThrow(refusal);
    expect(() => jsonHubProtocol.createReader({ unknownMessageTypes: 'reject' }).push('{"type":99}\u001e')).toThrow(
      refusal,
    );
    expect(() =>
      messagePackHubProtocol.createReader({ unknownMessageTypes: 'reject' }).push(messagePackUnknown),
    ).toThrow(refusal);
  });
});
