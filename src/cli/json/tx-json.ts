/**
 * `rx-mconn tx --json`: the transaction, named as CometBFT's RPC names it (`/tx`'s `hash` and
 * `tx`), and the nodes whose connections wrote it out.
 * @module
 */
import { arr, bool, obj, str, type JsonOf } from "./schema.js";

/** The output of `rx-mconn tx --json`. */
export const txSchema = obj(
  {
    hash: str("hex", "the transaction's hash, SHA-256 of its bytes (RPC `/tx?hash=0x…` finds it by this)"),
    tx: str("base64", "the transaction's bytes"),
    nodes: arr(
      obj(
        {
          id: str("node-id", "the node's ID"),
          moniker: str("text", "its name"),
          sent: bool("its connection wrote the transaction out within `--timeout`"),
        },
        "one node given",
      ),
      "the nodes given, in order",
    ),
  },
  "the transaction and where it went",
);

/** `rx-mconn tx --json`'s output, parsed. */
export type TxJson = JsonOf<typeof txSchema>;
