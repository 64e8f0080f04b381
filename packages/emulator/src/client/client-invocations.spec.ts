import { describe, expect, it } from 'vitest';
import { MessageType } from '@serverless-hub/core/protocol';
import { ClientInvocations } from './client-invocations.js';

const never = new AbortController().signal;

describe('ClientInvocations', () => {
  it("settles with the client's result, or its error, by invocation id", async () => {
    const invocations = new ClientInvocations(10);
    const first = invocations.start(60_000, never);
    const second = invocations.start(60_000, never);
    if (first === undefined || second === undefined) throw new Error('not started');
    expect(first.id).not.toBe(second.id);
    expect(invocations.complete({ type: MessageType.Completion, invocationId: second.id, error: 'nope' })).toBe(true);
    expect(invocations.complete({ type: MessageType.Completion, invocationId: first.id, result: null })).toBe(true);
    await expect(first.outcome).resolves.toEqual({ kind: 'result', hasResult: true, result: null });
    await expect(second.outcome).resolves.toEqual({ kind: 'error', error: 'nope' });
    expect(invocations.size).toBe(0);
  });

  it('a completion without result is a result without value; an unknown or repeated id is ignored', async () => {
    const invocations = new ClientInvocations(10);
    const started = invocations.start(60_000, never);
    if (started === undefined) throw new Error('not started');
    expect(invocations.complete({ type: MessageType.Completion, invocationId: 'other' })).toBe(false);
    expect(invocations.complete({ type: MessageType.Completion, invocationId: started.id })).toBe(true);
    expect(invocations.complete({ type: MessageType.Completion, invocationId: started.id, result: 1 })).toBe(false);
    await expect(started.outcome).resolves.toEqual({ kind: 'result', hasResult: false, result: undefined });
  });

  it('ends every pending invocation when the connection closes, and when its caller aborts', async () => {
    const invocations = new ClientInvocations(10);
    const controller = new AbortController();
    const cancelled = invocations.start(60_000, controller.signal);
    const closed = invocations.start(60_000, never);
    controller.abort();
    invocations.closeAll();
    await expect(cancelled?.outcome).resolves.toEqual({ kind: 'cancelled' });
    await expect(closed?.outcome).resolves.toEqual({ kind: 'closed' });
    expect(invocations.size).toBe(0);
  });

  it('times out, and refuses more than its bound', async () => {
    const invocations = new ClientInvocations(1);
    const started = invocations.start(1, never);
    expect(invocations.start(60_000, never)).toBeUndefined();
    await expect(started?.outcome).resolves.toEqual({ kind: 'timeout' });
    expect(invocations.start(60_000, never)).toBeDefined();
    invocations.closeAll();
  });
});
