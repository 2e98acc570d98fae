/**
 * An MConnection's lifecycle as one state machine: its states, the events that move it, and
 * every transition in one table ({@link transition}).
 *
 * ```
 *  new ──start──▶ running ──close──▶ closing ──our side written and ended──▶ closing-local-done ─┐
 *   │               │                   │                                                         │
 *   │               │                   └──the peer ended its side──▶ closing-remote-done ─┐      │
 *   │               │                                                                      │      │
 *   │               └─the peer ended its side─▶ ended (remote-closed)   the other half ────┴──────┴─▶ ended (closed)
 *   └─close─▶ ended (closed)                                            (or closeTimeout)
 *
 *  fail (an error, abort()) ends every state but `ended` at once, with that error.
 * ```
 * @module
 */

/** Where a connection is in its life. */
export type ConnectionState =
  /** Built, not started: `close()` ends it at once. */
  | "new"
  /** Reading and writing; takes new messages. */
  | "running"
  /** `close()` was called: no new messages; what is queued is being written. */
  | "closing"
  /** Closing, and our side is written and ended: waiting for the peer to end its side. */
  | "closing-local-done"
  /** Closing, and the peer ended its side first: writing the rest of ours, then done. */
  | "closing-remote-done"
  /** Over, with exactly one reason. */
  | "ended";

/** What moves a connection from one state to another. */
export type ConnectionEvent =
  | "start"
  | "close"
  /** Everything queued was written and our side of the duplex ended. */
  | "local-half-closed"
  /** The peer ended its side (the duplex's input completed). */
  | "remote-ended"
  /** `closeTimeout` passed while closing. */
  | "close-timeout";

/** Where an event leads: the next state, and when that is `ended`, how the connection ended. */
export type Transition = { readonly to: Exclude<ConnectionState, "ended"> } | { readonly to: "ended"; readonly end: "closed" | "remote-closed" };

const ended = (end: "closed" | "remote-closed"): Transition => ({ to: "ended", end });

const table: Readonly<Record<ConnectionState, Partial<Record<ConnectionEvent, Transition>>>> = {
  new: { start: { to: "running" }, close: ended("closed") },
  running: { close: { to: "closing" }, "remote-ended": ended("remote-closed") },
  closing: { "local-half-closed": { to: "closing-local-done" }, "remote-ended": { to: "closing-remote-done" }, "close-timeout": ended("closed") },
  "closing-local-done": { "remote-ended": ended("closed"), "close-timeout": ended("closed") },
  "closing-remote-done": { "local-half-closed": ended("closed"), "close-timeout": ended("closed") },
  ended: {},
};

/**
 * The transition `event` makes from `state`, or `undefined` when it makes none (a second
 * `close()`, anything after the end): the caller then leaves the state as it is. An error ends
 * any state but `ended` and is not in the table: it always leads to `ended`.
 */
export function transition(state: ConnectionState, event: ConnectionEvent): Transition | undefined {
  return table[state][event];
}

/** True between `start()` and the end (also while closing). */
export function isLive(state: ConnectionState): boolean {
  return state !== "new" && state !== "ended";
}
