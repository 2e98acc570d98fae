// Command rx-mconn-mldsa-validator gives a CometBFT v0.40 home an ML-DSA-65 validator key: it
// writes a fresh ml-dsa-65 priv_validator_key.json (and an empty sign state), names that key as
// the genesis's only validator and adds "ml_dsa_65" to the genesis's allowed validator key types.
// `cometbft init` and `testnet` make only Ed25519 validator keys, so the interop tests build the
// home with this program, compiled inside the v0.40 module source (see
// test/interop/cometbft-network.ts). Prints the validator's address (hex).
// Usage: rx-mconn-mldsa-validator HOME
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/cometbft/cometbft/crypto/mldsa65"
	"github.com/cometbft/cometbft/privval"
	"github.com/cometbft/cometbft/types"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: rx-mconn-mldsa-validator HOME")
		os.Exit(2)
	}
	home := os.Args[1]
	key, err := mldsa65.GenPrivKey()
	if err != nil {
		fail(err)
	}
	pv := privval.NewFilePV(key, filepath.Join(home, "config", "priv_validator_key.json"), filepath.Join(home, "data", "priv_validator_state.json"))
	pv.Save()
	genesisFile := filepath.Join(home, "config", "genesis.json")
	genesis, err := types.GenesisDocFromFile(genesisFile)
	if err != nil {
		fail(err)
	}
	pub := key.PubKey()
	genesis.Validators = []types.GenesisValidator{{Address: pub.Address(), PubKey: pub, Power: 10}}
	genesis.ConsensusParams.Validator.PubKeyTypes = []string{types.ABCIPubKeyTypeEd25519, types.ABCIPubKeyTypeMlDsa65}
	if err := genesis.SaveAs(genesisFile); err != nil {
		fail(err)
	}
	fmt.Println(pub.Address().String())
}

func fail(err error) {
	fmt.Fprintln(os.Stderr, "rx-mconn-mldsa-validator:", err)
	os.Exit(1)
}
