// A minimal WebSocket client over node:http (RFC 6455), for the robustness tests: it sends whatever bytes
// it is given (malformed or hostile hub messages that the official client would never write), and it can
// stop reading, as a stalled client does, while the socket stays open.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { Socket } from 'node:net';

export interface RawFrame {
  readonly opcode: number;
  readonly payload: Buffer;
}

export class RawWebSocket {
  readonly frames: RawFrame[] = [];
  /** The server sent a Close frame, or the TCP connection ended. */
  closed = false;
  #buffer = Buffer.alloc(0);
  readonly #waiters: (() => void)[] = [];

  private constructor(readonly socket: Socket) {
    socket.on('data', (chunk: Buffer) => {
      this.#buffer = Buffer.concat([this.#buffer, chunk]);
      this.#parse();
    });
    socket.on('close', () => {
      this.closed = true;
      this.#wake();
    });
    socket.on('error', () => undefined);
  }

  /** Opens a WebSocket to `url` (http://…); rejects with the status when the server refuses the upgrade. */
  static connect(url: string, headers: Record<string, string> = {}): Promise<RawWebSocket> {
    return new Promise((resolve, reject) => {
      const request = httpRequest(url, {
        headers: {
          Connection: 'Upgrade',
          Upgrade: 'websocket',
          'Sec-WebSocket-Version': '13',
          'Sec-WebSocket-Key': randomBytes(16).toString('base64'),
          ...headers,
        },
      });
      request.on('upgrade', (_response, socket, head) => {
        const client = new RawWebSocket(socket);
        if (head.length > 0) socket.unshift(head);
        resolve(client);
      });
      request.on('response', (response) => {
        response.resume();
        reject(new Error(`upgrade refused with ${String(response.statusCode)}`));
      });
      request.on('error', reject);
      request.end();
    });
  }

  /** Sends one frame: text (opcode 1) or binary (opcode 2), masked as clients must. */
  send(data: Uint8Array | string, opcode = typeof data === 'string' ? 1 : 2): void {
    const payload = typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data);
    const mask = randomBytes(4);
    let header: Buffer;
    if (payload.length < 126) header = Buffer.from([0x80 | opcode, 0x80 | payload.length]);
    else if (payload.length < 65536) {
      header = Buffer.alloc(4);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 126;
      header.writeUInt16BE(payload.length, 2);
    } else {
      header = Buffer.alloc(10);
      header[0] = 0x80 | opcode;
      header[1] = 0x80 | 127;
      header.writeBigUInt64BE(BigInt(payload.length), 2);
    }
    const masked = Buffer.alloc(payload.length);
    for (let index = 0; index < payload.length; index++) masked[index] = (payload[index] ?? 0) ^ (mask[index % 4] ?? 0);
    this.socket.write(Buffer.concat([header, mask, masked]));
  }

  /** Stops reading: the kernel buffers fill up and the server's writes back up, as with a stalled client. */
  stall(): void {
    this.socket.pause();
  }

  /** Text of every data frame received so far, concatenated. */
  text(): string {
    return this.frames
      .filter((frame) => frame.opcode === 1 || frame.opcode === 2)
      .map((frame) => frame.payload.toString('utf8'))
      .join('');
  }

  /** Resolves when `check` holds for the frames received, or the socket closed. */
  async until(check: (client: RawWebSocket) => boolean, timeoutMs = 5000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (!check(this)) {
      if (this.closed || Date.now() > deadline) return check(this);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
    return true;
  }

  close(): void {
    this.socket.destroy();
  }

  #wake(): void {
    for (const wake of this.#waiters.splice(0)) wake();
  }

  #parse(): void {
    for (;;) {
      const buffer = this.#buffer;
      if (buffer.length < 2) return;
      const opcode = (buffer[0] ?? 0) & 0x0f;
      let length = (buffer[1] ?? 0) & 0x7f;
      let offset = 2;
      if (length === 126) {
        if (buffer.length < 4) return;
        length = buffer.readUInt16BE(2);
        offset = 4;
      } else if (length === 127) {
        if (buffer.length < 10) return;
        length = Number(buffer.readBigUInt64BE(2));
        offset = 10;
      }
      if (buffer.length < offset + length) return;
      const payload = buffer.subarray(offset, offset + length);
      this.frames.push({ opcode, payload });
      this.#buffer = buffer.subarray(offset + length);
      if (opcode === 0x8 && !this.closed) {
        // The server closes: answer its Close frame, as a client must, and let the TCP connection go.
        this.send(payload.subarray(0, 2), 0x8);
        this.socket.end();
        this.closed = true;
      }
      this.#wake();
    }
  }
}
