// Client connections to the emulator driven by hand, for tests that must stop where the official client
// would not (never poll again, send a broken handshake or message): negotiate, then each request or
// frame one at a time.
import { expect } from 'vitest';
import type { ServiceEmulator } from '@serverless-hub/emulator';
import { clientToken } from './emulator-helpers.js';
import { RawWebSocket } from './robustness-raw-client.js';

/** The JSON protocol's handshake request, as the official client sends it. */
export const JSON_HANDSHAKE = '{"protocol":"json","version":1}\u001e';

/** A negotiated connection used over the HTTP transports: long polling, or Server-Sent Events plus POSTs. */
export class RawHttpConnection {
  private constructor(
    readonly connectionId: string,
    /** The client's access token. */
    readonly token: string,
    /** The connection's URL, `/client/?hub=…&id=<connection token>`. */
    readonly url: string,
    readonly headers: { readonly Authorization: string },
  ) {}

  /** Negotiates (version 1) with a valid anonymous token. */
  static async negotiate(emulator: ServiceEmulator, hub = 'chat'): Promise<RawHttpConnection> {
    const token = await clientToken(hub);
    const headers = { Authorization: `Bearer ${token}` };
    const response = await fetch(`${emulator.url}/client/negotiate?hub=${hub}&negotiateVersion=1`, {
      method: 'POST',
      headers,
    });
    const negotiated = (await response.json()) as { connectionId: string; connectionToken: string };
    return new RawHttpConnection(
      negotiated.connectionId,
      token,
      `${emulator.url}/client/?hub=${hub}&id=${negotiated.connectionToken}`,
      headers,
    );
  }

  /** A GET: the first one starts a long-polling connection, the next ones poll. */
  poll(): Promise<Response> {
    return fetch(this.url, { headers: this.headers });
  }

  /** A POST of the client's data (its handshake first). */
  send(body: string): Promise<Response> {
    return fetch(this.url, { method: 'POST', headers: this.headers, body });
  }

  /** A DELETE: the long-polling client ends the connection. */
  delete(): Promise<Response> {
    return fetch(this.url, { method: 'DELETE', headers: this.headers });
  }
}

/** A long-polling connection started and through its JSON handshake, which then polls only when told. */
export async function startLongPolling(emulator: ServiceEmulator): Promise<RawHttpConnection> {
  const connection = await RawHttpConnection.negotiate(emulator);
  expect((await connection.poll()).status).toBe(200);
  expect((await connection.send(JSON_HANDSHAKE)).status).toBe(200);
  return connection;
}

/** A WebSocket connected without negotiate (the client's skipNegotiation), its handshake not yet sent. */
export async function rawWebSocket(emulator: ServiceEmulator): Promise<RawWebSocket> {
  const token = await clientToken('chat');
  return RawWebSocket.connect(`${emulator.url}/client/?hub=chat&access_token=${token}`);
}
