// The shapes `@azure/functions` v4 and the Functions Node.js worker exchange through the
// `@azure/functions-core` module (the worker's `types-core/index.d.ts`). The package is not installable:
// the worker provides it at run time, and so does the local functions host. Only the members the host
// reads or writes are typed; the rest passes through unchanged.

/**
 * A log level as `@azure/functions` passes it to the worker.
 *
 * @example
 * ```ts
 * const level: RpcLogLevel = 'information';
 * ```
 */
export type RpcLogLevel = 'trace' | 'debug' | 'information' | 'warning' | 'error' | 'critical' | 'none';

/**
 * Whether a log line comes from the user's code or from the library.
 *
 * @example
 * ```ts
 * coreContext.log('warning', 'system' satisfies RpcLogCategory, 'late log call');
 * ```
 */
export type RpcLogCategory = 'user' | 'system' | 'customMetric';

/**
 * One binding of a function (`bindings[name]` of its metadata): the trigger with `direction: 'in'`, the
 * return binding `$return` with `direction: 'out'`, plus every option given (`route`, `methods`, `hubName`...).
 *
 * @example
 * ```ts
 * const trigger: RpcBindingInfo = { type: 'httpTrigger', direction: 'in', route: 'hello/{name}', methods: ['GET'] };
 * ```
 */
export interface RpcBindingInfo {
  readonly type?: string;
  readonly direction?: 'in' | 'out' | 'inout';
  readonly [option: string]: unknown;
}

/**
 * What `app.http(...)`, `app.generic(...)` and the other registrations of `@azure/functions` hand to
 * `registerFunction`.
 *
 * @example
 * ```ts
 * const metadata: FunctionMetadata = { name: 'hello', bindings: { httpTrigger: { type: 'httpTrigger', direction: 'in' } } };
 * ```
 */
export interface FunctionMetadata {
  readonly name: string;
  readonly functionId?: string;
  readonly bindings: Readonly<Record<string, RpcBindingInfo>>;
  readonly [other: string]: unknown;
}

/**
 * A function's handler as registered (the library calls it with the trigger input and the context).
 *
 * @example
 * ```ts
 * const callback: FunctionCallback = (request, context) => ({ body: 'hello' });
 * ```
 */
export type FunctionCallback = (...args: never[]) => unknown;

/**
 * A registered function: its metadata and handler. This is the one function type of the local host:
 * every function the app registers through `@azure/functions`, whoever registered it, has this shape.
 *
 * @example
 * ```ts
 * const fn: RegisteredFunction = { metadata: { name: 'hello', bindings: {} }, callback: () => undefined };
 * ```
 */
export interface RegisteredFunction {
  readonly metadata: FunctionMetadata;
  readonly callback: FunctionCallback;
}

/**
 * A string that may be absent, as the RPC messages carry map values.
 *
 * @example
 * ```ts
 * const value: RpcNullableString = { value: '1,2' };
 * ```
 */
export interface RpcNullableString {
  readonly value?: string | null;
}

/**
 * A cookie of an HTTP response as the library gives it back.
 *
 * @example
 * ```ts
 * const cookie: RpcHttpCookie = { name: 'session', value: 'a b', path: { value: '/' }, sameSite: 'lax' };
 * ```
 */
export interface RpcHttpCookie {
  readonly name?: string | null;
  readonly value?: string | null;
  readonly domain?: RpcNullableString | null;
  readonly path?: RpcNullableString | null;
  readonly expires?: { readonly value?: { readonly seconds?: number | null } | null } | null;
  readonly secure?: { readonly value?: boolean | null } | null;
  readonly httpOnly?: { readonly value?: boolean | null } | null;
  readonly sameSite?: 'none' | 'lax' | 'strict' | 'explicitNone' | null;
  readonly maxAge?: { readonly value?: number | null } | null;
}

/**
 * An HTTP request (host to worker) or response (worker to host) of the RPC messages.
 *
 * @example
 * ```ts
 * const request: RpcHttpData = { method: 'GET', url: 'http://localhost:7071/api/hello', nullableHeaders: { accept: { value: '*' + '/*' } } };
 * ```
 */
export interface RpcHttpData {
  readonly method?: string | null;
  readonly url?: string | null;
  readonly nullableHeaders?: Readonly<Record<string, RpcNullableString>> | null;
  readonly nullableQuery?: Readonly<Record<string, RpcNullableString>> | null;
  readonly nullableParams?: Readonly<Record<string, RpcNullableString>> | null;
  readonly headers?: Readonly<Record<string, string>> | null;
  readonly body?: RpcTypedData | null;
  readonly statusCode?: string | null;
  readonly cookies?: readonly RpcHttpCookie[] | null;
}

/**
 * A value crossing the RPC boundary: exactly one member is set.
 *
 * @example
 * ```ts
 * const data: RpcTypedData = { json: JSON.stringify({ ConnectionId: 'c1' }) };
 * ```
 */
export interface RpcTypedData {
  readonly string?: string | null;
  readonly json?: string | null;
  readonly bytes?: Uint8Array | null;
  readonly stream?: Uint8Array | null;
  readonly http?: RpcHttpData | null;
  readonly int?: number | null;
  readonly double?: number | null;
}

/**
 * A named input or output value of an invocation.
 *
 * @example
 * ```ts
 * const input: RpcParameterBinding = { name: 'httpTrigger', data: { http: { method: 'GET', url: 'http://localhost/api/x' } } };
 * ```
 */
export interface RpcParameterBinding {
  readonly name: string;
  readonly data?: RpcTypedData | null;
}

/**
 * W3C trace context of an invocation (`context.traceContext`).
 *
 * @example
 * ```ts
 * const trace: RpcTraceContext = { traceParent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', traceState: '', attributes: {} };
 * ```
 */
export interface RpcTraceContext {
  readonly traceParent: string;
  readonly traceState: string;
  readonly attributes: Readonly<Record<string, string>>;
}

/**
 * The host's request to run one invocation.
 *
 * @example
 * ```ts
 * const request: RpcInvocationRequest = { invocationId: randomUUID(), functionId: 'hello', inputData: [], triggerMetadata: {}, traceContext };
 * ```
 */
export interface RpcInvocationRequest {
  readonly invocationId: string;
  readonly functionId: string;
  readonly inputData: readonly RpcParameterBinding[];
  readonly triggerMetadata: Readonly<Record<string, RpcTypedData>>;
  readonly traceContext: RpcTraceContext;
}

/**
 * The worker's answer to an invocation: the return value and the output bindings.
 *
 * @example
 * ```ts
 * const status = Number(response.returnValue?.http?.statusCode ?? 200);
 * ```
 */
export interface RpcInvocationResponse {
  readonly invocationId?: string;
  readonly outputData?: readonly RpcParameterBinding[] | null;
  readonly returnValue?: RpcTypedData | null;
}

/**
 * What an invocation model is built from: the request, the function's metadata, and a log sink.
 *
 * @example
 * ```ts
 * const model = programmingModel.getInvocationModel(coreContext);
 * ```
 */
export interface CoreInvocationContext {
  readonly invocationId: string;
  readonly request: RpcInvocationRequest;
  readonly metadata: FunctionMetadata;
  state: 'preInvocationHooks' | 'postInvocationHooks' | 'invocation' | undefined;
  log(level: RpcLogLevel, category: RpcLogCategory, message: string): void;
}

/**
 * The library's per-invocation converter: RPC data to handler arguments, and the result back to RPC data.
 *
 * @example
 * ```ts
 * const { context, inputs } = await model.getArguments();
 * const result = await model.invokeFunction(context, inputs, callback);
 * const response = await model.getResponse(context, result);
 * ```
 */
export interface InvocationModel {
  getArguments(): Promise<{ context: unknown; inputs: unknown[] }>;
  invokeFunction(context: unknown, inputs: unknown[], callback: FunctionCallback): Promise<unknown>;
  getResponse(context: unknown, result: unknown): Promise<RpcInvocationResponse>;
}

/**
 * The programming model `@azure/functions` installs with `setProgrammingModel` on its first registration.
 *
 * @example
 * ```ts
 * const capabilities = await model.getCapabilities?.({});
 * ```
 */
export interface ProgrammingModel {
  readonly name: string;
  readonly version: string;
  getInvocationModel(context: CoreInvocationContext): InvocationModel;
  getCapabilities?(capabilities: Record<string, string>): Promise<Record<string, string>> | Record<string, string>;
}

/**
 * A hook as registered with `registerHook` (`app.hook.appStart(...)` and the others).
 *
 * @example
 * ```ts
 * const hook: HookCallback = (context) => undefined;
 * ```
 */
export type HookCallback = (context: never) => unknown;

/**
 * The hooks the local host runs, as the worker does.
 *
 * @example
 * ```ts
 * const name: HookName = 'preInvocation';
 * ```
 */
export type HookName = 'appStart' | 'appTerminate' | 'preInvocation' | 'postInvocation';
