// Runs the chat sample end to end in this process: the sample registers its functions, a local functions
// host serves them on a free port, and the service emulator (also on a free port) sends its upstream there.
import { createFunctionsHost, createServiceEmulator } from '@serverless-hub/emulator';
import type { FunctionsHost, ServiceEmulator } from '@serverless-hub/emulator';
import { SignJWT } from 'jose';

/** The bearer-token secret the tests give the sample, as `CHAT_AUTH_SECRET`. */
export const TEST_AUTH_SECRET = 'sample-chat-test-secret-0123456789abcdef';

export interface ChatApp {
  /** The running emulator (a new one after {@link ChatApp.restart}). */
  readonly emulator: ServiceEmulator;
  /** The running functions host (a new one after {@link ChatApp.restart}). */
  readonly host: FunctionsHost;
  /** `http://127.0.0.1:<port>/api`: the app's functions. */
  readonly apiUrl: string;
  /** The hub URL clients are built with: `<apiUrl>/chat`. */
  readonly hubUrl: string;
  /** The chat page. */
  readonly pageUrl: string;
  /**
   * Stops the emulator and the functions host, as a crash or a redeployment would (clients lose their
   * connections), then starts new ones on the same ports with the same access key.
   */
  restart(): Promise<void>;
  /** The first half of {@link ChatApp.restart}: the service and the app are down until {@link ChatApp.start}. */
  stop(): Promise<void>;
  /** Starts a new emulator and functions host on the ports of the stopped ones. */
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startChatApp(): Promise<ChatApp> {
  process.env.CHAT_AUTH_SECRET = TEST_AUTH_SECRET;
  // The host first (it provides @azure/functions-core), then the sample's entry file, which registers the
  // hub and the page functions, as the Functions host loads it.
  let host = createFunctionsHost({ port: 0, logLevel: 'warn' });
  await import('../samples/chat/src/index.js');
  await host.start();
  const newEmulator = (port: number): ServiceEmulator =>
    createServiceEmulator({ port, upstream: [{ urlTemplate: `http://127.0.0.1:${host.port}/api/{hub}/{category}/{event}` }], logLevel: 'warn' });
  let emulator = newEmulator(0);
  try {
    await emulator.start();
  } catch (error) {
    await host.close();
    throw error;
  }
  // Read by the sample at its first negotiate, upstream call and REST call.
  process.env.AzureSignalRConnectionString = emulator.connectionString;

  const hostPort = host.port;
  const emulatorPort = emulator.port;
  const apiUrl = `http://127.0.0.1:${host.port}/api`;
  const app: ChatApp = {
    get emulator() {
      return emulator;
    },
    get host() {
      return host;
    },
    apiUrl,
    hubUrl: `${apiUrl}/chat`,
    pageUrl: `${apiUrl}/index`,
    async restart() {
      await app.stop();
      await app.start();
    },
    async stop() {
      await emulator.close();
      await host.close();
    },
    async start() {
      host = createFunctionsHost({ port: hostPort, logLevel: 'warn' });
      await host.start();
      emulator = newEmulator(emulatorPort);
      await emulator.start();
    },
    async close() {
      await emulator.close();
      await host.close();
    },
  };
  return app;
}

/** A bearer token for the sample's negotiate: HS256 with `secret` (default: the one the app has). */
export async function bearerToken(
  claims: Record<string, unknown>,
  options: { secret?: string; algorithm?: 'HS256' | 'HS512'; expiresInSeconds?: number } = {},
): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT(claims)
    .setProtectedHeader({ alg: options.algorithm ?? 'HS256', typ: 'JWT' })
    .setIssuedAt(now - 60)
    .setExpirationTime(now + (options.expiresInSeconds ?? 600))
    .sign(new TextEncoder().encode(options.secret ?? TEST_AUTH_SECRET));
}
