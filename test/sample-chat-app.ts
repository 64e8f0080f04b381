// Runs the chat sample end to end in this process: the sample registers its functions, a local functions
// host serves them on a free port, and the service emulator (also on a free port) sends its upstream there.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { createFunctionsHost, createServiceEmulator } from '@serverless-hub/emulator';
import type { FunctionsHost, ServiceEmulator } from '@serverless-hub/emulator';
import { SignJWT } from 'jose';
import { freePort, watchProcess } from './process-helpers.js';

/** The bearer-token secret the tests give the sample, as `CHAT_AUTH_SECRET`. */
export const TEST_AUTH_SECRET = 'sample-chat-test-secret-0123456789abcdef';

export interface ChatApp {
  readonly emulator: ServiceEmulator;
  readonly host: FunctionsHost;
  /** `http://127.0.0.1:<port>/api`: the app's functions. */
  readonly apiUrl: string;
  /** The hub URL clients are built with: `<apiUrl>/chat`. */
  readonly hubUrl: string;
  /** The chat page. */
  readonly pageUrl: string;
  close(): Promise<void>;
}

export async function startChatApp(): Promise<ChatApp> {
  process.env.CHAT_AUTH_SECRET = TEST_AUTH_SECRET;
  // The host first (it provides @azure/functions-core), then the sample's entry file, which registers the
  // hub and the page functions, as the Functions host loads it.
  const host = createFunctionsHost({ port: 0, logLevel: 'warn' });
  await import('../samples/chat/src/index.js');
  await host.start();
  const emulator = createServiceEmulator({
    port: 0,
    upstream: [{ urlTemplate: `http://127.0.0.1:${host.port}/api/{hub}/{category}/{event}` }],
    logLevel: 'warn',
  });
  try {
    await emulator.start();
  } catch (error) {
    await host.close();
    throw error;
  }
  // Read by the sample at its first negotiate, upstream call and REST call.
  process.env.AzureSignalRConnectionString = emulator.connectionString;

  const apiUrl = `http://127.0.0.1:${host.port}/api`;
  return {
    emulator,
    host,
    apiUrl,
    hubUrl: `${apiUrl}/chat`,
    pageUrl: `${apiUrl}/index`,
    async close() {
      await emulator.close();
      await host.close();
    },
  };
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

/** A running app whose functions host is a separate process, so that it can truly be restarted. */
export interface RestartableChatApp {
  readonly emulator: ServiceEmulator;
  readonly hubUrl: string;
  readonly pageUrl: string;
  /** Stops the functions host's process and the emulator, then starts new ones on the same ports. */
  restart(): Promise<void>;
  /** The first half of {@link RestartableChatApp.restart}: both are down until {@link RestartableChatApp.start}. */
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = 'packages/emulator/bin/serverless-hub-emulator.js';

/**
 * The chat sample (its build, as `pnpm dev` runs it) in a functions host of its own process — the
 * emulator's `functions` command — and the service emulator in this one. A restart ends that process
 * and starts a new one on the same port, as a redeployment or a crash of the Functions host would.
 */
export async function startRestartableChatApp(): Promise<RestartableChatApp> {
  // The separate process runs the sample's build: a build older than its sources would test old code.
  const built = `${ROOT}samples/chat/dist/index.js`;
  const sources = readdirSync(`${ROOT}samples/chat/src`).filter(
    (name) => name.endsWith('.ts') && !name.endsWith('.spec.ts'),
  );
  if (
    !existsSync(built) ||
    sources.some((name) => statSync(`${ROOT}samples/chat/src/${name}`).mtimeMs > statSync(built).mtimeMs)
  ) {
    throw new Error('The chat sample is not built or its build is older than its sources: run `pnpm build` first.');
  }
  const hostPort = await freePort();
  const newEmulator = (port: number): ServiceEmulator =>
    createServiceEmulator({
      port,
      upstream: [{ urlTemplate: `http://127.0.0.1:${hostPort}/api/{hub}/{category}/{event}` }],
      logLevel: 'warn',
    });
  let emulator = newEmulator(0);
  await emulator.start();
  const emulatorPort = emulator.port;
  let child: ChildProcess | undefined;

  const startHost = async (): Promise<void> => {
    const process_ = spawn(
      process.execPath,
      [CLI, 'functions', 'samples/chat', '--functions-port', String(hostPort), '--log-level', 'warn'],
      {
        cwd: ROOT,
        env: {
          ...process.env,
          AzureSignalRConnectionString: emulator.connectionString,
          CHAT_AUTH_SECRET: TEST_AUTH_SECRET,
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    child = process_;
    await watchProcess(process_, 'the functions host').waitForOutput('Press Ctrl+C to stop.');
  };
  const stopHost = async (): Promise<void> => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null || running.signalCode !== null) return;
    const exited = new Promise((resolve) => running.on('exit', resolve));
    running.kill('SIGTERM');
    await exited;
  };

  try {
    await startHost();
  } catch (error) {
    await emulator.close();
    throw error;
  }
  const apiUrl = `http://127.0.0.1:${String(hostPort)}/api`;
  const app: RestartableChatApp = {
    get emulator() {
      return emulator;
    },
    hubUrl: `${apiUrl}/chat`,
    pageUrl: `${apiUrl}/index`,
    async restart() {
      await app.stop();
      await app.start();
    },
    async stop() {
      // The app first: once the service has gone, clients negotiate again at once, and one that got an
      // answer from the old app before it stopped would reach the new service before the new app listens.
      await stopHost();
      await emulator.close();
    },
    async start() {
      emulator = newEmulator(emulatorPort);
      await emulator.start();
      await startHost();
    },
    async close() {
      await emulator.close();
      await stopHost();
    },
  };
  return app;
}
