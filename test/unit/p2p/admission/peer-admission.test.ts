import { expect } from "chai";
import sinon from "sinon";
import { admission, type AdmissionRules, type Candidate } from "../../../../src/p2p/admission/peer-admission.js";
import { FilterError, PeerRejectedError } from "../../../../src/p2p/errors.js";
import type { NodeInfo } from "../../../../src/p2p/node-info.js";

const id = (c: string) => c.repeat(40);
const info = { nodeId: id("c") } as NodeInfo;
const candidate = (over: Partial<Candidate> = {}): Candidate => ({ remoteId: id("c"), nodeInfo: info, outbound: false, socketAddr: "127.0.0.1:5", ...over });
const rules = (over: Partial<AdmissionRules> = {}): AdmissionRules => ({ running: true, maxInboundPeers: 1, maxOutboundPeers: 1, persistent: new Set(), ...over });
const refusal = (a: ReturnType<typeof admission>) => (a.accepted ? "accepted" : a.error instanceof PeerRejectedError ? a.error.rule : a.error.reason);

describe("admission (a pure function, no sockets)", () => {
  it("accepts within the limits and says whether the peer is persistent", () => {
    expect(admission([], rules(), candidate())).to.deep.equal({ accepted: true, persistent: false });
    expect(admission([], rules({ persistent: new Set([id("c")]) }), candidate())).to.deep.equal({ accepted: true, persistent: true });
  });

  it("refuses while stopping, a duplicate ID, and past each limit (inbound and outbound counted apart)", () => {
    expect(refusal(admission([], rules({ running: false }), candidate()))).to.equal("stopping");
    expect(refusal(admission([{ id: id("c"), isOutbound: true }], rules(), candidate()))).to.equal("duplicate-id");
    const one = [{ id: id("a"), isOutbound: false }];
    expect(refusal(admission(one, rules(), candidate()))).to.equal("max-inbound");
    expect(refusal(admission(one, rules(), candidate({ outbound: true })))).to.equal("accepted");
    expect(refusal(admission([{ id: id("a"), isOutbound: true }], rules(), candidate({ outbound: true })))).to.equal("max-outbound");
    expect(refusal(admission(one, rules({ maxInboundPeers: 0 }), candidate()))).to.equal("max-inbound");
  });

  it("never refuses a persistent peer for a limit, but counts persistent peers in the limits (as CometBFT)", () => {
    const full = [{ id: id("a"), isOutbound: false }, { id: id("b"), isOutbound: true }];
    const r = rules({ persistent: new Set([id("c")]) });
    expect(refusal(admission(full, r, candidate()))).to.equal("accepted");
    expect(refusal(admission(full, r, candidate({ outbound: true })))).to.equal("accepted");
    // ten persistent outbound peers fill maxOutboundPeers: another outbound dial is refused
    const persistent = Array.from({ length: 10 }, (_, i) => ({ id: id(String(i)), isOutbound: true }));
    const ten = rules({ maxOutboundPeers: 10, persistent: new Set(persistent.map((p) => p.id)) });
    expect(refusal(admission(persistent, ten, candidate({ outbound: true })))).to.equal("max-outbound");
  });

  it("consults the filter once, last, only for a connection the other rules admit", () => {
    const filterPeer = sinon.stub().returns(false);
    expect(refusal(admission([{ id: id("a"), isOutbound: false }], rules({ filterPeer }), candidate()))).to.equal("max-inbound");
    expect(filterPeer.called).to.equal(false);
    expect(refusal(admission([], rules({ filterPeer }), candidate()))).to.equal("filter");
    expect(filterPeer.calledOnceWithExactly(id("c"), info)).to.equal(true);
  });

  it("turns a throwing filter into a refusal with FilterError carrying the cause and the peer", () => {
    const cause = new Error("boom");
    const filterPeer = sinon.stub().throws(cause);
    const a = admission([], rules({ filterPeer }), candidate());
    expect(a.accepted).to.equal(false);
    const error = (a as { error: FilterError }).error;
    expect(error).to.be.instanceOf(FilterError);
    expect(error.cause).to.equal(cause);
    expect(error.filter).to.equal("filterPeer");
    expect(error.peer).to.deep.equal({ id: id("c"), address: "127.0.0.1:5" });
    expect(filterPeer.calledOnce).to.equal(true);
  });
});
