// The hub tested without any server: createHubTestBed registers it and calls its functions as the
// service would, with recording stand-ins for the service's REST API.
import assert from 'node:assert/strict';
import { after, test } from 'node:test';
import { createHubTestBed } from '@serverless-hub/core/testing';
import { Chat } from './chat.js';

const bed = createHubTestBed([Chat]);
after(() => {
  bed.dispose();
});

test('echo answers with what it got', async () => {
  const answer = await bed.invoke('echo', [{ n: 42 }]);
  assert.deepEqual(answer.completion?.result, { n: 42 });
});

test('broadcast sends newMessage to every client', async () => {
  await bed.invoke('broadcast', ['hi'], { connectionId: 'c1' });
  assert.deepEqual(bed.services().messages, [
    { to: { kind: 'all' }, target: 'newMessage', arguments: [{ from: 'c1', text: 'hi' }] },
  ]);
});

test('broadcast refuses an empty message with the reason', async () => {
  const answer = await bed.invoke('broadcast', ['  ']);
  assert.equal(answer.completion?.error, 'Say something.');
});
