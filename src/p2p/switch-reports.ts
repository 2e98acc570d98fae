/**
 * What a Switch reports besides its peers: connections refused and persistent peers' failed
 * redials (`rejected$`), and failures of user code it caught (`errors$`, each logged at `warn`
 * too). A subscriber that throws is itself a failure of user code: reported, and the peer
 * concerned (if any) is ended.
 * @module
 */
import { Subject, type Observable } from "rxjs";
import type { MConnError } from "../error-base.js";
import type { Logger } from "../logger.js";
import { SubscriberError, type GuardedStream } from "./errors.js";
import { GuardedObservable } from "./guarded-observable.js";
import type { Peer } from "./peer.js";
import type { InboundFailure } from "./transport.js";

/** A connection refused (inbound), or a persistent peer's dial that failed (outbound). */
export interface Rejection extends InboundFailure {
  readonly direction: "inbound" | "outbound";
}

/** The Switch's `rejected$` and `errors$`, and the reports that feed them. */
export class SwitchReports {
  private readonly rejections = new Subject<Rejection>();
  private readonly failures = new Subject<MConnError>();
  /** Refusals, for the Switch's own log (unguarded: only our code subscribes). */
  readonly refusals: Observable<Rejection> = this.rejections.asObservable();
  /** Refusals and failed redials; subscribers are guarded. */
  readonly rejected$: Observable<Rejection>;
  /** Failures of user code; a subscriber that throws is logged at `error`. */
  readonly errors$: Observable<MConnError>;

  constructor(private readonly logger: Logger) {
    this.rejected$ = GuardedObservable.from(this.rejections, (err) => this.subscriberThrew("rejected$", err, undefined));
    this.errors$ = GuardedObservable.from(this.failures, (err) => logger.error({ err: String(err) }, "a subscriber of errors$ threw"));
  }

  /** Tells `rejected$`. */
  reject(rejection: Rejection): void {
    this.rejections.next(rejection);
  }

  /** Logs a failure of user code and tells `errors$`. */
  report(error: MConnError): void {
    this.logger.warn({ reason: error.reason, err: error.message }, "user code failed");
    if (!this.failures.closed) this.failures.next(error);
  }

  /** A subscriber of `stream` threw `cause`: reported as a `SubscriberError`, and `peer` ended with it. */
  subscriberThrew(stream: GuardedStream, cause: unknown, peer: Peer | undefined): void {
    const error = new SubscriberError(stream, peer?.ref, cause);
    this.report(error);
    peer?.connection.abort(error);
  }

  /** Completes both streams (the Switch stopped). */
  complete(): void {
    this.rejections.complete();
    this.failures.complete();
  }
}
