import { isDeepStrictEqual } from 'node:util';
import type { HubConnection } from '@microsoft/signalr';
import type { ServiceHubClient } from '@serverless-hub/core/service';
import { figure } from '../harness/bench-result.js';
import type { BenchResult } from '../harness/bench-result.js';
import { percentile } from '../harness/statistics.js';

/** How many round trips and stream items `measureClientResults` times. */
export interface ClientResultSettings {
  readonly warmup: number;
  readonly samples: number;
  readonly samplesPerCaller: number;
  readonly streamItems: number;
}

const ANSWER = { time: '12:00:00', zone: 'UTC' };

/** `count` client invocations in a row through the REST API: each latency in milliseconds. */
async function roundTrips(service: ServiceHubClient, connectionId: string, count: number): Promise<number[]> {
  const latencies: number[] = [];
  const target = service.clients.client(connectionId);
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const result = await target.invoke('localTime');
    latencies.push(performance.now() - started);
    if (!isDeepStrictEqual(result, ANSWER)) throw new Error(`localTime returned ${JSON.stringify(result)}`);
  }
  return latencies;
}

function latencyFigures(
  callers: string,
  latencies: readonly number[],
  details: Readonly<Record<string, number | string>>,
): BenchResult[] {
  return (['p50', 'p99'] as const).map((quantile) =>
    figure({
      name: `e2e-client-result-${callers}-${quantile}`,
      value: percentile(latencies, quantile === 'p50' ? 50 : 99),
      unit: 'ms',
      goal: { kind: 'reported' },
      details,
    }),
  );
}

/** The longest countdown the sample hub streams. */
const MAX_COUNTDOWN = 100;

/**
 * Client results and streams to a client through the service emulator (REST API 2024-12-01): the app's
 * REST client (`ServiceHubClient`) invokes `localTime` on official clients and awaits their answers, one
 * caller, then one per connection at once; and a client's `stream('countdown', n)` is fed by the sample
 * hub's async generator, item by item through the stream API. `connections` are connected; `fresh` streams.
 */
export async function measureClientResults(
  service: ServiceHubClient,
  connections: readonly HubConnection[],
  fresh: HubConnection,
  settings: ClientResultSettings,
): Promise<BenchResult[]> {
  for (const connection of connections) connection.on('localTime', () => ANSWER);
  const ids = connections.map((connection) => connection.connectionId ?? '');
  const [first] = ids;
  if (first === undefined) throw new Error('no connection to invoke');

  await roundTrips(service, first, settings.warmup);
  const singleStarted = performance.now();
  const single = await roundTrips(service, first, settings.samples);
  const singleRate = single.length / ((performance.now() - singleStarted) / 1000);

  await Promise.all(ids.map((id) => roundTrips(service, id, Math.min(settings.warmup, 3))));
  const manyStarted = performance.now();
  const many = (await Promise.all(ids.map((id) => roundTrips(service, id, settings.samplesPerCaller)))).flat();
  const manyRate = many.length / ((performance.now() - manyStarted) / 1000);

  // The sample hub's `countdown(n)` (an async generator, n ≤ 100) feeds the stream through the REST API,
  // one `:send` per item; longer runs are several countdowns one after the other.
  const streamStarted = performance.now();
  for (let remaining = settings.streamItems; remaining > 0; remaining -= MAX_COUNTDOWN) {
    const n = Math.min(MAX_COUNTDOWN, remaining);
    const received: unknown[] = [];
    await new Promise<void>((resolve, reject) => {
      fresh.stream('countdown', n).subscribe({ next: (item) => received.push(item), complete: resolve, error: reject });
    });
    if (
      !isDeepStrictEqual(
        received,
        Array.from({ length: n }, (_, index) => n - index),
      )
    )
      throw new Error('the stream arrived incomplete or out of order');
  }
  const streamSeconds = (performance.now() - streamStarted) / 1000;

  return [
    ...latencyFigures('1', single, { callers: 1, samples: single.length, invocationsPerSecond: singleRate }),
    ...latencyFigures('50', many, { callers: ids.length, samples: many.length, invocationsPerSecond: manyRate }),
    figure({
      name: 'e2e-stream-items-per-second',
      value: settings.streamItems / streamSeconds,
      unit: '/s',
      goal: { kind: 'reported' },
      details: { items: settings.streamItems, seconds: streamSeconds },
    }),
  ];
}
