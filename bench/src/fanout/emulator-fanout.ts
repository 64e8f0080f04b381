import { Agent, request } from 'node:http';
import { figure } from '../harness/bench-result.js';
import { byScale } from '../harness/benchmark.js';
import type { Benchmark } from '../harness/benchmark.js';
import { BenchChild } from '../harness/child.js';
import { signHs256 } from '../harness/hs256.js';
import { median } from '../harness/statistics.js';
import { BENCH_ACCESS_KEY, BENCH_HUB, ECHO_ARGUMENT } from '../upstream/service-request.js';

const SETTINGS = {
  full: { clients: 1000, broadcasts: 100, rounds: 5 },
  quick: { clients: 1000, broadcasts: 40, rounds: 3 },
  tiny: { clients: 20, broadcasts: 5, rounds: 1 },
} as const;
/** REST broadcasts in flight at once, so the server always has the next one waiting. */
const BROADCASTS_IN_FLIGHT = 4;

type Side = 'emulator' | 'bare';

interface Setup {
  readonly server: BenchChild;
  readonly fleet: BenchChild;
  readonly broadcast: () => Promise<void>;
}

const body = Buffer.from(JSON.stringify({ target: 'newMessage', arguments: [ECHO_ARGUMENT] }));

function broadcaster(port: number, agent: Agent): () => Promise<void> {
  const path = `/api/hubs/${BENCH_HUB}/:send`;
  const authorization = `Bearer ${signHs256({ aud: `http://127.0.0.1:${port}${path}` }, BENCH_ACCESS_KEY)}`;
  return () =>
    new Promise((resolve, reject) => {
      const call = request(
        {
          host: '127.0.0.1',
          port,
          method: 'POST',
          path: `${path}?api-version=2022-06-01`,
          agent,
          headers: { authorization, 'content-type': 'application/json', 'content-length': body.length },
        },
        (response) => {
          response.resume();
          response.on('end', () => {
            if (response.statusCode === 202) resolve();
            else reject(new Error(`the broadcast was answered ${String(response.statusCode)}`));
          });
        },
      );
      call.on('error', reject);
      call.end(body);
    });
}

async function setUp(side: Side, clients: number, agent: Agent): Promise<Setup> {
  const { child: server, ready } = await BenchChild.start(new URL('./fanout-server.ts', import.meta.url), [side]);
  const port = Number(ready['port']);
  const { child: fleet } = await BenchChild.start(new URL('./client-fleet.ts', import.meta.url));
  await fleet.request('connect', {
    url: `ws://127.0.0.1:${port}/client/?hub=${BENCH_HUB}`,
    authorization: `Bearer ${signHs256({ aud: `http://127.0.0.1/client/?hub=${BENCH_HUB}` }, BENCH_ACCESS_KEY)}`,
    count: clients,
  });
  const { connections } = await server.request('connections');
  if (connections !== clients) throw new Error(`${side}: ${String(connections)} of ${clients} clients are connected`);
  return { server, fleet, broadcast: broadcaster(port, agent) };
}

interface RoundTime {
  /** Deliveries per second of wall time, from the first broadcast until every client has every message. */
  readonly perSecond: number;
  /** Deliveries per second of the server's CPU time: its capacity on one core, whatever limits the clients. */
  readonly perCpuSecond: number;
}

async function serverCpuUs(setup: Setup): Promise<number> {
  return Number((await setup.server.request('cpu'))['cpuUs']);
}

/** Sends `broadcasts` REST broadcasts and waits until every client has all of them. */
async function timeRound(setup: Setup, broadcasts: number, clients: number): Promise<RoundTime> {
  const before = Number((await setup.fleet.request('delivered'))['delivered']);
  const cpuBefore = await serverCpuUs(setup);
  const started = performance.now();
  let sent = 0;
  const sender = async (): Promise<void> => {
    while (sent < broadcasts) {
      sent++;
      await setup.broadcast();
    }
  };
  const delivered = setup.fleet.request('wait', { target: before + broadcasts * clients, timeoutMs: 120_000 });
  await Promise.all(Array.from({ length: BROADCASTS_IN_FLIGHT }, sender));
  const answer = await delivered;
  const seconds = (performance.now() - started) / 1000;
  const cpuSeconds = ((await serverCpuUs(setup)) - cpuBefore) / 1e6;
  if (answer['unexpectedCloses'] !== 0)
    throw new Error(`${String(answer['unexpectedCloses'])} clients were disconnected during the round`);
  const deliveries = broadcasts * clients;
  return { perSecond: deliveries / seconds, perCpuSecond: deliveries / cpuSeconds };
}

/** `emulator-fanout`: deliveries per second of REST broadcasts to connected WebSocket clients, emulator vs bare `ws` server. */
export const emulatorFanout: Benchmark = {
  figures: ['emulator-fanout'],
  async run(context) {
    const settings = byScale(context, SETTINGS);
    const setups: Partial<Record<Side, Setup>> = {};
    const agent = new Agent({ keepAlive: true, maxSockets: BROADCASTS_IN_FLIGHT });
    try {
      context.progress(`emulator-fanout: connecting ${settings.clients} clients to each server`);
      setups.bare = await setUp('bare', settings.clients, agent);
      setups.emulator = await setUp('emulator', settings.clients, agent);
      const { bare, emulator } = setups;
      await timeRound(bare, Math.ceil(settings.broadcasts / 2), settings.clients);
      await timeRound(emulator, Math.ceil(settings.broadcasts / 2), settings.clients);

      context.progress(`emulator-fanout: ${settings.rounds} rounds of ${settings.broadcasts} broadcasts per side`);
      const emulatorRates: RoundTime[] = [];
      const bareRates: RoundTime[] = [];
      const ratios: number[] = [];
      for (let round = 0; round < settings.rounds; round++) {
        let emulatorRate: RoundTime;
        let bareRate: RoundTime;
        if (round % 2 === 0) {
          bareRate = await timeRound(bare, settings.broadcasts, settings.clients);
          emulatorRate = await timeRound(emulator, settings.broadcasts, settings.clients);
        } else {
          emulatorRate = await timeRound(emulator, settings.broadcasts, settings.clients);
          bareRate = await timeRound(bare, settings.broadcasts, settings.clients);
        }
        emulatorRates.push(emulatorRate);
        bareRates.push(bareRate);
        ratios.push(emulatorRate.perCpuSecond / bareRate.perCpuSecond);
      }
      return [
        figure({
          name: 'emulator-fanout',
          value: median(emulatorRates.map((rate) => rate.perCpuSecond)),
          unit: 'deliveries/s/core',
          baseline: median(bareRates.map((rate) => rate.perCpuSecond)),
          ratio: median(ratios),
          goal: { kind: 'ratio-at-least', limit: 0.9 },
          details: {
            rounds: settings.rounds,
            clients: settings.clients,
            broadcastsPerRound: settings.broadcasts,
            // Wall-clock rates include the clients' process, which shares the machine's cores.
            deliveriesPerSecond: median(emulatorRates.map((rate) => rate.perSecond)),
            baselineDeliveriesPerSecond: median(bareRates.map((rate) => rate.perSecond)),
          },
        }),
      ];
    } finally {
      for (const setup of Object.values(setups)) {
        await setup.fleet.stop();
        await setup.server.stop();
      }
      agent.destroy();
    }
  },
};
