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
    expect(() => hubProtocolByName('msgpack')).toThrow(expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED', message: "The protocol 'msgpack' is not supported." }));
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
      expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED', message: expect.stringContaining("'text/plain' is not a hub protocol") }),
    );
    expect(() => hubProtocolByContentType('')).toThrow(expect.objectContaining({ code: 'PROTOCOL_UNSUPPORTED' }));
  });
});
