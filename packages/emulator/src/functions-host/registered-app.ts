import { EmulatorError } from '../errors/emulator-error.js';
import type {
  FunctionCallback,
  FunctionMetadata,
  HookCallback,
  HookName,
  RegisteredFunction,
} from './functions-core-contract.js';

/**
 * What `@azure/functions-core` registrations return: undoing the registration.
 *
 * @example
 * ```ts
 * const registration = new Disposable(() => hooks.delete(callback));
 * registration.dispose();
 * ```
 */
export class Disposable {
  #undo: (() => void) | undefined;

  constructor(undo: () => void) {
    this.#undo = undo;
  }

  dispose(): void {
    const undo = this.#undo;
    this.#undo = undefined;
    undo?.();
  }
}

const HOOK_NAMES: ReadonlySet<string> = new Set<HookName>([
  'appStart',
  'appTerminate',
  'preInvocation',
  'postInvocation',
]);

/**
 * Everything one app registered through `@azure/functions` while it was loaded: its functions in
 * registration order, its hooks, and the data hooks share. Once the host has indexed it, it is locked:
 * functions can no longer be added or removed (the worker's rule), hooks still can.
 *
 * @example
 * ```ts
 * const app = new RegisteredApp();
 * app.registerFunction({ name: 'hello', bindings: {} }, () => ({ body: 'hi' }));
 * app.lock();
 * app.functions.map((fn) => fn.metadata.name); // ['hello']
 * ```
 */
export class RegisteredApp {
  readonly #functions = new Map<string, RegisteredFunction>();
  readonly #hooks = new Map<HookName, HookCallback[]>();
  #locked = false;
  /** `appHookData` of every hook context. */
  readonly appHookData: Record<string, unknown> = {};
  /** `hookData` of the app-level hooks (`appStart`, `appTerminate`). */
  readonly appLevelHookData: Record<string, unknown> = {};

  /** The functions, in registration order. */
  get functions(): readonly RegisteredFunction[] {
    return [...this.#functions.values()];
  }

  get locked(): boolean {
    return this.#locked;
  }

  /** As the worker's `registerFunction`: the function id is the metadata's `functionId` or its name. */
  registerFunction(metadata: FunctionMetadata, callback: FunctionCallback): Disposable {
    if (this.#locked) throw new EmulatorError('INVALID_STATE', 'A function can only be registered during app startup.');
    if (
      typeof metadata !== 'object' ||
      typeof metadata.name !== 'string' ||
      typeof metadata.bindings !== 'object' ||
      typeof callback !== 'function'
    ) {
      throw new EmulatorError(
        'APP_LOAD_FAILED',
        'registerFunction needs metadata with a name and bindings, and a handler function.',
      );
    }
    const id = metadata.functionId ?? metadata.name;
    if (this.#functions.has(id))
      throw new EmulatorError('APP_LOAD_FAILED', `A function with id "${id}" has already been registered.`);
    this.#functions.set(id, { metadata, callback });
    return new Disposable(() => {
      if (this.#locked) throw new EmulatorError('INVALID_STATE', 'A function can only be disposed during app startup.');
      this.#functions.delete(id);
    });
  }

  registerHook(name: string, callback: HookCallback): Disposable {
    if (!HOOK_NAMES.has(name)) throw new RangeError(`Unrecognized hook "${name}"`);
    const hooks = this.hooksOf(name as HookName);
    hooks.push(callback);
    return new Disposable(() => {
      const index = hooks.indexOf(callback);
      if (index >= 0) hooks.splice(index, 1);
    });
  }

  /** The live list of a hook's callbacks (in registration order). */
  hooksOf(name: HookName): HookCallback[] {
    let hooks = this.#hooks.get(name);
    if (hooks === undefined) {
      hooks = [];
      this.#hooks.set(name, hooks);
    }
    return hooks;
  }

  lock(): void {
    this.#locked = true;
  }
}
