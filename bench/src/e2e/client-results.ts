import { isDeepStrictEqual } from 'node:util';
import type { HubConnection } from '@microsoft/signalr';
import type { ServiceHubClient } from '@serverless-hub/core';
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

function latencyFigures(callers: string, latencies: readonly number[], details: Readonly<Record<string, number | string>>): BenchResult[] {
  return (['p50', 'p99'] as const).map((quantile) =>
    figure({ name: `e2e-client-result-${callers}-${quantile}`, value: percentile(latencies, quantile === 'p50' ? 50 : 99), unit: 'ms', goal: { kind: 'reported' }, details }),
  );
}

/**
 * Client results and streams to a client through the service emulator (REST API 2024-12-01): the app's
 * REST client (`ServiceHubClient`) invokes `localTime` on official clients and awaits their answers, one
 * caller, then one per connection at once; and feeds a client's `stream()` item by item with `sendStream`.
 * `connections` are connected; `fresh` has not invoked anything yet (its first stream is id "0").
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

  const received: unknown[] = [];
  const completed = new Promise<void>((resolve, reject) => {
    fresh.stream('countdown', settings.streamItems).subscribe({ next: (item) => received.push(item), complete: resolve, error: reject });
  });
  const items = Array.from({ length: settings.streamItems }, (_, index) => settings.streamItems - index);
  const streamStarted = performance.now();
  if (!(await service.clients.client(fresh.connectionId ?? '').sendStream('0', items))) throw new Error('the streaming connection is gone');
  await completed;
  const streamSeconds = (performance.now() - streamStarted) / 1000;
  if (!isDeepStrictEqual(received, items)) throw new Error('the stream arrived incomplete or out of order');

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
