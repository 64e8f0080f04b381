// A failure while the emulator handles one client's message ends that connection only: before the
// guard in ClientConnection.receive, an exception there escaped into the WebSocket event handler and
// stopped the whole process, with every other client.
import { MessageType } from '@serverless-hub/core/protocol';
import type { HubMessage } from '@serverless-hub/core/protocol';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { ClientConnection } from '../packages/emulator/src/client/client-connection.js';
import { buildClient, closed, echoReply, startEmulatorWithApp } from './emulator-helpers.js';

const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  vi.restoreAllMocks();
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
});

describe('a failure while handling one client message', () => {
  it('closes that connection with an error and leaves the others working', async () => {
    const setup = await startEmulatorWithApp({ logLevel: 'silent' });
    cleanups.push(() => setup.close());
    const { app } = setup;
    app.reply = echoReply;

    type Handle = (this: ClientConnection, message: HubMessage) => void;
    const prototype = ClientConnection.prototype as unknown as { handle: Handle };
    const original = prototype.handle;
    vi.spyOn(prototype, 'handle').mockImplementation(function (this: ClientConnection, message: HubMessage) {
      if (message.type === MessageType.Invocation && message.target === 'explode') throw new Error('handler failure');
      original.call(this, message);
    });

    const victim = buildClient(app, 'WebSockets', 'json');
    const bystander = buildClient(app, 'WebSockets', 'messagepack');
    await victim.start();
    await bystander.start();
    cleanups.push(
      () => victim.stop(),
      () => bystander.stop(),
    );

    const victimClosed = closed(victim);
    await victim.send('explode');
    const error = await victimClosed;
    expect(error?.message).toContain('could not handle a message');
    expect(await bystander.invoke('echo', 'still here')).toBe('still here');
  });
});
