/// <reference types="node" preserve="true" />
// Node's types are part of this entry's declarations (sockets, buffers, timers): a consumer's
// TypeScript loads them from @types/node even where its `types` option lists none (TypeScript 6+).
/**
 * CometBFT's protobuf schemas (`proto/`, generated into `src/proto` by ts-proto): one namespace
 * per `.proto` file, named after its path in camelCase, without the leading `tendermint/` —
 * `tendermint/p2p/pex.proto` is {@link p2pPex}, `google/protobuf/timestamp.proto` is
 * {@link googleProtobufTimestamp}. Each message is a type and a value of the same name (its
 * `encode`/`decode`), which is what {@link rx-mconn!protoCodec} takes:
 *
 * ```ts
 * import { protoCodec } from "rx-mconn";
 * import { p2pPex } from "rx-mconn/proto";
 *
 * sw.addReactor("pex", { channels: [{ id: 0x00, codec: protoCodec(p2pPex.Message) }] });
 * ```
 * @module rx-mconn/proto
 */

/** `tendermint/p2p/conn.proto`: MConnection's `Packet` and SecretConnection's `AuthSigMessage`. */
export * as p2pConn from "./proto/tendermint/p2p/conn.js";
/** `tendermint/p2p/pex.proto`: peer exchange (channel 0x00). */
export * as p2pPex from "./proto/tendermint/p2p/pex.js";
/** `tendermint/p2p/types.proto`: `DefaultNodeInfo`, exchanged after the secret handshake. */
export * as p2pTypes from "./proto/tendermint/p2p/types.js";
/** `tendermint/consensus/types.proto`: consensus messages (channels 0x20–0x23). */
export * as consensusTypes from "./proto/tendermint/consensus/types.js";
/** `tendermint/mempool/types.proto`: transaction batches (channel 0x30). */
export * as mempoolTypes from "./proto/tendermint/mempool/types.js";
/** `tendermint/blocksync/types.proto`: block requests and responses (channel 0x40). */
export * as blocksyncTypes from "./proto/tendermint/blocksync/types.js";
/** `tendermint/statesync/types.proto`: snapshots and chunks (channels 0x60, 0x61). */
export * as statesyncTypes from "./proto/tendermint/statesync/types.js";
/** `tendermint/types/block.proto`: `Block`. */
export * as typesBlock from "./proto/tendermint/types/block.js";
/** `tendermint/types/evidence.proto`: evidence of misbehaviour (channel 0x38). */
export * as typesEvidence from "./proto/tendermint/types/evidence.js";
/** `tendermint/crypto/keys.proto`: public keys. */
export * as cryptoKeys from "./proto/tendermint/crypto/keys.js";
/** `tendermint/crypto/proof.proto`: Merkle proofs. */
export * as cryptoProof from "./proto/tendermint/crypto/proof.js";
/** `tendermint/libs/bits/types.proto`: `BitArray`. */
export * as libsBitsTypes from "./proto/tendermint/libs/bits/types.js";
/** `tendermint/types/types.proto`: blocks, parts, votes, proposals. */
export * as typesTypes from "./proto/tendermint/types/types.js";
/** `tendermint/types/validator.proto`: validators. */
export * as typesValidator from "./proto/tendermint/types/validator.js";
/** `tendermint/version/types.proto`: protocol versions. */
export * as versionTypes from "./proto/tendermint/version/types.js";
/** `google/protobuf/timestamp.proto`: `Timestamp`. */
export * as googleProtobufTimestamp from "./proto/google/protobuf/timestamp.js";
