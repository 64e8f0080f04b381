// The `serverless-hub-emulator` command, run as a user runs it, from the sources.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { HubConnectionBuilder, HttpTransportType, LogLevel } from '@microsoft/signalr';
import type { HubConnection } from '@microsoft/signalr';
import { watchProcess } from './process-helpers.js';
import type { WatchedProcess } from './process-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
const running: ChildProcess[] = [];

function runCli(...args: string[]): WatchedProcess {
  // From the TypeScript sources (no build needed): workspace packages through their `source` condition.
  const child = spawn(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', 'packages/emulator/src/cli.ts', ...args],
    {
      cwd: root,
      env: { ...process.env, AzureSignalRConnectionString: undefined, CLI_FIXTURE_GREETING: undefined },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  running.push(child);
  return watchProcess(child, `serverless-hub-emulator ${args.join(' ')}`);
}

/** Runs `dev` with the test fixture app on free ports, and waits until it is ready. */
async function startDev(...args: string[]): Promise<WatchedProcess> {
  const cli = runCli(
    'dev',
    'packages/emulator/test-fixtures/cli-app/index.mjs',
    ...args,
    '--port',
    '0',
    '--functions-port',
    '0',
    '--log-level',
    'warn',
  );
  await cli.waitForOutput('Press Ctrl+C to stop.', 20_000);
  return cli;
}

function cliClient(functionsUrl: string): HubConnection {
  return new HubConnectionBuilder()
    .withUrl(`${functionsUrl}/api/cli`, { transport: HttpTransportType.WebSockets })
    .configureLogging(LogLevel.None)
    .build();
}

afterEach(() => {
  for (const child of running.splice(0)) if (child.exitCode === null) child.kill('SIGKILL');
});

describe('serverless-hub-emulator', () => {
  it('start: prints the connection string and URLs, serves, and stops cleanly on SIGINT', async () => {
    const cli = runCli('start', '--port', '0', '--log-level', 'warn');
    await cli.waitForOutput('Press Ctrl+C to stop.', 15_000);
    const connectionString =
      /Endpoint=http:\/\/localhost;Port=(\d+);AccessKey=ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789ABCDEFGH;Version=1\.0;/.exec(
        cli.output(),
      );
    expect(connectionString).not.toBeNull();
    const port = connectionString?.[1] ?? '';
    expect(cli.output()).toContain('http://127.0.0.1:7071/api/{hub}/{category}/{event}');
    expect((await fetch(`http://localhost:${port}/api/health`, { method: 'HEAD' })).status).toBe(200);
    expect(await cli.stop('SIGINT')).toBe(0);
  });

  it("dev: runs the service and the app on a local functions host with the app's settings", async () => {
    const cli = await startDev();
    const output = cli.output();
    expect(output).toContain('local.settings.example.json');
    const functionsUrl = /Functions host is running at (http:\/\/localhost:\d+)/.exec(output)?.[1] ?? '';
    expect(functionsUrl).not.toBe('');
    expect(output).toContain(`${functionsUrl}/api/cli/negotiate`);
    expect(output).not.toContain('test mode');

    expect(await (await fetch(`${functionsUrl}/api/hello/ada`)).json()).toEqual({ hello: 'ada' });
    expect(await (await fetch(`${functionsUrl}/api/hello`)).json()).toEqual({ hello: 'world' });

    const connection = cliClient(functionsUrl);
    await connection.start();
    await expect(connection.invoke('greet')).resolves.toBe('hello from local.settings.example.json');
    await expect(connection.invoke('echo', [1, 'two'])).resolves.toEqual([1, 'two']);
    await connection.stop();

    expect(await cli.stop('SIGTERM')).toBe(0);
  });

  it('dev --endpoints 2: runs two service instances with their own keys, the app on the named endpoint settings', async () => {
    const cli = await startDev('--endpoints', '2');
    const output = cli.output();
    expect(output).toContain('Endpoint e1 (Azure__SignalR__Endpoints__e1)');
    expect(output).toContain('Endpoint e2 (Azure__SignalR__Endpoints__e2)');
    // Each instance has its own generated key, printed so that other apps can be pointed at it.
    const found = [...output.matchAll(/Endpoint=http:\/\/localhost;Port=(\d+);AccessKey=([\w-]{43});Version=1\.0;/g)];
    const ports = found.map((match) => match[1]);
    expect(new Set(ports).size).toBe(2);
    expect(new Set(found.map((match) => match[2])).size).toBe(2);
    for (const port of ports)
      expect((await fetch(`http://localhost:${port ?? ''}/api/health`, { method: 'HEAD' })).status).toBe(200);

    // With only the named endpoint settings, negotiate, the upstream signature checks and the app's calls work.
    const functionsUrl = /Functions host is running at (http:\/\/localhost:\d+)/.exec(output)?.[1] ?? '';
    for (let attempt = 0; attempt < 4; attempt++) {
      const connection = cliClient(functionsUrl);
      await connection.start();
      await expect(connection.invoke('echo', attempt)).resolves.toBe(attempt);
      await connection.stop();
    }
    expect(await cli.stop('SIGTERM')).toBe(0);
  });

  it('explains a wrong command line and exits with 2', async () => {
    const cli = runCli('start', '--port', 'eighty');
    expect(await cli.exited).toBe(2);
    expect(cli.output()).toContain('--port must be a port number');
    expect(cli.output()).toContain('Usage:');
  });

  it('explains an app that cannot be found and exits with 1', async () => {
    const cli = runCli('dev', 'no/such/app', '--port', '0', '--functions-port', '0');
    expect(await cli.exited).toBe(1);
    expect(cli.output()).toContain("The app 'no/such/app' does not exist");
  });
});
