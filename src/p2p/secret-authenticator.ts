/**
 * SecretConnection as the peer layer's authentication step.
 * @module
 */
import type { Authenticate } from "./upgrade.js";
import { secretHandshake, type SecretHandshakeOptions } from "../secret/handshake.js";
import type { NodeKey } from "../secret/node-key.js";

/**
 * The {@link Authenticate} step of a `Switch` or `TcpTransport`: a SecretConnection handshake
 * with `nodeKey`, yielding the encrypted duplex and the remote's proven node ID. Early bytes
 * are sent in the frame of our `AuthSigMessage` (see {@link SecretHandshakeOptions.early}).
 */
export function secretAuthenticator(nodeKey: NodeKey, options: Omit<SecretHandshakeOptions, "ephemeralPrivateKey" | "early"> = {}): Authenticate {
  return async (duplex, early) => {
    const conn = await secretHandshake(duplex, nodeKey, early === undefined ? options : { ...options, early });
    return { duplex: conn.duplex, remoteId: conn.remoteId, sentEarly: early !== undefined };
  };
}
