// Child process: the server side of `emulator-fanout`, either the service emulator (argv[2] = 'emulator')
// or the baseline (argv[2] = 'bare'): a bare `ws` server that does the SignalR JSON handshake and, on the
// same REST route as the service, sends the invocation frame to every client.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createServiceEmulator } from '@serverless-hub/emulator';
import { WebSocketServer } from 'ws';
import type { WebSocket } from 'ws';
import { cpuUs, serveParent } from '../harness/child.js';
import { BENCH_ACCESS_KEY } from '../upstream/service-request.js';

const RECORD_SEPARATOR = '\u001e';
const HANDSHAKE_RESPONSE = `{}${RECORD_SEPARATOR}`;

/** `connections`: how many clients are connected; `cpu`: CPU microseconds this process has used so far. */
function answer(type: string, connections: () => number): Record<string, number> {
  if (type === 'connections') return { connections: connections() };
  if (type === 'cpu') return { cpuUs: cpuUs() };
  throw new Error(`unknown request ${type}`);
}

async function startEmulator(): Promise<void> {
  const emulator = createServiceEmulator({
    port: 0,
    accessKey: BENCH_ACCESS_KEY,
    logLevel: 'error',
    // The clients never send anything upstream, and no template matches their connection events.
    upstream: [{ urlTemplate: 'http://127.0.0.1:9/{hub}/{category}/{event}', categoryPattern: 'messages' }],
    // Idle benchmark clients send no pings; they must not be dropped during a long run.
    clientTimeoutMs: 3_600_000,
  });
  await emulator.start();
  serveParent(
    { port: emulator.port },
    (message) => answer(message.type, () => emulator.connectionCounts()['bench'] ?? 0),
    () => emulator.close(),
  );
}

function startBare(): void {
  const clients = new Set<WebSocket>();
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      if (request.method !== 'POST' || request.url?.startsWith('/api/hubs/bench/:send') !== true) {
        response.writeHead(404).end();
        return;
      }
      const message = JSON.parse(Buffer.concat(chunks).toString('utf8')) as { target: string; arguments: unknown[] };
      const frame =
        JSON.stringify({ type: 1, target: message.target, arguments: message.arguments }) + RECORD_SEPARATOR;
      for (const client of clients) client.send(frame);
      response.writeHead(202, { 'content-length': '0' }).end();
    });
  });
  server.keepAliveTimeout = 120_000;
  const webSockets = new WebSocketServer({ server, perMessageDeflate: false });
  webSockets.on('connection', (socket) => {
    socket.once('message', () => {
      // The first message is the handshake request; the SignalR JSON protocol answers `{}`.
      socket.send(HANDSHAKE_RESPONSE);
      clients.add(socket);
    });
    socket.on('close', () => clients.delete(socket));
  });
  server.listen(0, '127.0.0.1', () => {
    serveParent(
      { port: (server.address() as AddressInfo).port },
      (message) => answer(message.type, () => clients.size),
      () =>
        new Promise<void>((resolve) => {
          for (const client of clients) client.terminate();
          webSockets.close();
          server.close(() => {
            resolve();
          });
          server.closeAllConnections();
        }),
    );
  });
}

if (process.argv[2] === 'emulator') await startEmulator();
else if (process.argv[2] === 'bare') startBare();
else throw new Error(`fanout-server: expected 'emulator' or 'bare', got ${String(process.argv[2])}`);
