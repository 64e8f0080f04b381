import type { CoreInvocationContext, FunctionCallback, ProgrammingModel, RegisteredFunction, RpcInvocationRequest, RpcInvocationResponse, RpcLogCategory, RpcLogLevel } from './functions-core-contract.js';
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
  const pre = {
    get hookData() {
      return hookData;
    },
    set hookData(_value: unknown) {
      readOnly('hookData');
    },
    get appHookData() {
      return app.appHookData;
    },
    set appHookData(_value: unknown) {
      readOnly('appHookData');
    },
    get invocationContext() {
      return context;
    },
    set invocationContext(_value: unknown) {
      readOnly('invocationContext');
    },
    functionCallback: invocation.fn.callback,
    inputs: initialInputs,
  };
  core.state = 'preInvocationHooks';
  try {
    for (const hook of app.hooksOf('preInvocation')) await (hook as (context: unknown) => unknown)(pre);
  } finally {
    core.state = undefined;
  }
  const inputs = pre.inputs;
  const callback: FunctionCallback = pre.functionCallback;
  const post = {
    get hookData() {
      return hookData;
    },
    set hookData(_value: unknown) {
      readOnly('hookData');
    },
    get appHookData() {
      return app.appHookData;
    },
    set appHookData(_value: unknown) {
      readOnly('appHookData');
    },
    get invocationContext() {
      return context;
    },
    set invocationContext(_value: unknown) {
      readOnly('invocationContext');
    },
    inputs,
    result: null as unknown,
    error: null as unknown,
  };
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
