// Quick forms of the load runs (the full ones are emulator-load.stress.test.ts and
// upstream-sustained.stress.test.ts): messages through upstream and REST with none lost and each
// connection's order kept; connect/disconnect cycles that leave connections, handles and memory at their
// baseline; a stalled client that holds up nobody; sustained calls of the registered upstream handler.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  footprint,
  settledFootprint,
  runCycles,
  runIdleClients,
  runRelay,
  runStalledClient,
  runSustained,
  startLoadStack,
} from './robustness-load-harness.js';
import type { LoadStack } from './robustness-load-harness.js';

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
    const after = await settledFootprint(3, 1000);
    expect(stack.emulator.connectionCounts()).toEqual({});
    expect(
      after.resources,
      JSON.stringify({ baseline: baseline.resourceKinds, after: after.resourceKinds }),
    ).toBeLessThanOrEqual(baseline.resources + 4);
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
    const result = await runStalledClient(stack, {
      readers: 3,
      messages: 240,
      deliveryTimeoutMs: 30_000,
      closeTimeoutMs: 10_000,
    });
    for (const list of result.received)
      expect(list).toEqual(Array.from({ length: result.messages }, (_, index) => index));
    expect(result.stalledStillConnected).toBe(false);
    expect(result.closeErrorSeen).toBe(true);
  }, 60_000);
});

describe('the registered upstream handler under sustained load (quick)', () => {
  it('answers every call for 2 seconds without an error', async () => {
    const result = await runSustained(2000, 16, 300);
    expect(result.errors).toEqual([]);
    expect(result.requests).toBeGreaterThan(100);
  }, 60_000);
});

describe('idle clients, long polling among them (quick)', () => {
  // The full form (emulator-load.stress.test.ts) idles 1,000 clients for 60 s with the default timings; here
  // the timings are shortened so that three seconds of idling span three client timeouts and several poll
  // cycles. WebSocket clients ping every 100 ms (as they ping every 15 s against a 30 s timeout by default);
  // long-polling clients never ping, and must stay.
  let stack: LoadStack;

  beforeAll(async () => {
    stack = await startLoadStack({ clientTimeoutMs: 1000, keepAliveIntervalMs: 100, longPollingTimeoutMs: 400 });
  });

  afterAll(async () => {
    await stack.close();
  });

  it('60 clients including 20 long-polling ones idle past the client timeout: none closed, nothing lost, the canary served throughout', async () => {
    const result = await runIdleClients(stack, {
      clients: 60,
      longPolling: 20,
      idleMs: 3000,
      broadcasts: 5,
      stallMs: 20_000,
      clientKeepAliveMs: 100,
    });
    expect(result.closed, result.closeErrors.join(' | ')).toBe(0);
    expect(result.lost).toBe(0);
    expect(result.outOfOrder).toBe(0);
    expect(result.canaryCalls).toBeGreaterThan(0);
    expect(result.canaryFailures).toBe(0);
    expect(stack.problems).toEqual([]);
  }, 60_000);
});
