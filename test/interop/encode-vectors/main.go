// Encodes one message of each kind that a single-validator node does not send on its own, with
// CometBFT's own Go types (v0.38 line), for rx-mconn's codec tests. Built and run inside a copy
// of the CometBFT module source by scripts/record-cometbft-vectors.sh; prints JSON.
package main

import (
	"encoding/hex"
	"encoding/json"
	"os"
	"time"

	"github.com/cosmos/gogoproto/proto"

	bs "github.com/cometbft/cometbft/proto/tendermint/blocksync"
	cons "github.com/cometbft/cometbft/proto/tendermint/consensus"
	crypto "github.com/cometbft/cometbft/proto/tendermint/crypto"
	bits "github.com/cometbft/cometbft/proto/tendermint/libs/bits"
	mem "github.com/cometbft/cometbft/proto/tendermint/mempool"
	p2p "github.com/cometbft/cometbft/proto/tendermint/p2p"
	ss "github.com/cometbft/cometbft/proto/tendermint/statesync"
	types "github.com/cometbft/cometbft/proto/tendermint/types"
	version "github.com/cometbft/cometbft/proto/tendermint/version"
)

type vector struct {
	Channel int    `json:"channel"`
	Type    string `json:"type"`
	Hex     string `json:"hex"`
}

func fill(n int, b byte) []byte {
	out := make([]byte, n)
	for i := range out {
		out[i] = b
	}
	return out
}

func main() {
	at := time.Date(2026, 11, 30, 12, 0, 0, 123456789, time.UTC)
	blockID := types.BlockID{Hash: fill(32, 1), PartSetHeader: types.PartSetHeader{Total: 2, Hash: fill(32, 2)}}
	vote := func(round int32, ext bool) *types.Vote {
		v := &types.Vote{Type: types.PrecommitType, Height: 9, Round: round, BlockID: blockID, Timestamp: at,
			ValidatorAddress: fill(20, 3), ValidatorIndex: 1, Signature: fill(64, 4)}
		if ext {
			v.Extension, v.ExtensionSignature = []byte("extension"), fill(64, 5)
		}
		return v
	}
	header := types.Header{Version: version.Consensus{Block: 11, App: 1}, ChainID: "vectors", Height: 9, Time: at,
		LastBlockId: blockID, AppHash: fill(8, 6), ProposerAddress: fill(20, 3)}
	validator := &types.Validator{Address: fill(20, 3), PubKey: crypto.PublicKey{Sum: &crypto.PublicKey_Ed25519{Ed25519: fill(32, 7)}}, VotingPower: 10, ProposerPriority: -5}
	commit := &types.Commit{Height: 9, Round: 0, BlockID: blockID, Signatures: []types.CommitSig{
		{BlockIdFlag: types.BlockIDFlagCommit, ValidatorAddress: fill(20, 3), Timestamp: at, Signature: fill(64, 4)},
		{BlockIdFlag: types.BlockIDFlagAbsent, Timestamp: time.Unix(0, 0).UTC()},
	}}
	out := []vector{}
	add := func(channel int, kind string, m proto.Message) {
		b, err := proto.Marshal(m)
		if err != nil {
			panic(err)
		}
		out = append(out, vector{channel, kind, hex.EncodeToString(b)})
	}

	add(0x21, "proposalPol", &cons.Message{Sum: &cons.Message_ProposalPol{ProposalPol: &cons.ProposalPOL{Height: 9, ProposalPolRound: 1, ProposalPol: bits.BitArray{Bits: 4, Elems: []uint64{5}}}}})
	add(0x22, "vote", &cons.Message{Sum: &cons.Message_Vote{Vote: &cons.Vote{Vote: vote(2, true)}}})
	add(0x30, "txs", &mem.Message{Sum: &mem.Message_Txs{Txs: &mem.Txs{Txs: [][]byte{[]byte("a=1"), fill(300, 8)}}}})
	add(0x38, "evidenceList", &types.EvidenceList{Evidence: []types.Evidence{
		{Sum: &types.Evidence_DuplicateVoteEvidence{DuplicateVoteEvidence: &types.DuplicateVoteEvidence{VoteA: vote(0, false), VoteB: vote(1, false), TotalVotingPower: 30, ValidatorPower: 10, Timestamp: at}}},
		{Sum: &types.Evidence_LightClientAttackEvidence{LightClientAttackEvidence: &types.LightClientAttackEvidence{
			ConflictingBlock: &types.LightBlock{SignedHeader: &types.SignedHeader{Header: &header, Commit: commit},
				ValidatorSet: &types.ValidatorSet{Validators: []*types.Validator{validator}, Proposer: validator, TotalVotingPower: 10}},
			CommonHeight: 4, ByzantineValidators: []*types.Validator{validator}, TotalVotingPower: 10, Timestamp: at}}},
	}})
	add(0x40, "blockRequest", &bs.Message{Sum: &bs.Message_BlockRequest{BlockRequest: &bs.BlockRequest{Height: 9}}})
	add(0x40, "noBlockResponse", &bs.Message{Sum: &bs.Message_NoBlockResponse{NoBlockResponse: &bs.NoBlockResponse{Height: 10}}})
	add(0x40, "statusRequest", &bs.Message{Sum: &bs.Message_StatusRequest{StatusRequest: &bs.StatusRequest{}}})
	add(0x40, "statusResponse", &bs.Message{Sum: &bs.Message_StatusResponse{StatusResponse: &bs.StatusResponse{Height: 9, Base: 1}}})
	add(0x40, "blockResponse", &bs.Message{Sum: &bs.Message_BlockResponse{BlockResponse: &bs.BlockResponse{
		Block: &types.Block{Header: header, Data: types.Data{Txs: [][]byte{[]byte("a=1")}}, LastCommit: commit},
		ExtCommit: &types.ExtendedCommit{Height: 9, BlockID: blockID, ExtendedSignatures: []types.ExtendedCommitSig{
			{BlockIdFlag: types.BlockIDFlagCommit, ValidatorAddress: fill(20, 3), Timestamp: at, Signature: fill(64, 4), Extension: []byte("extension"), ExtensionSignature: fill(64, 5)}}},
	}}})
	add(0x60, "snapshotsRequest", &ss.Message{Sum: &ss.Message_SnapshotsRequest{SnapshotsRequest: &ss.SnapshotsRequest{}}})
	add(0x60, "snapshotsResponse", &ss.Message{Sum: &ss.Message_SnapshotsResponse{SnapshotsResponse: &ss.SnapshotsResponse{Height: 9, Format: 1, Chunks: 3, Hash: fill(32, 9), Metadata: []byte("meta")}}})
	add(0x61, "chunkRequest", &ss.Message{Sum: &ss.Message_ChunkRequest{ChunkRequest: &ss.ChunkRequest{Height: 9, Format: 1, Index: 2}}})
	add(0x61, "chunkResponse", &ss.Message{Sum: &ss.Message_ChunkResponse{ChunkResponse: &ss.ChunkResponse{Height: 9, Format: 1, Index: 2, Chunk: fill(100, 10)}}})
	add(0x61, "chunkResponse-missing", &ss.Message{Sum: &ss.Message_ChunkResponse{ChunkResponse: &ss.ChunkResponse{Height: 9, Format: 1, Index: 3, Missing: true}}})
	add(0x00, "pexRequest", &p2p.Message{Sum: &p2p.Message_PexRequest{PexRequest: &p2p.PexRequest{}}})
	add(0x00, "pexAddrs", &p2p.Message{Sum: &p2p.Message_PexAddrs{PexAddrs: &p2p.PexAddrs{Addrs: []p2p.NetAddress{{ID: "0123456789abcdef0123456789abcdef01234567", IP: "127.0.0.1", Port: 26656}}}}})

	enc := json.NewEncoder(os.Stdout)
	enc.SetIndent("", " ")
	if err := enc.Encode(out); err != nil {
		panic(err)
	}
}
