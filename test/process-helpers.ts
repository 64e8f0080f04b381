// Shared pieces of the tests that run the project's commands as child processes (the emulator's CLI,
// `pnpm dev`, a functions host of its own process): free ports, and a child whose output is collected and
// awaited line by line.
import type { ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port that was free a moment ago, for commands that need a fixed port before they start. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) =>
    server.close(() => {
      resolve();
    }),
  );
  if (address === null || typeof address === 'string') throw new Error('no free port');
  return address.port;
}

/** Whether nothing listens on the port of 127.0.0.1 (a stopped command released it). */
export async function isFree(port: number): Promise<boolean> {
  const server = createServer();
  return new Promise<boolean>((resolve) => {
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () =>
      server.close(() => {
        resolve(true);
      }),
    );
  });
}

/** A child process with its stdout and stderr collected as one text. */
export interface WatchedProcess {
  readonly child: ChildProcess;
  /** Everything printed so far, stdout and stderr interleaved as they came. */
  output(): string;
  /** The exit code (`null` when a signal ended it). */
  readonly exited: Promise<number | null>;
  /**
   * Resolves once the output contains `text`; rejects with the output so far when the process exits first
   * or, with `timeoutMs`, when that much time passes.
   */
  waitForOutput(text: string, timeoutMs?: number): Promise<void>;
  /** Sends `signal` and resolves with the exit code. */
  stop(signal: NodeJS.Signals): Promise<number | null>;
}

/** Collects the output of a child spawned with piped stdout and stderr. */
export function watchProcess(child: ChildProcess, name: string): WatchedProcess {
  let text = '';
  const changed = new Set<() => void>();
  const append = (chunk: Buffer): void => {
    text += chunk.toString();
    for (const listener of [...changed]) listener();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((resolve) => {
    child.on('exit', (code) => {
      resolve(code);
    });
  });
  return {
    child,
    output: () => text,
    exited,
    waitForOutput(expected, timeoutMs) {
      return new Promise<void>((resolve, reject) => {
        const timer =
          timeoutMs === undefined
            ? undefined
            : setTimeout(() => {
                done(
                  new Error(
                    `${name} did not print ${JSON.stringify(expected)} in ${timeoutMs} ms; it printed:\n${text}`,
                  ),
                );
              }, timeoutMs);
        const check = (): void => {
          if (text.includes(expected)) done();
        };
        function done(error?: Error): void {
          changed.delete(check);
          if (timer !== undefined) clearTimeout(timer);
          if (error === undefined) resolve();
          else reject(error);
        }
        changed.add(check);
        void exited.then((code) => {
          if (changed.has(check)) done(new Error(`${name} exited with ${String(code)}:\n${text}`));
        });
        check();
      });
    },
    async stop(signal) {
      child.kill(signal);
      return exited;
    },
  };
}
