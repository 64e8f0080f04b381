// `pnpm dev`, as the README's demo command runs it: `scripts/dev.mjs` builds what is stale, starts the
// emulator and the chat sample on the local functions host, prints the page's URL, and stops both on Ctrl+C.
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { HubConnectionBuilder, LogLevel } from '@microsoft/signalr';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, isFree, watchProcess } from './process-helpers.js';

const root = fileURLToPath(new URL('..', import.meta.url));
// Generous: on a machine where the sources changed since the last build, the script builds first.
const READY_MS = 240_000;

/** Whether the developer's local.settings.json sets a CHAT_AUTH_SECRET other than the example's. */
function ownSecret(): boolean {
  const secretIn = (file: string): unknown => {
    try {
      return (JSON.parse(readFileSync(`${root}samples/chat/${file}`, 'utf8')) as { Values?: Record<string, unknown> })
        .Values?.CHAT_AUTH_SECRET;
    } catch {
      return undefined;
    }
  };
  const own = secretIn('local.settings.json');
  return own !== undefined && own !== secretIn('local.settings.example.json');
}

describe('pnpm dev', () => {
  let child: ChildProcess | undefined;

  afterAll(() => {
    if (child?.pid !== undefined && child.exitCode === null && child.signalCode === null)
      process.kill(-child.pid, 'SIGKILL');
  });

  it(
    'brings up the chat page on the emulator and stops everything on Ctrl+C',
    async () => {
      const servicePort = await freePort();
      const functionsPort = await freePort();
      const env: NodeJS.ProcessEnv = { ...process.env };
      // As on a fresh shell: the settings come from the sample's local.settings.example.json and the emulator.
      delete env.AzureSignalRConnectionString;
      delete env.CHAT_AUTH_SECRET;
      // Through pnpm, in a process group of its own, as a terminal runs it: Ctrl+C goes to the whole group.
      const dev = spawn('pnpm', ['dev', '--port', String(servicePort), '--functions-port', String(functionsPort)], {
        cwd: root,
        env,
        stdio: ['ignore', 'pipe', 'pipe'],
        detached: true,
      });
      child = dev;
      const watched = watchProcess(dev, 'pnpm dev');
      const { exited } = watched;

      const pageUrl = `http://localhost:${functionsPort}/api/index`;
      await watched.waitForOutput(`Open ${pageUrl} in a browser`, READY_MS);
      const output = (): string => watched.output();
      expect(output()).toContain(`Endpoint=http://localhost;Port=${servicePort};AccessKey=`);

      const page = await fetch(pageUrl);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain('<title>ServerlessHub chat</title>');

      // With the sample's development secret, a demo token is printed that makes its bearer an admin; with a
      // secret of the developer's own (in local.settings.json), none is.
      const adminToken = /Demo admin token[^\n]*\n\s+(\S+)/.exec(output())?.[1];
      if (ownSecret()) expect(adminToken).toBeUndefined();
      else expect(adminToken).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);

      const connection = new HubConnectionBuilder()
        .withUrl(`http://localhost:${functionsPort}/api/chat`, {
          headers: { 'x-ms-signalr-user-id': 'dev-user' },
          ...(adminToken === undefined ? {} : { accessTokenFactory: () => adminToken }),
        })
        .configureLogging(LogLevel.None)
        .build();
      await connection.start();
      try {
        expect(await connection.invoke('echo', { hello: ['dev'] })).toEqual({ hello: ['dev'] });
        expect(await connection.invoke('whoami')).toMatchObject({
          userId: 'dev-user',
          connectionId: connection.connectionId,
        });
        if (adminToken !== undefined) {
          // The sample copies only the claims it reads.
          const { claims } = await connection.invoke<{ claims: Record<string, string> }>('whoami');
          expect(claims.admin).toBe('true');
          expect(claims).not.toHaveProperty('sub');
          await connection.invoke('adminBroadcast', 'the demo works');
        }
      } finally {
        await connection.stop();
      }

      // Each start-up line once, in order; the servers' own "listening on" lines would repeat them.
      const startup = [
        'Azure SignalR Service emulator (serverless mode) is running.',
        'App settings from',
        'Functions host is running at',
        'Press Ctrl+C to stop.',
      ];
      if (adminToken !== undefined) startup.unshift('Demo admin token');
      const positions = startup.map((line) => output().indexOf(line));
      expect(positions.every((position) => position >= 0)).toBe(true);
      expect([...positions].sort((a, b) => a - b)).toEqual(positions);
      for (const line of startup) expect(output().split(line).length - 1).toBe(1);
      expect(output()).not.toMatch(/listening on|serving \d/);

      if (dev.pid === undefined) throw new Error('pnpm dev has no pid');
      process.kill(-dev.pid, 'SIGINT');
      expect(await exited).toBe(0);
      expect(output()).toContain('Stopping');
      expect(output()).not.toContain('ELIFECYCLE');
      expect(await isFree(functionsPort)).toBe(true);
      expect(await isFree(servicePort)).toBe(true);
    },
    READY_MS + 30_000,
  );
});
