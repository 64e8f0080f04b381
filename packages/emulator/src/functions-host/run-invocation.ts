import type {
  CoreInvocationContext,
  FunctionCallback,
  ProgrammingModel,
  RegisteredFunction,
  RpcInvocationRequest,
  RpcInvocationResponse,
  RpcLogCategory,
  RpcLogLevel,
} from './functions-core-contract.js';
import type { RegisteredApp } from './registered-app.js';

/**
 * What one invocation needs: the app (for its hooks), the programming model that converts RPC data,
 * the function, the host's request, and where log lines go.
 *
 * @example
 * ```ts
 * const invocation: Invocation = { app, model, fn, request, log: (level, category, message) => logger.info(message) };
 * ```
 */
export interface Invocation {
  readonly app: RegisteredApp;
  readonly model: ProgrammingModel;
  readonly fn: RegisteredFunction;
  readonly request: RpcInvocationRequest;
  readonly log: (level: RpcLogLevel, category: RpcLogCategory, message: string) => void;
}

function readOnly(name: string): never {
  throw new TypeError(`Cannot assign to read only property '${name}'`);
}

/** The fields every invocation hook context shares, which hooks may read but not replace. */
interface ReadOnlyHookFields {
  readonly hookData: Record<string, unknown>;
  readonly appHookData: unknown;
  readonly invocationContext: unknown;
}

// Both hook contexts expose the same three fields; assigning one throws as the worker's own contexts do.
function withReadOnlyHookFields<T extends object>(fields: T, shared: ReadOnlyHookFields): T & ReadOnlyHookFields {
  const descriptors: PropertyDescriptorMap = {};
  for (const name of ['hookData', 'appHookData', 'invocationContext'] as const) {
    descriptors[name] = {
      get: () => shared[name],
      set: () => readOnly(name),
      enumerable: true,
      configurable: true,
    };
  }
  return Object.defineProperties(fields, descriptors) as T & ReadOnlyHookFields;
}

/**
 * Runs one invocation as the Functions Node.js worker does (its `InvocationHandler`): the programming
 * model turns the RPC request into the handler's arguments (`HttpRequest`, `InvocationContext`...), the
 * `preInvocation` hooks may replace the inputs and the handler, the handler runs, the `postInvocation`
 * hooks see (and may replace) its result or error, and the model turns the result into the RPC answer.
 *
 * @throws what the handler threw, unless a `postInvocation` hook cleared the error.
 * @example
 * ```ts
 * const response = await runInvocation({ app, model, fn, request, log });
 * response.returnValue?.http?.statusCode; // '200'
 * ```
 */
export async function runInvocation(invocation: Invocation): Promise<RpcInvocationResponse> {
  const { app, model, request } = invocation;
  const core: CoreInvocationContext = {
    invocationId: request.invocationId,
    request,
    metadata: invocation.fn.metadata,
    state: undefined,
    log: invocation.log,
  };
  const invocationModel = model.getInvocationModel(core);
  const { context, inputs: initialInputs } = await invocationModel.getArguments();
  const hookData: Record<string, unknown> = {};
  const shared = { hookData, appHookData: app.appHookData, invocationContext: context };
  const pre = withReadOnlyHookFields({ functionCallback: invocation.fn.callback, inputs: initialInputs }, shared);
  core.state = 'preInvocationHooks';
  try {
    for (const hook of app.hooksOf('preInvocation')) await (hook as (context: unknown) => unknown)(pre);
  } finally {
    core.state = undefined;
  }
  const inputs = pre.inputs;
  const callback: FunctionCallback = pre.functionCallback;
  const outcome: { inputs: typeof inputs; result: unknown; error: unknown } = { inputs, result: null, error: null };
  const post = withReadOnlyHookFields(outcome, shared);
  core.state = 'invocation';
  try {
    post.result = await invocationModel.invokeFunction(context, inputs, callback);
  } catch (error) {
    post.error = error;
  } finally {
    core.state = undefined;
  }
  core.state = 'postInvocationHooks';
  try {
    for (const hook of app.hooksOf('postInvocation')) await (hook as (context: unknown) => unknown)(post);
  } finally {
    core.state = undefined;
  }
  // eslint-disable-next-line @typescript-eslint/only-throw-error -- the handler's own value, rethrown as the worker does
  if (post.error !== null && post.error !== undefined) throw post.error;
  return invocationModel.getResponse(context, post.result);
}
