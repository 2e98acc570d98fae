import type { Socket } from "node:net";
import { Observable, Subject } from "rxjs";
import { TransportError } from "./errors.js";
import type { ByteDuplex } from "./byte-duplex.js";

/**
 * Adapts a connected `net.Socket` to a {@link ByteDuplex}. Nothing above this module touches the
 * socket. The socket reads only while `incoming$` has a subscriber (and is not paused), so one
 * reader can hand the stream to the next without losing a chunk. `incoming$` completes on the
 * remote's FIN and errors with a {@link TransportError} on a socket error, or with the error
 * given to `destroy(error)`; `drained$` mirrors the socket's `drain` event.
 */
export function socketDuplex(socket: Socket): ByteDuplex {
  const drained = new Subject<void>();
  socket.on("drain", () => drained.next());
  // Errors are reported through incoming$; this listener keeps an unobserved error from crashing
  // the process before anyone subscribed.
  let failure: Error | undefined;
  socket.on("error", (err) => {
    failure ??= err;
  });
  // The reason given to destroy(): reported as it is, as the end of incoming$.
  let localFailure: Error | undefined;
  socket.setNoDelay(true);
  const remote = `${socket.remoteAddress ?? "?"}:${socket.remotePort ?? "?"}`;
  // The socket reads only while someone subscribes and the user has not paused it, so that no
  // chunk is emitted into the void between one reader and the next (e.g. handshake → MConnection).
  let subscribed = false;
  let userPaused = false;
  const flow = () => {
    if (subscribed && !userPaused) socket.resume();
    else socket.pause();
  };
  socket.pause();

  const incoming$ = new Observable<Uint8Array>((subscriber) => {
    const onData = (chunk: Buffer) => subscriber.next(chunk);
    const onEnd = () => subscriber.complete();
    const onError = (err: Error) =>
      subscriber.error(localFailure ?? new TransportError(`socket to ${remote} failed: ${err.message}`, { cause: err }));
    const onClose = () => {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- the condition just checked that one of them is set
      if (localFailure ?? failure) onError((localFailure ?? failure)!);
      else subscriber.complete();
    };
    if (localFailure ?? failure) {
      // eslint-disable-next-line @typescript-eslint/no-non-null-assertion -- onError runs only when one of them is set (the socket's error sets failure first)
      onError((localFailure ?? failure)!);
      return;
    }
    socket.on("data", onData);
    socket.on("end", onEnd);
    socket.on("error", onError);
    socket.on("close", onClose);
    subscribed = true;
    flow();
    if (socket.destroyed) onClose();
    return () => {
      subscribed = false;
      flow();
      socket.off("data", onData);
      socket.off("end", onEnd);
      socket.off("error", onError);
      socket.off("close", onClose);
    };
  });

  return {
    incoming$,
    drained$: drained.asObservable(),
    remote,
    write: (chunk) => (socket.destroyed || !socket.writable ? true : socket.write(chunk)),
    // Nothing pending in the socket's writable state: every chunk went to the kernel (a write
    // the kernel took in full completes synchronously), so none is referenced any more.
    writesSettled: () => socket.writableLength === 0,
    pause: () => {
      userPaused = true;
      flow();
    },
    resume: () => {
      userPaused = false;
      flow();
    },
    // Node calls end's callback with an error when the socket is destroyed before it finished:
    // then nothing is known to have left, and `flushed` is not called.
    end: (flushed) => {
      if (!socket.destroyed) socket.end((error?: Error | null) => error == null && flushed?.());
    },
    // A reason given here ends incoming$ as it is (a layer above that failed to write, say).
    destroy: (error) => {
      if (error !== undefined && !socket.destroyed) localFailure ??= error;
      drained.complete();
      socket.destroy();
    },
  };
}
