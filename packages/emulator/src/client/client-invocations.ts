import type { CompletionMessage } from '@serverless-hub/core/protocol';

/** How a client invocation ended: the client's result or error, or no answer at all. */
export type ClientInvocationOutcome =
  | { readonly kind: 'result'; readonly hasResult: boolean; readonly result: unknown }
  | { readonly kind: 'error'; readonly error: string }
  | { readonly kind: 'closed' }
  | { readonly kind: 'timeout' }
  | { readonly kind: 'cancelled' };

interface Pending {
  readonly settle: (outcome: ClientInvocationOutcome) => void;
}

/**
 * The invocations a connection's client owes an answer to (server-to-client invocations with an id, the
 * REST API's `:invoke`): each waits for the client's Completion with its id, for the connection's end,
 * for its time limit or for its caller to give up, whichever comes first. Bounded per connection.
 */
export class ClientInvocations {
  readonly #pending = new Map<string, Pending>();
  #nextId = 0;

  constructor(private readonly maxPending: number) {}

  get size(): number {
    return this.#pending.size;
  }

  /**
   * Registers an invocation and returns its id and the outcome to await, or `undefined` when the
   * connection already owes `maxPending` answers. `send` is called with the id to send the invocation.
   */
  start(
    timeoutMs: number,
    signal: AbortSignal,
  ): { readonly id: string; readonly outcome: Promise<ClientInvocationOutcome> } | undefined {
    if (this.#pending.size >= this.maxPending) return undefined;
    // Ids distinct from the client's own invocation ids would not matter (they are in separate
    // directions), but a prefix makes the emulator's log easier to follow.
    const id = `s${this.#nextId++}`;
    const outcome = new Promise<ClientInvocationOutcome>((resolve) => {
      const finish = (value: ClientInvocationOutcome): void => {
        if (!this.#pending.delete(id)) return;
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      };
      const onAbort = (): void => {
        finish({ kind: 'cancelled' });
      };
      const timer = setTimeout(() => {
        finish({ kind: 'timeout' });
      }, timeoutMs);
      timer.unref();
      this.#pending.set(id, { settle: finish });
      signal.addEventListener('abort', onAbort, { once: true });
      if (signal.aborted) onAbort();
    });
    return { id, outcome };
  }

  /** A Completion from the client: `true` when it answered a pending invocation. */
  complete(message: CompletionMessage): boolean {
    const pending = this.#pending.get(message.invocationId);
    if (pending === undefined) return false;
    pending.settle(
      message.error !== undefined
        ? { kind: 'error', error: message.error }
        : { kind: 'result', hasResult: 'result' in message, result: message.result },
    );
    return true;
  }

  /** The connection ended: nothing pending will be answered. */
  closeAll(): void {
    for (const pending of [...this.#pending.values()]) pending.settle({ kind: 'closed' });
  }
}
