import { expect } from "chai";
import { DialError, HandshakeError, InternalError, MConnError, NodeInfoError, PeerRejectedError, TruncatedError } from "../../../src/index.js";
import { AddressRefusedError } from "../../../src/pex/index.js";

describe("routine failures are built without a stack trace", () => {
  afterEach(() => {
    MConnError.captureRoutineStacks = false;
  });

  const routine = (): MConnError[] => [
    new PeerRejectedError("max-inbound", "already 40 inbound peers"),
    new DialError("dialing 1.2.3.4:26656 timed out after 3000 ms"),
    new AddressRefusedError("self", "x@1.2.3.4:1", "it is our own address"),
    new TruncatedError("the stream ended"),
    new HandshakeError("truncated", "the stream ended", { cause: new TruncatedError("eof") }),
  ];

  it("keeps class, reason, message and cause, with a stack of name and message only", () => {
    for (const error of routine()) {
      expect(error).to.be.instanceOf(MConnError);
      expect(error).to.be.instanceOf(Error);
      expect(error.stack, error.name).to.equal(`${error.name}: ${error.message}`);
    }
    const h = routine()[4];
    expect(h.reason).to.equal("handshake-truncated");
    expect(h.cause).to.be.instanceOf(TruncatedError);
  });

  it("captures stacks for every other error, and leaves Error.stackTraceLimit as it was", () => {
    const limit = Error.stackTraceLimit;
    routine();
    expect(Error.stackTraceLimit).to.equal(limit);
    for (const error of [new InternalError("a state never reached"), new NodeInfoError("self", "connected to ourselves"), new Error("plain")]) {
      expect(error.stack, error.name).to.match(/\n\s+at /);
    }
  });

  it("captures them too with MConnError.captureRoutineStacks", () => {
    MConnError.captureRoutineStacks = true;
    for (const error of routine()) expect(error.stack, error.name).to.match(/\n\s+at /);
  });
});
