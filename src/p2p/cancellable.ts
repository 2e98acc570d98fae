/**
 * A promise that an `AbortSignal` can cancel: what `Switch.dial` waits on.
 * @module
 */
import { asError } from "./user-hooks.js";

/**
 * `promise`, or a rejection with `aborted()` once `signal` fires; a value that arrives after
 * the abort is handed to `discard`.
 */
export function cancellable<T>(promise: Promise<T>, signal: AbortSignal | undefined, aborted: () => Error, discard: (late: T) => void): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    let settled = false;
    const onAbort = () => {
      settled = true;
      reject(aborted());
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        if (settled) discard(value);
        else resolve(value);
      },
      (err: unknown) => {
        signal.removeEventListener("abort", onAbort);
        if (!settled) reject(asError(err));
      },
    );
  });
}
