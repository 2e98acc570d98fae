import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { expect } from "chai";
import { Switch, secretAuthenticator, loadOrGenerateNodeKey } from "rx-mconn";

it("configures a node whose ID is that of its key, loaded or generated in CometBFT's format", async () => {
  const config = await mkdtemp(join(tmpdir(), "rx-mconn-node-"));
  try {
    const key = await loadOrGenerateNodeKey(join(config, "node_key.json")); // CometBFT's format
    const sw = new Switch({
      nodeId: key.id,
      authenticate: secretAuthenticator(key), // every connection: SecretConnection, then NodeInfo
      network: "my-chain", // peers on another network are refused
      listen: "0.0.0.0:26656",
      persistentPeers: [`${"ab".repeat(20)}@10.0.0.2:26656`], // dialled at start and redialled after any failure
    });
    expect(sw.nodeId).to.equal(key.id);
  } finally {
    await rm(config, { recursive: true });
  }
});
