// Child process: many raw `ws` SignalR clients (JSON protocol), cheap enough that a thousand fit in one
// process. Each does the handshake, then counts the invocation records it receives.
import { WebSocket } from 'ws';
import type { RawData } from 'ws';
import { serveParent } from '../harness/child.js';
import type { ChildMessage } from '../harness/child.js';

const RECORD_SEPARATOR = 0x1e;
const HANDSHAKE_REQUEST = '{"protocol":"json","version":1}\u001e';
const PING = Buffer.from('{"type":6}');
const CLOSE = Buffer.from('"type":7');
const CONNECT_PARALLELISM = 50;

const sockets: WebSocket[] = [];
let delivered = 0;
let unexpectedCloses = 0;
let lastCloseReason = '';
let closing = false;
let waiter: { target: number; resolve: () => void } | undefined;

function countOf(data: Buffer, needle: Buffer | number): number {
  let count = 0;
  for (let at = data.indexOf(needle); at !== -1; at = data.indexOf(needle, at + 1)) count++;
  return count;
}

function asBuffer(data: RawData): Buffer {
  if (Buffer.isBuffer(data)) return data;
  if (Array.isArray(data)) return Buffer.concat(data);
  return Buffer.from(data);
}

function onRecords(data: Buffer): void {
  if (data.includes(CLOSE)) {
    lastCloseReason = data.toString('utf8').slice(0, 300);
    return;
  }
  delivered += countOf(data, RECORD_SEPARATOR) - countOf(data, PING);
  if (waiter !== undefined && delivered >= waiter.target) {
    const { resolve } = waiter;
    waiter = undefined;
    resolve();
  }
}

function connectOne(url: string, authorization: string): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers: { authorization }, perMessageDeflate: false });
    let handshaken = false;
    socket.on('open', () => {
      socket.send(HANDSHAKE_REQUEST);
    });
    socket.on('message', (raw) => {
      const data = asBuffer(raw);
      if (handshaken) {
        onRecords(data);
        return;
      }
      const end = data.indexOf(RECORD_SEPARATOR);
      const response = data.subarray(0, end).toString('utf8');
      if (response !== '{}') {
        reject(new Error(`handshake refused: ${response}`));
        socket.terminate();
        return;
      }
      handshaken = true;
      sockets.push(socket);
      resolve();
      if (end + 1 < data.length) onRecords(data.subarray(end + 1));
    });
    socket.on('unexpected-response', (_request, response) => {
      reject(new Error(`the server answered ${String(response.statusCode)} to the WebSocket upgrade`));
    });
    socket.on('error', (error) => {
      if (!handshaken) reject(error);
    });
    socket.on('close', (code, reason) => {
      if (!closing) {
        unexpectedCloses++;
        lastCloseReason ||= `${code} ${reason.toString('utf8')}`;
      }
    });
  });
}

async function connect(message: ChildMessage): Promise<Record<string, unknown>> {
  const url = String(message['url']);
  const authorization = String(message['authorization']);
  const count = Number(message['count']);
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < count) {
      next++;
      await connectOne(url, authorization);
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONNECT_PARALLELISM, count) }, worker));
  return { connected: sockets.length };
}

async function waitFor(message: ChildMessage): Promise<Record<string, unknown>> {
  const target = Number(message['target']);
  const timeoutMs = Number(message['timeoutMs']);
  if (delivered < target) {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => {
        waiter = undefined;
        reject(
          new Error(
            `only ${delivered} of ${target} deliveries arrived within ${timeoutMs} ms (${unexpectedCloses} clients closed${lastCloseReason === '' ? '' : `, last: ${lastCloseReason}`})`,
          ),
        );
      }, timeoutMs);
      waiter = {
        target,
        resolve: () => {
          clearTimeout(timer);
          resolve();
        },
      };
    });
  }
  return { delivered, unexpectedCloses };
}

serveParent(
  {},
  (message) => {
    switch (message.type) {
      case 'connect':
        return connect(message);
      case 'delivered':
        return { delivered, unexpectedCloses };
      case 'wait':
        return waitFor(message);
      default:
        throw new Error(`unknown request ${message.type}`);
    }
  },
  async () => {
    closing = true;
    for (const socket of sockets) socket.terminate();
  },
);
