import { setTimeout } from 'node:timers/promises';
import { isDeepStrictEqual } from 'node:util';
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { parseConnectionString } from '@serverless-hub/core';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { figure } from '../harness/bench-result.js';
import type { BenchResult } from '../harness/bench-result.js';
import { byScale } from '../harness/benchmark.js';
import type { Benchmark } from '../harness/benchmark.js';
import { BenchChild, cpuUs } from '../harness/child.js';
import { sampleEntry } from '../harness/sample-app.js';
import { percentile } from '../harness/statistics.js';
import { ECHO_ARGUMENT } from '../upstream/service-request.js';
import { measureClientResults } from './client-results.js';

const SETTINGS = {
  full: {
    single: { warmup: 50, samples: 1500 },
    concurrent: { clients: 50, warmup: 5, samplesPerClient: 40 },
    clientResults: { warmup: 50, samples: 1000, samplesPerCaller: 20, streamItems: 2000 },
  },
  quick: {
    single: { warmup: 30, samples: 400 },
    concurrent: { clients: 50, warmup: 3, samplesPerClient: 12 },
    clientResults: { warmup: 20, samples: 300, samplesPerCaller: 8, streamItems: 500 },
  },
  tiny: {
    single: { warmup: 3, samples: 10 },
    concurrent: { clients: 3, warmup: 1, samplesPerClient: 3 },
    clientResults: { warmup: 2, samples: 5, samplesPerCaller: 2, streamItems: 10 },
  },
} as const;
const CONNECT_PARALLELISM = 10;

async function connect(appUrl: string): Promise<HubConnection> {
  // Negotiate at the app's function, redirected to the emulator, then WebSockets with the JSON protocol.
  const connection = new HubConnectionBuilder()
    .withUrl(`${appUrl}/api/chat`, { transport: HttpTransportType.WebSockets })
    .configureLogging(LogLevel.None)
    .build();
  await connection.start();
  return connection;
}

/** Invokes `echo` `count` times in a row on one connection and returns each latency in milliseconds. */
async function echoLatencies(connection: HubConnection, count: number): Promise<number[]> {
  const latencies: number[] = [];
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const result: unknown = await connection.invoke('echo', ECHO_ARGUMENT);
    latencies.push(performance.now() - started);
    if (!isDeepStrictEqual(result, ECHO_ARGUMENT)) throw new Error(`echo returned ${JSON.stringify(result)}`);
  }
  return latencies;
}

async function cpuOf(
  emulator: BenchChild,
  functionsHost: BenchChild,
): Promise<{ emulator: number; functionsHost: number; clients: number }> {
  const [emulatorCpu, hostCpu] = await Promise.all([emulator.request('cpu'), functionsHost.request('cpu')]);
  return { emulator: Number(emulatorCpu['cpuUs']), functionsHost: Number(hostCpu['cpuUs']), clients: cpuUs() };
}

/**
 * Waits until the emulator has no connection left and its disconnected events have reached the app, so
 * that stopping the processes does not cut the app's REST calls short.
 */
async function settleDisconnects(emulator: BenchChild): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (performance.now() < deadline) {
    const counts = (await emulator.request('connections'))['connections'] as Record<string, number>;
    if (Object.values(counts).every((count) => count === 0)) break;
    await setTimeout(50);
  }
  // The disconnected handlers send `connectionClosed` through the emulator's REST API.
  await setTimeout(300);
}

function latencyFigures(
  clients: string,
  latencies: readonly number[],
  details: Readonly<Record<string, number | string>>,
): BenchResult[] {
  return (['p50', 'p99'] as const).map((quantile) =>
    figure({
      name: `e2e-echo-${clients}-${quantile}`,
      value: percentile(latencies, quantile === 'p50' ? 50 : 99),
      unit: 'ms',
      goal: { kind: 'reported' },
      details,
    }),
  );
}

/**
 * `e2e-echo`: latency of an official client's `invoke('echo')` through the service emulator, the upstream
 * call to the local functions host, and the chat sample's hub; one client, then 50 at once.
 */
export const e2eEcho: Benchmark = {
  figures: [
    'e2e-echo-1-p50',
    'e2e-echo-1-p99',
    'e2e-echo-50-p50',
    'e2e-echo-50-p99',
    'e2e-client-result-1-p50',
    'e2e-client-result-1-p99',
    'e2e-client-result-50-p50',
    'e2e-client-result-50-p99',
    'e2e-stream-items-per-second',
  ],
  async run(context) {
    const settings = byScale(context, SETTINGS);
    const children: BenchChild[] = [];
    let emulatorChild: BenchChild | undefined;
    const connections: HubConnection[] = [];
    try {
      // Quiet: outside the Functions host @azure/functions prints a warning per registered function.
      const appHost = await BenchChild.start(new URL('./app-host.ts', import.meta.url), [sampleEntry(context.source)], {
        quiet: true,
      });
      children.push(appHost.child);
      const appUrl = `http://127.0.0.1:${String(appHost.ready['port'])}`;
      const emulator = await BenchChild.start(
        new URL('./emulator-process.ts', import.meta.url),
        [`${appUrl}/api/{hub}/{category}/{event}`],
        { quiet: true },
      );
      children.push(emulator.child);
      emulatorChild = emulator.child;
      await appHost.child.request('configure', { connectionString: emulator.ready['connectionString'] });

      context.progress(`e2e-echo: 1 client, ${settings.single.samples} invocations`);
      const single = await connect(appUrl);
      connections.push(single);
      await echoLatencies(single, settings.single.warmup);
      const singleStarted = performance.now();
      const singleLatencies = await echoLatencies(single, settings.single.samples);
      const singleRate = settings.single.samples / ((performance.now() - singleStarted) / 1000);

      const { clients, warmup, samplesPerClient } = settings.concurrent;
      context.progress(`e2e-echo: ${clients} concurrent clients, ${samplesPerClient} invocations each`);
      const many: HubConnection[] = [single];
      while (many.length < clients) {
        const batch = Math.min(CONNECT_PARALLELISM, clients - many.length);
        const connected = await Promise.all(Array.from({ length: batch }, () => connect(appUrl)));
        many.push(...connected);
        connections.push(...connected);
      }
      await Promise.all(many.map((connection) => echoLatencies(connection, warmup)));
      const cpuBefore = await cpuOf(emulator.child, appHost.child);
      const concurrentStarted = performance.now();
      const perClient = await Promise.all(many.map((connection) => echoLatencies(connection, samplesPerClient)));
      const concurrentRate = (clients * samplesPerClient) / ((performance.now() - concurrentStarted) / 1000);
      const cpuAfter = await cpuOf(emulator.child, appHost.child);
      const invocations = clients * samplesPerClient;
      // Where the CPU goes per invocation: the service emulator, the functions host with the app, the official clients.
      const cpuPerInvocation = {
        emulatorCpuUs: (cpuAfter.emulator - cpuBefore.emulator) / invocations,
        functionsHostCpuUs: (cpuAfter.functionsHost - cpuBefore.functionsHost) / invocations,
        clientsCpuUs: (cpuAfter.clients - cpuBefore.clients) / invocations,
      };

      context.progress(
        `e2e-client-result: ${settings.clientResults.samples} client invocations, then ${many.length} callers; a stream of ${settings.clientResults.streamItems} items`,
      );
      const service = new ServiceHubClient(parseConnectionString(String(emulator.ready['connectionString'])), 'chat', {
        retry: false,
      });
      const fresh = await connect(appUrl);
      connections.push(fresh);
      const clientResults = await measureClientResults(service, many, fresh, settings.clientResults);

      return [
        ...latencyFigures('1', singleLatencies, {
          clients: 1,
          samples: singleLatencies.length,
          invocationsPerSecond: singleRate,
        }),
        ...latencyFigures('50', perClient.flat(), {
          clients,
          samples: invocations,
          invocationsPerSecond: concurrentRate,
          ...cpuPerInvocation,
        }),
        ...clientResults,
      ];
    } catch (error) {
      const output = children.map((child) => child.recentOutput().slice(-2000)).filter((text) => text !== '');
      if (error instanceof Error && output.length > 0)
        error.message += `\nRecent output of the emulator and the functions host:\n${output.join('\n')}`;
      throw error;
    } finally {
      await Promise.all(connections.map((connection) => connection.stop()));
      if (emulatorChild !== undefined) await settleDisconnects(emulatorChild);
      for (const child of children.reverse()) await child.stop();
    }
  },
};
