// Upstream requests as Azure SignalR Service sends them, built with node:crypto and @msgpack/msgpack
// only, so the benchmark does not measure the framework with its own encoders.
import { createHmac } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';
import { HttpRequest as FunctionsHttpRequest } from '../harness/azure-functions.js';
import { encode } from '@msgpack/msgpack';

export type WireProtocol = 'json' | 'messagepack';

/** The official emulator's key: the bench's connection string uses it too. */
export const BENCH_ACCESS_KEY = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH';
export const BENCH_SECONDARY_KEY = 'zyxwvutsrqponmlkjihgfedcba9876543210ZYXWVUT';
export const BENCH_CONNECTION_STRING = `Endpoint=http://localhost;Port=8888;AccessKey=${BENCH_ACCESS_KEY};Version=1.0;`;
export const BENCH_HUB = 'bench';

/** The echoed argument: a small chat message, the typical upstream payload. */
export const ECHO_ARGUMENT = Object.freeze({
  from: 'user-17',
  text: 'Hello everyone, the build is green again.',
  sentAt: 1_767_225_600_000,
});

const CONTENT_TYPE: Readonly<Record<WireProtocol, string>> = {
  json: 'application/json',
  messagepack: 'application/x-msgpack',
};

function signature(connectionId: string): string {
  // One entry per key, uppercase hex, as the service writes it.
  return [BENCH_ACCESS_KEY, BENCH_SECONDARY_KEY]
    .map((key) => `sha256=${createHmac('sha256', key).update(connectionId).digest('hex').toUpperCase()}`)
    .join(', ');
}

function invocationBody(protocol: WireProtocol, invocationId: string, event: string): Uint8Array {
  if (protocol === 'json') {
    return Buffer.from(JSON.stringify({ type: 1, invocationId, target: event, arguments: [ECHO_ARGUMENT] }));
  }
  // Unframed: upstream bodies carry no length prefix.
  return encode([1, {}, invocationId, event, [ECHO_ARGUMENT]]);
}

interface RequestTemplate {
  readonly headers: Readonly<Record<string, string>>;
  readonly body: Uint8Array;
}

/**
 * Upstream `invoke` requests of `echo` from a pool of connections (the service signs each connection
 * id), with the headers the service sends: identity, claims, client query, signature.
 */
export class ServiceRequestFactory {
  readonly #templates: RequestTemplate[] = [];
  #next = 0;

  constructor(
    readonly protocol: WireProtocol,
    connections = 64,
    /** The hub method invoked; each takes the echo argument. */
    readonly event = 'echo',
  ) {
    for (let i = 0; i < connections; i++) {
      const connectionId = `bKq${String(i).padStart(4, '0')}Zr8sT1uVwXy2A3bC4dE5f`;
      const userId = `user-${i % 16}`;
      this.#templates.push({
        headers: {
          'X-ASRS-Connection-Id': connectionId,
          'X-ASRS-Hub': BENCH_HUB,
          'X-ASRS-Category': 'messages',
          'X-ASRS-Event': event,
          'X-ASRS-User-Id': userId,
          'X-ASRS-User-Claims': `asrs.s.uid: ${userId}, role: member, tenant: contoso`,
          'X-ASRS-Client-Query': `?hub=${BENCH_HUB}`,
          'X-ASRS-Signature': signature(connectionId),
          'Content-Type': CONTENT_TYPE[protocol],
        },
        body: invocationBody(protocol, String(i), event),
      });
    }
  }

  /** A fresh request (a body can be read once), as the Functions worker builds it from the host's RPC message. */
  next(): HttpRequest {
    const template = this.#templates[this.#next]!;
    this.#next = (this.#next + 1) % this.#templates.length;
    return new FunctionsHttpRequest({
      method: 'POST',
      url: `http://localhost:7071/api/${BENCH_HUB}/messages/${this.event.toLowerCase()}`,
      headers: template.headers,
      params: { category: 'messages', event: this.event.toLowerCase() },
      body: { bytes: template.body },
    });
  }

  batch(count: number): HttpRequest[] {
    return Array.from({ length: count }, () => this.next());
  }
}
