// Hub methods that stream (async generators) end to end: official clients on every transport and protocol
// call `connection.stream(...)`, the emulator forwards the stream invocation upstream (the design of
// Azure/azure-signalr issue #2132, "Support streaming in serverless"), the framework runs the generator and
// feeds the client's stream through the REST API 2024-12-01 (`…/streams/{id}/:send`, `:complete`). The
// official client cancels a stream with a CancelInvocation when its subscriber disposes
// (`HubConnection.stream` in @microsoft/signalr), which closes the stream in the emulator.
import { app as functionsApp } from '@azure/functions';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { Hub, HubError, ServerlessHub, registerHubs } from '@serverless-hub/core';
import type { UpstreamLogger } from '@serverless-hub/core';
import { createFunctionsHost } from '@serverless-hub/emulator';
import type { FunctionsHost, ServiceEmulator } from '@serverless-hub/emulator';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { protocolOf, startEmulator, transportMatrix, transports } from './emulator-helpers.js';
import type { ProtocolKey, TransportKey } from './emulator-helpers.js';

/** connection id → what its `endless` generator reports: each value handed out, and its `finally`. */
const endlessRuns = new Map<string, { readonly yielded: number[]; readonly stopped: Promise<void>; stop(): void }>();

function endlessRun(connectionId: string): {
  readonly yielded: number[];
  readonly stopped: Promise<void>;
  stop(): void;
} {
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  const run = { yielded: [] as number[], stopped, stop };
  endlessRuns.set(connectionId, run);
  return run;
}

@Hub('streams')
class Streams extends ServerlessHub {
  async *feed(n: number): AsyncGenerator<number> {
    for (let value = 1; value <= n; value++) yield await Promise.resolve(value);
  }

  async *broken(): AsyncGenerator<{ n: number }> {
    yield await Promise.resolve({ n: 1 });
    yield { n: 2 };
    throw new HubError('the feed broke');
  }

  async *crashes(): AsyncGenerator<number> {
    yield await Promise.resolve(1);
    throw new Error('secret internals');
  }

  async *endless(): AsyncGenerator<number> {
    const run = endlessRun(this.context.connectionId);
    try {
      for (let value = 0; ; value++) {
        run.yielded.push(value);
        yield await Promise.resolve(value);
      }
    } finally {
      run.stop();
    }
  }

  single(): number {
    return 1;
  }
}

const silent: UpstreamLogger = { log: () => undefined };

let functionsHost: FunctionsHost;
let emulator: ServiceEmulator;

beforeAll(async () => {
  // The host hooks the app's @azure/functions before the hubs register on it, as the Functions worker does.
  functionsHost = createFunctionsHost({ port: 0, logLevel: 'error', logSink: () => undefined });
  registerHubs(functionsApp, [Streams], { logger: silent });
  await functionsHost.start();
  ({ emulator } = await startEmulator({
    upstream: [{ urlTemplate: `http://127.0.0.1:${String(functionsHost.port)}/api/{hub}/{category}/{event}` }],
  }));
  process.env.AzureSignalRConnectionString = emulator.connectionString;
});

afterAll(async () => {
  await emulator.close();
  await functionsHost.close();
});

async function connect(transport: TransportKey, protocol: ProtocolKey): Promise<HubConnection> {
  const connection = new HubConnectionBuilder()
    .withUrl(`${functionsHost.url}/api/streams`, { transport: transports[transport] })
    .withHubProtocol(protocolOf(protocol))
    .configureLogging(LogLevel.None)
    .build();
  await connection.start();
  return connection;
}

function read(
  connection: HubConnection,
  method: string,
  ...args: unknown[]
): Promise<{ items: unknown[]; error: Error | undefined }> {
  const items: unknown[] = [];
  return new Promise((resolve) => {
    connection.stream(method, ...args).subscribe({
      next: (item) => items.push(item),
      complete: () => {
        resolve({ items, error: undefined });
      },
      error: (error: unknown) => {
        resolve({ items, error: error instanceof Error ? error : new Error(String(error)) });
      },
    });
  });
}

describe.each(transportMatrix)('hub streams over %s with %s', (transport, protocol) => {
  let connection: HubConnection;

  beforeAll(async () => {
    connection = await connect(transport, protocol);
  });

  afterAll(async () => {
    await connection.stop();
  });

  it('streams 100 items in order, then completes', async () => {
    const { items, error } = await read(connection, 'feed', 100);
    expect(error).toBeUndefined();
    expect(items).toEqual(Array.from({ length: 100 }, (_, index) => index + 1));
  });

  it("ends the stream with a HubError's message mid-stream, and a generic text for other errors", async () => {
    const broken = await read(connection, 'broken');
    expect(broken.items).toEqual([{ n: 1 }, { n: 2 }]);
    expect(broken.error?.message).toContain('the feed broke');
    const crashed = await read(connection, 'crashes');
    expect(crashed.items).toEqual([1]);
    expect(crashed.error?.message).toContain("An unexpected error occurred invoking 'crashes' on the server.");
    expect(crashed.error?.message).not.toContain('secret');
  });

  it("stops the hub's generator when the client cancels", async () => {
    const received: unknown[] = [];
    const cancelled = new Promise<void>((resolve) => {
      const subscription = connection.stream('endless').subscribe({
        next: (item) => {
          received.push(item);
          if (received.length === 3) {
            subscription.dispose();
            resolve();
          }
        },
        complete: () => undefined,
        error: () => undefined,
      });
    });
    await cancelled;
    const run = endlessRuns.get(connection.connectionId ?? '');
    expect(run).toBeDefined();
    // The generator's finally block runs: the item after the cancellation was refused (the stream is gone).
    await run?.stopped;
    expect(received).toEqual([0, 1, 2]);
    expect(run?.yielded.slice(0, 3)).toEqual([0, 1, 2]);
  });

  it('tells a caller that streams a method that does not stream, or invokes one that does, which call to use', async () => {
    expect((await read(connection, 'single')).error?.message).toContain(
      "'single' does not stream: call it with invoke or send, not stream.",
    );
    await expect(connection.invoke('feed', 3)).rejects.toThrow(
      "'feed' streams its result: call it with stream, not invoke or send.",
    );
  });
});
