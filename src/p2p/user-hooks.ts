/**
 * The switch's wrappers around callbacks given in its options: a filter that throws refuses
 * the connection (`FilterError`), and the authentication step is bounded in time whatever the
 * authenticator does.
 * @module
 */
import type { SchedulerLike } from "rxjs";
import { TimeoutError } from "../error-base.js";
import { FilterError } from "./errors.js";
import type { AuthenticatedDuplex, Authenticate } from "./upgrade.js";

/**
 * `filter`, with a throw turned into a refusal: `report` receives a {@link FilterError} carrying
 * the cause, which is also the answer (the transport refuses the socket with it, on `rejected$`).
 */
export function guardFilterAddress(filter: (host: string, port: number) => boolean, report: (error: FilterError) => void): (host: string, port: number) => boolean | FilterError {
  return (host, port) => {
    try {
      return filter(host, port);
    } catch (err) {
      const error = new FilterError("filterAddress", `${host}:${port}`, err);
      report(error);
      return error;
    }
  };
}

/**
 * `authenticate`, bounded by `timeoutMs`: past it the raw duplex is destroyed and the step fails
 * with a {@link TimeoutError} (stage `secret-handshake`); an authenticator that throws synchronously fails the step
 * like one that rejects.
 */
export function guardAuthenticate(authenticate: Authenticate, timeoutMs: number, scheduler: SchedulerLike): Authenticate {
  return (duplex, early) =>
    new Promise<AuthenticatedDuplex>((resolve, reject) => {
      let done = false;
      const timer = scheduler.schedule(() => {
        if (done) return;
        done = true;
        const error = new TimeoutError("secret-handshake", timeoutMs);
        duplex.destroy(error);
        reject(error);
      }, timeoutMs);
      let step: Promise<AuthenticatedDuplex>;
      try {
        step = authenticate(duplex, early);
      } catch (err) {
        step = Promise.reject(asError(err));
      }
      step.then(
        (auth) => {
          timer.unsubscribe();
          if (done) { auth.duplex.destroy(); return; }
          done = true;
          resolve(auth);
        },
        (err: unknown) => {
          timer.unsubscribe();
          if (done) return;
          done = true;
          reject(asError(err));
        },
      );
    });
}

/** `err` if it is an Error, else an Error saying what was thrown. */
export function asError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
