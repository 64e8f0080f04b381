// A user's own app, outside this repository, as the guides tell them to make it: the packages packed as
// they would be published, an app created with the packed starter in a temporary folder, the tarballs
// installed with npm (their dependencies from the registry), built with tsc, its tests run, and the app
// served by the installed `serverless-hub-emulator` and driven with the official client. Then the same
// app from its TypeScript entry, through its own tsx, with no --import flag.
// Packs the current dist/ of each package: `pnpm build` (or scripts/setup.sh) first.
import { execFile, spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpTransportType, HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { collect, eventually, protocolOf } from './emulator-helpers.js';
import type { ProtocolKey } from './emulator-helpers.js';

const run = promisify(execFile);
const root = fileURLToPath(new URL('..', import.meta.url));
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
let workspace: string | undefined;
let appDir: string;
const running: ChildProcess[] = [];

// A user's npm: what `pnpm test` put in the environment for its own scripts (npm_config_*, npm_package_*)
// is left out, except where packages come from (a registry mirror or cache the machine is set up with).
const userEnvironment = Object.fromEntries(
  Object.entries(process.env).filter(
    ([name]) =>
      !/^npm_/i.test(name) || /^npm_config_(registry|cache|proxy|https_proxy|noproxy|strict_ssl|cafile)$/i.test(name),
  ),
);

async function npmIn(cwd: string, ...args: string[]): Promise<string> {
  const { stdout } = await run(
    npm,
    ['--no-fund', '--no-audit', '--loglevel=error', '--update-notifier=false', ...args],
    { cwd, maxBuffer: 16 * 1024 * 1024, env: userEnvironment },
  );
  return stdout;
}

interface Served {
  readonly url: string;
  stop(): Promise<void>;
}

/** The installed command, as `npm start` runs it, on free ports; resolves once the app is served. */
async function serve(entry: string): Promise<Served> {
  const child = spawn(
    join(appDir, 'node_modules', '.bin', 'serverless-hub-emulator'),
    ['dev', entry, '--port', '0', '--functions-port', '0', '--log-level', 'warn'],
    {
      cwd: appDir,
      env: { ...userEnvironment, AzureSignalRConnectionString: undefined, NODE_OPTIONS: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(child);
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  await eventually(
    () => output.includes('Press Ctrl+C to stop.') || child.exitCode !== null,
    'the app is served',
    60_000,
  );
  const url = /Functions host is running at (http:\/\/localhost:\d+)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`serverless-hub-emulator did not serve the app:\n${output}`);
  return {
    url,
    async stop() {
      child.kill('SIGINT');
      expect(await exited).toBe(0);
    },
  };
}

async function chatRoundTrip(url: string, protocol: ProtocolKey): Promise<void> {
  const connection = new HubConnectionBuilder()
    .withUrl(`${url}/api/chat`, { transport: HttpTransportType.WebSockets })
    .withHubProtocol(protocolOf(protocol))
    .configureLogging(LogLevel.None)
    .build();
  const received = collect(connection, 'newMessage');
  await connection.start();
  try {
    await expect(connection.invoke('echo', { n: 1, list: ['a'] })).resolves.toEqual({ n: 1, list: ['a'] });
    await connection.invoke('broadcast', `hello over ${protocol}`);
    await eventually(() => received.length === 1, 'the broadcast came back');
    expect(received[0]).toEqual([{ from: connection.connectionId, text: `hello over ${protocol}` }]);
    await expect(connection.invoke('broadcast', ' ')).rejects.toThrow('Say something.');
  } finally {
    await connection.stop();
  }
}

beforeAll(async () => {
  const folder = await mkdtemp(join(tmpdir(), 'serverless-hub-starter-'));
  workspace = folder;
  const packs = join(folder, 'packs');
  await run(process.execPath, [join(root, 'scripts', 'pack-packages.mjs'), '--no-build', '--out', packs], {
    cwd: root,
  });
  const starter = (await readdir(packs)).find((file) => file.startsWith('create-serverless-hub-')) ?? '';
  // `npm create serverless-hub app` once published; until then the same starter from its tarball.
  await npmIn(
    folder,
    'exec',
    '--yes',
    `--package=${join(packs, starter)}`,
    '--',
    'create-serverless-hub',
    'app',
    '--packs',
    packs,
  );
  appDir = join(folder, 'app');
  await npmIn(appDir, 'install');
}, 300_000);

afterAll(async () => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
  if (workspace !== undefined) await rm(workspace, { recursive: true, force: true });
});

describe('an app made with the starter, outside the repository', () => {
  it('installs without workspace specifiers and with the emulator command', async () => {
    const installed = JSON.parse(
      await readFile(join(appDir, 'node_modules', '@serverless-hub', 'core', 'package.json'), 'utf8'),
    ) as Record<string, Record<string, string>>;
    expect(installed.dependencies?.['@serverless-hub/decorators']).toBe('0.1.0');
    expect(installed.peerDependencies?.['@azure/functions']).toBeDefined();
    expect(await readFile(join(appDir, '.gitignore'), 'utf8')).toContain('local.settings.json');
    expect(await readFile(join(appDir, 'local.settings.json'), 'utf8')).toBe(
      await readFile(join(appDir, 'local.settings.example.json'), 'utf8'),
    );
    expect(await npmIn(appDir, 'ls', '@azure/functions')).not.toContain('deduped invalid');
  });

  it('builds with tsc and passes its own tests', async () => {
    const output = await npmIn(appDir, 'test');
    expect(output).toContain('# pass 3');
  }, 120_000);

  it('runs on the installed emulator: the hub with JSON and MessagePack clients, and its plain app.http function', async () => {
    const served = await serve('.');
    try {
      await chatRoundTrip(served.url, 'json');
      await chatRoundTrip(served.url, 'messagepack');
      expect(await (await fetch(`${served.url}/api/hello/ada`)).json()).toEqual({ hello: 'ada' });
    } finally {
      await served.stop();
    }
  }, 120_000);

  it('runs from its TypeScript entry through its own tsx, without an --import flag', async () => {
    const served = await serve('src/index.ts');
    try {
      await chatRoundTrip(served.url, 'json');
      expect(await (await fetch(`${served.url}/api/hello`)).json()).toEqual({ hello: 'world' });
    } finally {
      await served.stop();
    }
  }, 120_000);
});
