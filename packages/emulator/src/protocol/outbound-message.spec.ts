import { describe, expect, it, vi } from 'vitest';
import { jsonHubProtocol, messagePackHubProtocol, MessageType } from '@serverless-hub/core/protocol';
import type { HubMessage, HubProtocol } from '@serverless-hub/core/protocol';
import { OutboundMessage, unframe } from './outbound-message.js';

function counting(protocol: HubProtocol): { protocol: HubProtocol; writes: () => number } {
  const spy = vi.fn((message: HubMessage) => protocol.writeMessage(message));
  return { protocol: { ...protocol, writeMessage: spy }, writes: () => spy.mock.calls.length };
}

describe('OutboundMessage', () => {
  it('encodes a message once per protocol however many connections take it', () => {
    const json = counting(jsonHubProtocol);
    const msgpack = counting(messagePackHubProtocol);
    const message = new OutboundMessage({ type: MessageType.Invocation, target: 'news', arguments: [{ n: 1 }] });
    const frames = [1, 2, 3].map(() => message.frameFor(json.protocol));
    expect(new Set(frames).size).toBe(1);
    expect(json.writes()).toBe(1);
    expect(frames[0]?.text).toBe(true);
    message.frameFor(msgpack.protocol);
    message.frameFor(msgpack.protocol);
    expect(msgpack.writes()).toBe(1);
    expect(message.frameFor(msgpack.protocol).text).toBe(false);
    expect(jsonHubProtocol.parseMessages(frames[0]?.bytes ?? new Uint8Array())).toEqual([
      { type: MessageType.Invocation, target: 'news', arguments: [{ n: 1 }] },
    ]);
  });
});

describe('unframe', () => {
  it('drops the JSON record separator and the MessagePack length prefix', () => {
    const invocation = {
      type: MessageType.Invocation,
      invocationId: '7',
      target: 'say',
      arguments: ['x'.repeat(300)],
    } as const;
    for (const protocol of [jsonHubProtocol, messagePackHubProtocol]) {
      const body = unframe(protocol.writeMessage(invocation), protocol);
      expect(protocol.parseUnframedInvocation(body)).toMatchObject({
        invocationId: '7',
        target: 'say',
        arguments: ['x'.repeat(300)],
      });
    }
    expect(unframe(jsonHubProtocol.writeMessage(invocation), jsonHubProtocol).at(-1)).not.toBe(0x1e);
  });
});
