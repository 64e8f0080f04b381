import { randomBytes } from 'node:crypto';
import type { RpcTraceContext } from './functions-core-contract.js';

const TRACE_PARENT = /^([0-9a-f]{2})-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

/**
 * The trace context of an invocation, as the Functions host gives it (azure-functions-host's
 * `ScriptInvocationContextExtensions.GetRpcTraceContext` from the request's activity): the W3C
 * `traceparent` of a new span, in the caller's trace when the request carried a valid `traceparent`
 * header (with its flags and `tracestate`), in a new trace otherwise.
 *
 * @example
 * ```ts
 * traceContextFor('00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01', 'k=v');
 * // { traceParent: '00-0af7651916cd43dd8448eb211c80319c-<new span>-01', traceState: 'k=v', attributes: {} }
 * ```
 */
export function traceContextFor(traceParent: string | undefined, traceState: string | undefined): RpcTraceContext {
  const span = randomBytes(8).toString('hex');
  const parent = TRACE_PARENT.exec(traceParent?.trim().toLowerCase() ?? '');
  if (parent !== null && parent[1] !== 'ff' && parent[2] !== ZERO_TRACE && parent[3] !== ZERO_SPAN) {
    return {
      traceParent: `00-${parent[2] as string}-${span}-${parent[4] as string}`,
      traceState: traceState ?? '',
      attributes: {},
    };
  }
  return { traceParent: `00-${randomBytes(16).toString('hex')}-${span}-00`, traceState: '', attributes: {} };
}
