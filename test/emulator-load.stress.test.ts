// Full form of the emulator load runs (quick form: robustness-load.test.ts). Run with `pnpm test:stress`;
// LOAD_CLIENTS, LOAD_MESSAGES and LOAD_CYCLES override the counts.
import { parseConnectionString, ServiceHubClient } from '@serverless-hub/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientToken } from './emulator-helpers.js';
import { footprint, loadClient, pooled, runCycles, runRelay, startLoadStack, waitUntil } from './robustness-load-harness.js';
import type { LoadStack } from './robustness-load-harness.js';
import { RawWebSocket } from './robustness-raw-client.js';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 1000);
const MESSAGES = Number(process.env.LOAD_MESSAGES ?? 100);
const CYCLES = Number(process.env.LOAD_CYCLES ?? 10_000);

describe('the whole system under load (full)', () => {
  let stack: LoadStack;

  beforeAll(async () => {
    stack = await startLoadStack({ maxBufferedBytesPerConnection: 1024 * 1024 });
  });

  afterAll(async () => {
    await stack.close();
  });

  it(`${CYCLES} connect/disconnect cycles leave no connection, and handles and memory at their baseline`, async () => {
    // Warm up first: the first cycles compile code and fill the bounded caches (the last 4,096 connections'
    // upstream signatures, for one), which then stay as they are.
    await runCycles(stack, 5000, 20);
    const baseline = await footprint(6000);
    const seconds = await runCycles(stack, CYCLES, 20);
    const after = await footprint(6000);
    console.log(
      `cycles: ${CYCLES} in ${seconds.toFixed(1)} s (${Math.round(CYCLES / seconds)}/s); heap ${baseline.heapUsedMb.toFixed(1)} → ${after.heapUsedMb.toFixed(1)} MB; ` +
        `RSS ${baseline.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB; handles ${baseline.resources} → ${after.resources} (${JSON.stringify(after.resourceKinds)})`,
    );
    expect(stack.emulator.connectionCounts()).toEqual({});
    expect(after.resources, JSON.stringify({ baseline: baseline.resourceKinds, after: after.resourceKinds })).toBeLessThanOrEqual(baseline.resources);
    // Back at the baseline, within the noise of a garbage-collected heap (10 %).
    expect(after.heapUsedMb).toBeLessThan(baseline.heapUsedMb * 1.1);
    expect(stack.problems).toEqual([]);
  });

  it(`${CLIENTS} clients × ${MESSAGES} messages through upstream and REST: none lost, each connection in order`, async () => {
    const result = await runRelay(stack, CLIENTS, MESSAGES);
    const total = CLIENTS * MESSAGES;
    console.log(
      `relay: ${CLIENTS} clients × ${MESSAGES} messages = ${total} upstream calls and ${total} REST sends in ${result.seconds.toFixed(1)} s ` +
        `(${Math.round(total / result.seconds)} messages/s round trip); lost ${result.lost}; connections out of order ${result.outOfOrder}`,
    );
    expect(result.lost).toBe(0);
    expect(result.outOfOrder).toBe(0);
    expect(stack.problems).toEqual([]);
  });

  it('a client that stops reading is closed by the overflow policy and holds up none of 20 readers', async () => {
    const readers = Array.from({ length: 20 }, () => loadClient(stack));
    const got = readers.map(() => [] as number[]);
    readers.forEach((reader, index) => { reader.on('bulk', (sequence: number) => got[index]?.push(sequence)); });
    await pooled(readers.length, 10, async (index) => {
      await readers[index]?.start();
    });
    const token = await clientToken('load');
    const negotiated = (await (await fetch(`${stack.emulator.url}/client/negotiate?hub=load&negotiateVersion=1`, { method: 'POST', headers: { Authorization: `Bearer ${token}` } })).json()) as { connectionToken: string; connectionId: string };
    const stalled = await RawWebSocket.connect(`${stack.emulator.url}/client/?hub=load&id=${negotiated.connectionToken}`, { Authorization: `Bearer ${token}` });
    stalled.send('{"protocol":"json","version":1}\u001e');
    await stalled.until((raw) => raw.text().startsWith('{}\u001e'));
    stalled.stall();
    const rest = new ServiceHubClient(parseConnectionString(stack.emulator.connectionString), 'load');
    const chunk = 'x'.repeat(64 * 1024);
    const count = 400;
    const started = performance.now();
    for (let sequence = 0; sequence < count; sequence++) await rest.clients.all.send('bulk', sequence, chunk);
    await waitUntil(() => got.every((list) => list.length === count), 'every reader got every message', 120_000);
    console.log(`stalled client: ${readers.length} readers got ${count} × 64 KB each in ${((performance.now() - started) / 1000).toFixed(1)} s while one client read nothing`);
    for (const list of got) expect(list).toEqual(Array.from({ length: count }, (_, index) => index));
    expect(await rest.clientManager.connectionExists(negotiated.connectionId)).toBe(false);
    stalled.socket.resume();
    expect(await stalled.until((raw) => raw.text().includes('did not read its messages fast enough'), 20_000)).toBe(true);
    stalled.close();
    await Promise.all(readers.map((reader) => reader.stop()));
  });
});
