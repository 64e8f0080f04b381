import { ServerlessHubError } from '../errors/serverless-hub-error.js';

/** The error of a call its caller cancelled; the signal's reason is the cause. */
export function abortedError(signal: AbortSignal, what: string): ServerlessHubError {
  return new ServerlessHubError('REST_ABORTED', `${what} was cancelled by its AbortSignal.`, { cause: signal.reason });
}

/** `promise`, or a rejection as soon as `signal` aborts (the work behind `promise` goes on for others). */
export function raceAbort<T>(promise: Promise<T>, signal: AbortSignal | undefined, what: string): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) return Promise.reject(abortedError(signal, what));
  let onAbort = (): void => undefined;
  const aborted = new Promise<never>((_, reject) => {
    onAbort = () => {
      reject(abortedError(signal, what));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
  return Promise.race([promise, aborted]).finally(() => {
    signal.removeEventListener('abort', onAbort);
  });
}

/** Waits `ms` milliseconds, or rejects as soon as `signal` aborts. */
export function abortableDelay(ms: number, signal: AbortSignal | undefined, what: string): Promise<void> {
  if (signal?.aborted === true) return Promise.reject(abortedError(signal, what));
  return new Promise<void>((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortedError(signal as AbortSignal, what));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
