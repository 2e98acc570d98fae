// Global hooks: a test that leaves an unhandled rejection or an uncaught exception fails the run.
const problems: unknown[] = [];
process.on("unhandledRejection", (reason) => problems.push(reason));
process.on("uncaughtException", (err) => problems.push(err));

export const mochaHooks = {
  afterEach(this: Mocha.Context) {
    if (problems.length > 0) {
      const found = problems.splice(0);
      throw new Error(`unhandled error during test: ${found.map((e) => (e instanceof Error ? e.stack : String(e))).join("\n")}`);
    }
  },
};
