/**
 * What a Switch logs of its own events: each refused inbound connection at `debug`, and at
 * `info` a count by reason at most every `summaryInterval` ms (a flood of refused sockets costs
 * one line per interval, not one per socket); peers added and removed at `info`.
 * @module
 */
import { filter, type Observable, type SchedulerLike } from "rxjs";
import type { Logger } from "../logger.js";
import { countByKey } from "./count-by-key.js";
import type { PeerEvent } from "./peer-set.js";
import type { Rejection } from "./switch-reports.js";

/** Subscribes `log` to `rejections` and `events` (both complete when the switch stops). */
export function logSwitchEvents(log: Logger, rejections: Observable<Rejection>, events: Observable<PeerEvent>, summaryInterval: number, scheduler: SchedulerLike): void {
  const inbound$ = rejections.pipe(filter((r) => r.direction === "inbound"));
  inbound$.subscribe(({ socketAddr, error }) => log.debug({ addr: socketAddr, reason: reasonOf(error), err: String(error) }, "inbound connection refused"));
  inbound$
    .pipe(countByKey(({ error }) => reasonOf(error), summaryInterval, scheduler))
    .subscribe(({ total, counts }) => log.info({ refused: total, reasons: counts }, "inbound connections refused"));
  events.subscribe((e) => {
    if (e.type === "added") log.info({ peer: e.peer.id, addr: e.peer.socketAddr, outbound: e.peer.isOutbound }, "peer added");
    else log.info({ peer: e.peer.id, reason: e.reason.kind, err: e.reason.kind === "error" ? e.reason.error.message : undefined }, "peer removed");
  });
}

function reasonOf(error: unknown): string {
  return error instanceof Error && "reason" in error && typeof error.reason === "string" ? error.reason : "error";
}
