import { expect } from "chai";
import { protoCodec } from "rx-mconn";
import { p2pPex } from "rx-mconn/proto";

it("decodes CometBFT's PEX messages on channel 0x00", () => {
  // as a channel declares it: sw.addReactor("pex", { channels: [{ id: 0x00, codec: pex }] })
  const pex = protoCodec(p2pPex.Message);
  const request: p2pPex.Message = { sum: { $case: "pexRequest", value: {} } };
  const bytes = pex.encode(request);
  expect(bytes).to.deep.equal(Uint8Array.of(0x0a, 0x00)); // field 1 (pex_request), empty
  expect(pex.decode(bytes)).to.deep.equal(request);
});
