/**
 * SecretConnection as the peer layer's authentication step.
 * @module
 */
import type { Authenticate } from "../p2p/upgrade.js";
import { secretHandshake, type SecretHandshakeOptions } from "./handshake.js";
import type { NodeKey } from "./node-key.js";

/**
 * The {@link Authenticate} step of a `Switch` or `TcpTransport`: a SecretConnection handshake
 * with `nodeKey`, yielding the encrypted duplex and the remote's proven node ID.
 */
export function secretAuthenticator(nodeKey: NodeKey, options: Omit<SecretHandshakeOptions, "ephemeralPrivateKey"> = {}): Authenticate {
  return (duplex) => secretHandshake(duplex, nodeKey, options);
}
