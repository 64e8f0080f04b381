import { Module } from 'node:module';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  ProgrammingModel,
  RpcLogCategory,
  RpcLogLevel,
} from './functions-core-contract.js';
import { Disposable, RegisteredApp } from './registered-app.js';

/**
 * Where the library's own log lines (`category: 'system'`) go while no invocation is running.
 *
 * @example
 * ```ts
 * const sink: WorkerLogSink = (level, category, message) => console.log(level, category, message);
 * ```
 */
export type WorkerLogSink = (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;

/** The version the local host reports as `hostVersion`: a Functions host 4.x. */
const HOST_VERSION = '4.0.0';

/**
 * The part of the Functions Node.js worker that apps talk to: the `@azure/functions-core` module.
 * `@azure/functions` v4 `require`s it on its first registration; outside the Functions host it is
 * missing and the library registers nothing ("test mode"). Installing the worker makes that module
 * resolvable in this process, as the real worker does, so every `app.http(...)`, `app.generic(...)`,
 * `app.hook.*(...)` and `app.setup(...)` of the app reaches the local host.
 *
 * There is one worker per process (the module is process-wide, and `@azure/functions` keeps the first
 * answer it got). Registrations collect in the pending app until a host indexes them with
 * {@link FunctionsWorker.takeApp}; what is registered after that (hooks included) belongs to the next app,
 * so an app registers its hooks while its entry file loads, as it does for the Functions host.
 *
 * @example
 * ```ts
 * const worker = FunctionsWorker.install();     // before the app's first registration
 * await import('./dist/index.js');              // app.http(...), registerHubs(app, [...])
 * const registered = worker.takeApp();
 * registered.functions.map((fn) => fn.metadata.name);
 * ```
 */
export class FunctionsWorker {
  #pending = new RegisteredApp();
  #programmingModel: ProgrammingModel | undefined;
  /** Receives the library's system log lines; the host that indexed the app sets it. */
  logSink: WorkerLogSink | undefined;

  /** The module object `require('@azure/functions-core')` returns. */
  readonly coreApi = Object.freeze({
    version: HOST_VERSION,
    hostVersion: HOST_VERSION,
    Disposable,
    registerFunction: (metadata: FunctionMetadata, callback: FunctionCallback): Disposable =>
      this.#pending.registerFunction(metadata, callback),
    registerHook: (name: string, callback: HookCallback): Disposable => this.#pending.registerHook(name, callback),
    setProgrammingModel: (model: ProgrammingModel): void => {
      this.#programmingModel = model;
    },
    getProgrammingModel: (): ProgrammingModel | undefined => this.#programmingModel,
    log: (level: RpcLogLevel, category: RpcLogCategory, message: string): void => {
      this.logSink?.(level, category, message);
    },
  });

  /**
   * The worker of this process, installed on first call: from then on `require('@azure/functions-core')`
   * answers with {@link FunctionsWorker.coreApi}.
   */
  static install(): FunctionsWorker {
    // On globalThis so that two copies of this package in one process share the one module.
    const holder = globalThis as unknown as Record<symbol, FunctionsWorker | undefined>;
    const existing = holder[WORKER_KEY];
    if (existing !== undefined) return existing;
    const worker = new FunctionsWorker();
    Object.defineProperty(globalThis, WORKER_KEY, {
      value: worker,
      enumerable: false,
      configurable: false,
      writable: false,
    });
    // As the real worker: every CommonJS `require` goes through Module.prototype.require, and only this
    // one specifier is answered here.
    const prototype = Module.prototype as unknown as { require: (id: string) => unknown };
    prototype.require = new Proxy(prototype.require, {
      apply(target, thisArg, args: unknown[]) {
        if (args[0] === CORE_MODULE) return worker.coreApi;
        return Reflect.apply(target, thisArg, args) as unknown;
      },
    });
    return worker;
  }

  /** The programming model `@azure/functions` set (after the app's first registration). */
  get programmingModel(): ProgrammingModel | undefined {
    return this.#programmingModel;
  }

  /** Whether anything was registered since the last {@link FunctionsWorker.takeApp}. */
  get hasPending(): boolean {
    return this.#pending.functions.length > 0;
  }

  /**
   * Hands over what was registered so far and starts a new, empty app for later registrations (the next
   * host in this process, e.g. in tests). The app handed over is locked against new functions.
   */
  takeApp(): RegisteredApp {
    const app = this.#pending;
    app.lock();
    this.#pending = new RegisteredApp();
    return app;
  }
}

const CORE_MODULE = '@azure/functions-core';
const WORKER_KEY = Symbol.for('@serverless-hub/emulator:functions-worker');
