// Global hooks: a test that leaves an unhandled rejection or an uncaught exception fails the run,
// and so does a run that leaves anything open (socket, server, child process, timer) at its end.
import { handlesAfterClosing, openHandles } from "./helpers/open-handles.js";

const problems: unknown[] = [];
process.on("unhandledRejection", (reason) => problems.push(reason));
process.on("uncaughtException", (err) => problems.push(err));

/** How long the last hook waits for sockets and servers that are still closing. */
const CLOSING_MS = 3_000;
/** How long the process may live on after the run before it is ended as hung. */
const EXIT_MS = 10_000;

/** Ends a process that something keeps alive, naming what, with a failing status. */
function exitIfStillAliveAfter(ms: number): void {
  setTimeout(() => {
    process.stderr.write(`the process is still alive ${ms / 1000} s after the run; open: ${openHandles().join("; ") || "(nothing Node lists)"}\n`);
    process.on("exit", () => (process.exitCode = 1)); // after the runner's own exit handler, which sets its failure count
    process.exit(1);
  }, ms).unref();
}

export const mochaHooks = {
  afterEach(this: Mocha.Context) {
    if (problems.length > 0) {
      const found = problems.splice(0);
      throw new Error(`unhandled error during test: ${found.map((e) => (e instanceof Error ? e.stack : String(e))).join("\n")}`);
    }
  },
  afterAll: [
    // Sockets and servers finish closing a moment after the tests' last hooks: wait for them.
    async function waitForClosingHandles(this: Mocha.Context) {
      this.timeout(CLOSING_MS + 5_000);
      await handlesAfterClosing(CLOSING_MS);
    },
    // Synchronous, so that the runner holds no timer of its own while it looks.
    function nothingLeftOpen() {
      exitIfStillAliveAfter(EXIT_MS);
      const open = openHandles();
      if (open.length > 0) throw new Error(`left open after the last test (the process cannot exit): ${open.join("; ")}`);
    },
  ],
};
