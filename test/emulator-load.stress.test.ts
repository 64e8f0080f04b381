// Full form of the emulator load runs (quick form: robustness-load.test.ts). Run with `pnpm test:stress`;
// LOAD_CLIENTS, LOAD_MESSAGES and LOAD_CYCLES override the counts.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  footprint,
  settledFootprint,
  runCycles,
  runIdleClients,
  runRelay,
  runStalledClient,
  startLoadStack,
} from './robustness-load-harness.js';
import type { LoadStack } from './robustness-load-harness.js';

const CLIENTS = Number(process.env.LOAD_CLIENTS ?? 1000);
const MESSAGES = Number(process.env.LOAD_MESSAGES ?? 100);
const CYCLES = Number(process.env.LOAD_CYCLES ?? 10_000);
const IDLE_MS = Number(process.env.LOAD_IDLE_MS ?? 60_000);
/** The stated bound of the whole process (emulator, functions host and 1,000 official clients), docs/robustness.md. */
const MEMORY_BOUND_MB = Number(process.env.LOAD_MEMORY_BOUND_MB ?? 1024);

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
    const after = await settledFootprint(3, 6000);
    console.log(
      `cycles: ${CYCLES} in ${seconds.toFixed(1)} s (${Math.round(CYCLES / seconds)}/s); heap ${baseline.heapUsedMb.toFixed(1)} → ${after.heapUsedMb.toFixed(1)} MB; ` +
        `RSS ${baseline.rssMb.toFixed(1)} → ${after.rssMb.toFixed(1)} MB; handles ${baseline.resources} → ${after.resources} (${JSON.stringify(after.resourceKinds)})`,
    );
    expect(stack.emulator.connectionCounts()).toEqual({});
    expect(
      after.resources,
      JSON.stringify({ baseline: baseline.resourceKinds, after: after.resourceKinds }),
    ).toBeLessThanOrEqual(baseline.resources);
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
    const result = await runStalledClient(stack, {
      readers: 20,
      messages: 400,
      deliveryTimeoutMs: 120_000,
      closeTimeoutMs: 20_000,
    });
    console.log(
      `stalled client: ${result.received.length} readers got ${result.messages} × 64 KB each in ${result.seconds.toFixed(1)} s while one client read nothing`,
    );
    for (const list of result.received)
      expect(list).toEqual(Array.from({ length: result.messages }, (_, index) => index));
    expect(result.stalledStillConnected).toBe(false);
    expect(result.closeErrorSeen).toBe(true);
  });

  it(`${CLIENTS} clients, ${CLIENTS / 10} of them long polling, idle for ${IDLE_MS / 1000} s with the default timings: none closed, nothing lost`, async () => {
    const result = await runIdleClients(stack, {
      clients: CLIENTS,
      longPolling: CLIENTS / 10,
      idleMs: IDLE_MS,
      broadcasts: 20,
      stallMs: 60_000,
    });
    console.log(
      `idle: ${result.clients} clients (${result.longPolling} long polling) idle ${result.idleSeconds} s, then ${result.deliveries} deliveries ` +
        `(20 broadcasts and one relay each) in ${result.seconds.toFixed(1)} s in all; closed ${result.closed}; lost ${result.lost}; out of order ${result.outOfOrder}; ` +
        `canary ${result.canaryCalls} calls, ${result.canaryFailures} failed; peak RSS ${result.rssPeakMb.toFixed(0)} MB (bound ${MEMORY_BOUND_MB} MB)`,
    );
    expect(result.closed, result.closeErrors.join(' | ')).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.outOfOrder).toBe(0);
    expect(result.canaryFailures).toBe(0);
    expect(result.rssPeakMb).toBeLessThan(MEMORY_BOUND_MB);
    expect(stack.problems).toEqual([]);
  });
});
