import { fork } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** A message between the bench and one of its child processes: a `type`, an optional request `id`, and data. */
export interface ChildMessage {
  readonly type: string;
  readonly id?: number;
  readonly [key: string]: unknown;
}

/**
 * A child process running one of the bench's TypeScript scripts with the bench's own Node.js flags
 * (tsx, and `--conditions=source` with --source), talking over the IPC channel: the child sends
 * `{ type: 'ready', ... }` once it is up, and answers each request with a message carrying its `id`.
 */
export interface BenchChildOptions {
  /**
   * Keep the child's output (its last 16 KB) instead of passing it through; it is added to the error
   * when the child fails to start, and available from {@link BenchChild.recentOutput}.
   */
  readonly quiet?: boolean;
  readonly startTimeoutMs?: number;
}

const KEPT_OUTPUT_CHARACTERS = 16 * 1024;

export class BenchChild {
  readonly #process: ChildProcess;
  #output = '';
  readonly #pending = new Map<number, { resolve: (message: ChildMessage) => void; reject: (error: Error) => void }>();
  #nextId = 1;
  #exited = false;

  private constructor(child: ChildProcess) {
    this.#process = child;
    const keep = (chunk: Buffer): void => {
      this.#output = (this.#output + chunk.toString('utf8')).slice(-KEPT_OUTPUT_CHARACTERS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    child.on('message', (message: ChildMessage) => {
      if (message.id === undefined) return;
      const pending = this.#pending.get(message.id);
      if (pending === undefined) return;
      this.#pending.delete(message.id);
      if (message.type === 'error') pending.reject(new Error(String(message['message'])));
      else pending.resolve(message);
    });
    child.on('exit', (code, signal) => {
      this.#exited = true;
      for (const pending of this.#pending.values())
        pending.reject(
          new Error(`the child process exited (${signal ?? String(code)}) before answering${this.#outputSuffix()}`),
        );
      this.#pending.clear();
    });
  }

  /** Starts `script` (a URL of a bench script) and resolves with the child and its ready message. */
  static async start(
    script: URL,
    args: readonly string[] = [],
    options: BenchChildOptions = {},
  ): Promise<{ child: BenchChild; ready: ChildMessage }> {
    const timeoutMs = options.startTimeoutMs ?? 60_000;
    // BENCH_CHILD_CPU_PROF=<dir> profiles the child processes (the servers of fan-out and e2e) with --cpu-prof.
    const profileDir = process.env['BENCH_CHILD_CPU_PROF'];
    const execArgv = [
      ...process.execArgv.filter((flag) => !flag.startsWith('--cpu-prof')),
      ...(profileDir === undefined || profileDir === '' ? [] : ['--cpu-prof', `--cpu-prof-dir=${profileDir}`]),
    ];
    const child = fork(fileURLToPath(script), [...args], {
      execArgv,
      stdio: options.quiet === true ? ['ignore', 'pipe', 'pipe', 'ipc'] : ['ignore', 'inherit', 'inherit', 'ipc'],
    });
    const handle = new BenchChild(child);
    const ready = await new Promise<ChildMessage>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill();
        reject(new Error(`${script.pathname} did not start within ${timeoutMs} ms${handle.#outputSuffix()}`));
      }, timeoutMs);
      const onMessage = (message: ChildMessage): void => {
        if (message.type !== 'ready') return;
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        resolve(message);
      };
      const onExit = (code: number | null): void => {
        clearTimeout(timer);
        // The exit can precede the last output chunks; give them a moment.
        setTimeout(() => {
          reject(
            new Error(`${script.pathname} exited with ${String(code)} before it was ready${handle.#outputSuffix()}`),
          );
        }, 50);
      };
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
    return { child: handle, ready };
  }

  /** The last output of a quiet child. */
  recentOutput(): string {
    return this.#output;
  }

  #outputSuffix(): string {
    return this.#output === '' ? '' : `; its output ended with:\n${this.#output.slice(-4000)}`;
  }

  /** Sends a request and resolves with the child's answer (a message with the same id). */
  request(type: string, data: Readonly<Record<string, unknown>> = {}, timeoutMs = 120_000): Promise<ChildMessage> {
    if (this.#exited) return Promise.reject(new Error('the child process has exited'));
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#pending.delete(id);
        reject(new Error(`the child process did not answer '${type}' within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#pending.set(id, {
        resolve: (message) => {
          clearTimeout(timer);
          resolve(message);
        },
        reject: (error) => {
          clearTimeout(timer);
          reject(error);
        },
      });
      this.#process.send({ ...data, type, id });
    });
  }

  /** Asks the child to stop, and kills it if it has not exited within a few seconds. */
  async stop(): Promise<void> {
    if (this.#exited) return;
    const exited = new Promise<void>((resolve) =>
      this.#process.once('exit', () => {
        resolve();
      }),
    );
    const timer = setTimeout(() => this.#process.kill('SIGKILL'), 5_000);
    if (this.#process.connected) this.#process.send({ type: 'stop' });
    else this.#process.kill();
    await exited;
    clearTimeout(timer);
  }
}

type RequestHandler = (
  message: ChildMessage,
) => Promise<Readonly<Record<string, unknown>>> | Readonly<Record<string, unknown>>;

/**
 * The child's side: announces readiness with `ready`, answers requests with `handle`, runs `stop` on
 * the parent's `stop` (or when the parent goes away) and exits.
 */
export function serveParent(
  ready: Readonly<Record<string, unknown>>,
  handle: RequestHandler,
  stop: () => Promise<void> | void,
): void {
  const send = (message: ChildMessage): void => {
    if (process.connected) process.send?.(message);
  };
  let stopping = false;
  const shutdown = async (): Promise<void> => {
    if (stopping) return;
    stopping = true;
    try {
      await stop();
    } finally {
      process.exit(0);
    }
  };
  process.on('message', (message: ChildMessage) => {
    if (message.type === 'stop') {
      void shutdown();
      return;
    }
    const id = message.id;
    Promise.resolve()
      .then(() => handle(message))
      .then(
        (answer) => {
          send({ ...answer, type: 'answer', ...(id === undefined ? {} : { id }) });
        },
        (error: unknown) => {
          send({
            type: 'error',
            message: error instanceof Error ? error.message : String(error),
            ...(id === undefined ? {} : { id }),
          });
        },
      );
  });
  process.on('disconnect', () => void shutdown());
  send({ ...ready, type: 'ready' });
}

/** CPU microseconds (user + system, all threads) this process has used so far. */
export function cpuUs(): number {
  const used = process.cpuUsage();
  return used.user + used.system;
}
