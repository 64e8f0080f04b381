import type { WebSocket } from 'ws';
import type { OutboundFrame } from '../../protocol/outbound-message.js';
import type { ClientConnection } from '../client-connection.js';
import type { ClientTransport } from '../client-transport.js';

const closeHandshakeTimeoutMs = 5000;

/** WebSockets: one frame per write, text frames for JSON and binary frames for MessagePack. */
export class WebSocketTransport implements ClientTransport {
  readonly name = 'WebSockets';
  readonly supportsBinary = true;

  constructor(
    private readonly socket: WebSocket,
    connection: ClientConnection,
  ) {
    socket.on('message', (data: Buffer) => {
      connection.receive(data);
    });
    socket.on('close', () => {
      connection.transportClosed();
    });
    socket.on('error', (error) => {
      connection.transportClosed(`WebSocket error: ${error.message}`);
    });
  }

  get bufferedBytes(): number {
    return this.socket.bufferedAmount;
  }

  write(frame: OutboundFrame): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.send(frame.bytes, { binary: !frame.text });
  }

  end(): void {
    if (this.socket.readyState !== this.socket.OPEN) return;
    this.socket.close(1000);
    // A client that never answers the close handshake must not keep the socket open.
    setTimeout(() => {
      if (this.socket.readyState !== this.socket.CLOSED) this.socket.terminate();
    }, closeHandshakeTimeoutMs).unref();
  }

  pollingIdleMs(): undefined {
    return undefined;
  }

  stopping(): void {
    // Nothing is held: the Close message and end() close the transport.
  }
}
