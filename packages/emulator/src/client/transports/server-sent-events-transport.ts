import type { ServerResponse } from 'node:http';
import type { OutboundFrame } from '../../protocol/outbound-message.js';
import type { ClientConnection } from '../client-connection.js';
import type { ClientTransport } from '../client-transport.js';

const dataPrefix = Buffer.from('data: ');
const lineEnd = Buffer.from('\r\n');

/** One SSE event per frame: each line of the text as a `data:` line, then an empty line. */
function formatEvent(bytes: Uint8Array): Buffer {
  const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('utf8');
  const parts: Buffer[] = [];
  for (const line of text.split('\n')) {
    parts.push(dataPrefix, Buffer.from(line.endsWith('\r') ? line.slice(0, -1) : line, 'utf8'), lineEnd);
  }
  parts.push(lineEnd);
  return Buffer.concat(parts);
}

/** Server-Sent Events: a text-only stream from the service; the client sends with POSTs. */
export class ServerSentEventsTransport implements ClientTransport {
  readonly name = 'ServerSentEvents';
  readonly supportsBinary = false;

  constructor(
    private readonly response: ServerResponse,
    connection: ClientConnection,
  ) {
    response.statusCode = 200;
    response.setHeader('Content-Type', 'text/event-stream');
    response.setHeader('Cache-Control', 'no-cache');
    response.setHeader('X-Accel-Buffering', 'no');
    // Some EventSource implementations only report the stream open once data arrives.
    response.write(':\r\n');
    response.on('close', () => {
      connection.transportClosed();
    });
  }

  get bufferedBytes(): number {
    return this.response.writableLength;
  }

  write(frame: OutboundFrame): void {
    if (this.response.writableEnded) return;
    this.response.write((frame.sse ??= formatEvent(frame.bytes)));
  }

  end(): void {
    if (!this.response.writableEnded) this.response.end();
  }

  pollingIdleMs(): undefined {
    return undefined;
  }

  stopping(): void {
    // Nothing is held: the Close message and end() close the transport.
  }
}
