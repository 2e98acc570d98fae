/**
 * The CLI's answer to SIGINT and SIGTERM: the first asks the command to stop, a second ends the
 * process at once.
 */

/** What {@link stopSignal} needs of `process`. */
export interface SignalSource {
  on(signal: "SIGINT" | "SIGTERM", listener: (signal: NodeJS.Signals) => void): unknown;
}

/**
 * Resolves on the first SIGINT or SIGTERM; a second one calls `exit` with 128 + the signal's
 * number (130, 143), as a shell reports a process the signal ended. Installs its handlers when
 * called: a command calls it once it has something to shut down, and until then a signal ends
 * the process as by default.
 */
export function stopSignal(source: SignalSource = process, exit: (code: number) => void = (code) => process.exit(code)): Promise<void> {
  return new Promise((resolve) => {
    let received = false;
    const onSignal = (signal: NodeJS.Signals) => {
      if (received) exit(128 + (signal === "SIGINT" ? 2 : 15));
      received = true;
      resolve();
    };
    source.on("SIGINT", onSignal);
    source.on("SIGTERM", onSignal);
  });
}
