import { readFileSync } from "node:fs";
import { expect } from "chai";
import * as root from "../../../src/index.js";
import * as cometbft from "../../../src/cometbft/index.js";
import * as metrics from "../../../src/metrics/index.js";
import * as operators from "../../../src/operators.js";
import * as proto from "../../../src/proto.js";
import * as pex from "../../../src/pex/index.js";
import * as testing from "../../../src/testing/index.js";

// The runtime names of each entry point. A name added to or removed from an entry point is a
// change of the public API: make it here on purpose, not by a stray re-export.
const intended = {
  "rx-mconn": [
    "COMETBFT_CHANNELS", "ConfigError", "DEFAULT_MAX_RECEIVE_BUFFER", "DEFAULT_SECRET_HANDSHAKE_TIMEOUT", "DecodeError", "DialError",
    "EmptyFramesError", "FrameAuthenticationError", "FrameLengthError", "HandshakeError", "InternalError", "MConnError", "TimeoutError",
    "MConnection", "MEMORY_FLOOR_PER_CHANNEL", "MalformedPacketError", "MemoryBudget", "MemoryBudgetError", "MessageTooLargeError", "NODE_KEY_TYPE", "NetAddressError",
    "NodeInfoError", "NodeKeyError", "NonceExhaustedError", "PacketTooLargeError", "Peer", "PeerRejectedError",
    "PingFloodError", "PongTimeoutError", "ProtocolError", "ReactorError", "Switch", "TransportError",
    "TruncatedError", "UnknownChannelError", "WriteStallError", "backoffDefaults", "channelDefaults", "cometbftChannelName", "defaultHighWaterMark",
    "defaults", "duplexPair", "formatNetAddress", "formatNodeKey", "generateNodeKey", "isNodeId", "loadNodeKey",
    "loadOrGenerateNodeKey", "nodeIdOf", "nodeKeyFromSeed", "parseHostPort", "parseNetAddress", "parseNodeKey",
    "protoCodec", "saveNodeKey", "secretAuthenticator", "secretHandshake", "silentLogger", "socketDuplex",
    "verifyConfig", "verifyEd25519", "FilterError", "SubscriberError", "SendSourceError", "SendBufferFullError", "PeerEndedError",
    "DialAbortedError", "switchDefaults", "verifySwitchOptions",
  ],
  "rx-mconn/operators": [
    "OutboundChannel", "PING", "PONG", "TokenBucket", "batchCutter", "burstFor", "decodePacketBatches", "decodePackets", "encodeBatch", "keepalive",
    "limitIncoming", "limitPingRate", "maxPacketMsgSize", "reassemble", "reassembleBatches", "scheduleOutbound",
  ],
  "rx-mconn/metrics": ["serveMetrics", "switchMetrics"],
  "rx-mconn/proto": [
    "blocksyncTypes", "consensusTypes", "cryptoKeys", "cryptoProof", "googleProtobufTimestamp", "libsBitsTypes",
    "mempoolTypes", "p2pConn", "p2pPex", "p2pTypes", "statesyncTypes", "typesBlock", "typesEvidence", "typesTypes",
    "typesValidator", "versionTypes",
  ],
  "rx-mconn/cometbft": [
    "BlockNotAvailableError", "BlockRequestTimeoutError", "BlocksyncMessage", "COMETBFT_LINES", "ConsensusMessage",
    "DEFAULT_MAX_TX_BYTES", "EmptyTxError", "EvidenceList", "MempoolMessage", "PeerLeftError", "PexMessage", "SendRefusedError",
    "StatesyncMessage", "blocksyncChannels", "blocksyncCodec", "cometbftChannel", "cometbftChannels", "cometbftLine",
    "consensusChannels", "consensusCodec", "defaultMaxTxBytes", "evidenceChannels", "evidenceCodec", "fetchBlock", "mempoolChannels",
    "mempoolCodec", "mempoolRecvMessageCapacity", "pexChannels", "pexCodec", "statesyncChannels", "statesyncCodec",
    "submitTx", "TxTooLargeError", "blocks$", "consensusEvents$", "followRounds", "headerHash", "merkleRoot", "partSetHeader", "ROUND_STEPS",
  ],
  "rx-mconn/testing": ["connectedPair", "connectedPeers", "DEFAULT_MAX_FRAMES", "linkDefaults", "simulateNetwork", "VirtualTimeExceededError"],
  "rx-mconn/pex": [
    "AddressBook", "AddressBookFileError", "AddressRefusedError", "BadPexAddrsError", "BucketType", "EmptyPexMessageError",
    "MAX_ADDRBOOK_ENTRIES", "MAX_ADDRBOOK_FILE_SIZE", "PexRequestTooSoonError", "UnsolicitedAddrsError", "ZERO_TIME",
    "bookAddress", "bookParams", "decodeAddressBook", "encodeAddressBook", "formatIp", "groupKey", "isLocal", "isLoopback",
    "isRoutable", "openAddressBook", "parseIp", "pexParams", "PexReactor", "pexChannel", "PexDialer", "ensurePeers",
    "ensurePeersRound", "dialSeeds", "seedCrawl", "Pex", "pexDefaults", "verifyPexOptions", "fromProtoAddress", "peerAddress",
    "toProtoAddress", "sourceAddress", "crawl",
  ],
};

const actual: Record<keyof typeof intended, object> = {
  "rx-mconn": root,
  "rx-mconn/operators": operators,
  "rx-mconn/metrics": metrics,
  "rx-mconn/proto": proto,
  "rx-mconn/cometbft": cometbft,
  "rx-mconn/testing": testing,
  "rx-mconn/pex": pex,
};

describe("entry points", () => {
  for (const [name, names] of Object.entries(intended)) {
    it(`${name} exports exactly its intended names`, () => {
      expect(Object.keys(actual[name as keyof typeof intended]).sort()).to.deep.equal([...names].sort());
    });
  }

  it("package.json exports each entry point built from its module, and tsconfig maps its name to that module", () => {
    const manifest = JSON.parse(readFileSync("package.json", "utf8")) as { exports: Record<string, { types: string; default: string } | string> };
    // tsconfig.json is JSON here (no comments in it)
    const paths = (JSON.parse(readFileSync("tsconfig.json", "utf8")) as { compilerOptions: { paths: Record<string, string[]> } }).compilerOptions.paths;
    const modules = Object.fromEntries(
      Object.entries(manifest.exports)
        .filter(([subpath]) => subpath !== "./package.json")
        .map(([subpath, target]) => {
          if (typeof target === "string") throw new Error(`${subpath}: conditions expected`);
          expect(Object.keys(target), subpath).to.deep.equal(["types", "default"]);
          expect(target.types, subpath).to.equal(target.default.replace(/\.js$/, ".d.ts"));
          const name = subpath === "." ? "rx-mconn" : `rx-mconn/${subpath.slice(2)}`;
          return [name, target.default.replace(/^\.\/dist\//, "./").replace(/\.js$/, ".ts")];
        }),
    );
    expect(Object.keys(modules).sort()).to.deep.equal(Object.keys(intended).sort());
    expect(Object.fromEntries(Object.entries(paths).map(([name, [module]]) => [name, module]))).to.deep.equal(modules);
  });

  it("no runtime name is exported by two entry points", () => {
    const seen = new Map<string, string>();
    for (const [entry, module] of Object.entries(actual)) {
      for (const n of Object.keys(module)) {
        expect(seen.get(n), `${n} is in ${seen.get(n)} and ${entry}`).to.equal(undefined);
        seen.set(n, entry);
      }
    }
  });

  it("rx-mconn/proto gives each schema's messages as encoders usable with protoCodec", () => {
    const codec = root.protoCodec(proto.p2pPex.PexRequest);
    expect(codec.decode(codec.encode({}))).to.deep.equal({});
    const pex = root.protoCodec(proto.p2pPex.Message);
    const message = { sum: { $case: "pexRequest" as const, value: {} } };
    expect(pex.decode(pex.encode(message))).to.deep.equal(message);
    expect(proto.p2pPex.protobufPackage).to.equal("tendermint.p2p");
  });
});
