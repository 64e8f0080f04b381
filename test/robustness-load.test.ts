// Quick forms of the load runs (the full ones are emulator-load.stress.test.ts and
// upstream-sustained.stress.test.ts): messages through upstream and REST with none lost and each
// connection's order kept; connect/disconnect cycles that leave connections, handles and memory at their
// baseline; a stalled client that holds up nobody; sustained calls of the registered upstream handler.
import { parseConnectionString, ServiceHubClient } from '@serverless-hub/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken } from './emulator-helpers.js';
import { footprint, loadClient, pooled, runCycles, runRelay, runSustained, startLoadStack, waitUntil } from './robustness-load-harness.js';
import type { LoadStack } from './robustness-load-harness.js';
import { RawWebSocket } from './robustness-raw-client.js';

describe('the whole system under load (quick)', () => {
  let stack: LoadStack;

  beforeAll(async () => {
    stack = await startLoadStack({ maxBufferedBytesPerConnection: 256 * 1024 });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('150 connect/disconnect cycles leave no connection, and handles and memory at their baseline', async () => {
    await runCycles(stack, 30, 5);
    const baseline = await footprint(1000);
    await runCycles(stack, 150, 5);
    const after = await footprint(1000);
    expect(stack.emulator.connectionCounts()).toEqual({});
    expect(after.resources, JSON.stringify({ baseline: baseline.resourceKinds, after: after.resourceKinds })).toBeLessThanOrEqual(baseline.resources + 4);
    expect(after.heapUsedMb - baseline.heapUsedMb).toBeLessThan(8);
    expect(stack.problems).toEqual([]);
  }, 60_000);

  it('20 clients × 20 messages through upstream and REST: none lost, each connection in order', async () => {
    const result = await runRelay(stack, 20, 20);
    expect(result.lost).toBe(0);
    expect(result.outOfOrder).toBe(0);
    expect(stack.problems).toEqual([]);
  }, 60_000);

  it('a client that stops reading is closed by the overflow policy and holds up no one', async () => {
    const readers = Array.from({ length: 3 }, () => loadClient(stack));
    const got = readers.map(() => [] as number[]);
    readers.forEach((reader, index) => { reader.on('bulk', (sequence: number) => got[index]?.push(sequence)); });
    await pooled(readers.length, 3, async (index) => {
      await readers[index]?.start();
    });
    // A raw client that completes the handshake, then stops reading its socket.
    const token = await clientToken('load');
    const negotiated = (await (await fetch(`${stack.emulator.url}/client/negotiate?hub=load&negotiateVersion=1`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).json()) as { connectionToken: string; connectionId: string };
    const stalled = await RawWebSocket.connect(`${stack.emulator.url}/client/?hub=load&id=${negotiated.connectionToken}`, { Authorization: `Bearer ${token}` });
    stalled.send('{"protocol":"json","version":1}\u001e');
    await stalled.until((raw) => raw.text().startsWith('{}\u001e'));
    stalled.stall();

    const rest = new ServiceHubClient(parseConnectionString(stack.emulator.connectionString), 'load');
    // Enough to fill the kernel's socket buffers of the stalled connection (several MB on loopback) and then
    // the emulator's own limit for it.
    const chunk = 'x'.repeat(64 * 1024);
    const count = 240;
    for (let sequence = 0; sequence < count; sequence++) await rest.clients.all.send('bulk', sequence, chunk);
    // Every reader gets everything, in order, while the stalled client still has not read a byte.
    await waitUntil(() => got.every((list) => list.length === count), 'every reader got every message', 30_000);
    for (const list of got) expect(list).toEqual(Array.from({ length: count }, (_, index) => index));
    expect(await rest.clientManager.connectionExists(negotiated.connectionId)).toBe(false);
    // Reading again, it finds the documented Close error at the end of what was queued for it.
    stalled.socket.resume();
    expect(await stalled.until((raw) => raw.text().includes('did not read its messages fast enough'), 10_000)).toBe(true);
    stalled.close();
    await Promise.all(readers.map((reader) => reader.stop()));
  }, 60_000);
});

describe('the registered upstream handler under sustained load (quick)', () => {
  it('answers every call for 2 seconds without an error', async () => {
    const result = await runSustained(2000, 16, 300);
    expect(result.errors).toEqual([]);
    expect(result.requests).toBeGreaterThan(100);
  }, 60_000);
});
