import { Agent, request } from 'node:http';
import { parseConnectionString } from '@serverless-hub/core';
import { ServiceHubClient } from '@serverless-hub/core/service';
import { figure } from '../harness/bench-result.js';
import { byScale } from '../harness/benchmark.js';
import type { Benchmark } from '../harness/benchmark.js';
import { BenchChild } from '../harness/child.js';
import { signHs256 } from '../harness/hs256.js';
import { median } from '../harness/statistics.js';
import { BENCH_ACCESS_KEY, BENCH_HUB, ECHO_ARGUMENT } from '../upstream/service-request.js';

const SETTINGS = {
  full: { rounds: 7, sends: 3000, warmupSends: 1000 },
  quick: { rounds: 3, sends: 1200, warmupSends: 400 },
  tiny: { rounds: 1, sends: 64, warmupSends: 32 },
} as const;
const CONCURRENCY = 32;

interface RoundTime {
  readonly sendsPerSecond: number;
  readonly cpuUsPerSend: number;
}

/** Runs `count` sends, `CONCURRENCY` at a time. */
async function timeSends(count: number, send: () => Promise<void>): Promise<RoundTime> {
  let started = 0;
  const worker = async (): Promise<void> => {
    while (started < count) {
      started++;
      await send();
    }
  };
  const cpuStart = process.cpuUsage();
  const wallStart = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const seconds = (performance.now() - wallStart) / 1000;
  const cpu = process.cpuUsage(cpuStart);
  return { sendsPerSecond: count / seconds, cpuUsPerSend: (cpu.user + cpu.system) / count };
}

/** `rest-send`: `clients.all.send` throughput against a local sink answering 202, vs a hand-written `node:http` keep-alive client with a pre-signed token. */
export const restSend: Benchmark = {
  figures: ['rest-send'],
  async run(context) {
    const settings = byScale(context, SETTINGS);
    const { child: sink, ready } = await BenchChild.start(new URL('./send-sink.ts', import.meta.url));
    const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
    try {
      const port = Number(ready['port']);
      const client = new ServiceHubClient(
        parseConnectionString(`Endpoint=http://127.0.0.1;Port=${port};AccessKey=${BENCH_ACCESS_KEY};Version=1.0;`),
        BENCH_HUB,
      );
      const frameworkSend = (): Promise<void> => client.clients.all.send('newMessage', ECHO_ARGUMENT);

      const path = `/api/hubs/${BENCH_HUB}/:send`;
      const url = `http://127.0.0.1:${port}${path}?api-version=2022-06-01`;
      const authorization = `Bearer ${signHs256({ aud: `http://127.0.0.1:${port}${path}` }, BENCH_ACCESS_KEY)}`;
      // The floor: a hand-written node:http keep-alive client with one pre-signed token (undici's fetch
      // costs about four times the CPU per request of either).
      const baselineSend = (): Promise<void> =>
        new Promise((resolve, reject) => {
          const body = JSON.stringify({ target: 'newMessage', arguments: [ECHO_ARGUMENT] });
          const outgoing = request(
            url,
            {
              method: 'POST',
              agent,
              headers: { authorization, 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
            },
            (response) => {
              response.resume();
              response.on('end', () => {
                if (response.statusCode === 202) resolve();
                else reject(new Error(`the sink answered ${String(response.statusCode)} to the baseline's send`));
              });
              response.on('error', reject);
            },
          );
          outgoing.on('error', reject);
          outgoing.end(body);
        });

      const checkSink = async (expected: number, who: string): Promise<void> => {
        const counts = await sink.request('counts');
        if (counts['sends'] !== expected || counts['others'] !== 0) {
          throw new Error(
            `${who}: the sink received ${String(counts['sends'])} sends and ${String(counts['others'])} other requests; expected ${expected} sends`,
          );
        }
      };

      await timeSends(settings.warmupSends, baselineSend);
      await checkSink(settings.warmupSends, 'baseline');
      await timeSends(settings.warmupSends, frameworkSend);
      await checkSink(settings.warmupSends, 'clients.all.send');

      context.progress(
        `rest-send: ${settings.rounds} rounds of ${settings.sends} sends per side, ${CONCURRENCY} concurrent`,
      );
      const framework: RoundTime[] = [];
      const baseline: RoundTime[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < settings.rounds; round++) {
        const order = round % 2 === 0 ? (['baseline', 'framework'] as const) : (['framework', 'baseline'] as const);
        const times: Partial<Record<'baseline' | 'framework', RoundTime>> = {};
        for (const side of order) {
          times[side] = await timeSends(settings.sends, side === 'framework' ? frameworkSend : baselineSend);
          await checkSink(settings.sends, side);
        }
        framework.push(times.framework!);
        baseline.push(times.baseline!);
        ratios.push(times.framework!.sendsPerSecond / times.baseline!.sendsPerSecond);
      }
      return [
        figure({
          name: 'rest-send',
          value: median(framework.map((time) => time.sendsPerSecond)),
          unit: 'sends/s',
          baseline: median(baseline.map((time) => time.sendsPerSecond)),
          ratio: median(ratios),
          goal: { kind: 'ratio-at-least', limit: 0.9 },
          details: {
            rounds: settings.rounds,
            sendsPerRound: settings.sends,
            concurrency: CONCURRENCY,
            cpuUsPerSend: median(framework.map((time) => time.cpuUsPerSend)),
            baselineCpuUsPerSend: median(baseline.map((time) => time.cpuUsPerSend)),
          },
        }),
      ];
    } finally {
      agent.destroy();
      await sink.stop();
    }
  },
};
