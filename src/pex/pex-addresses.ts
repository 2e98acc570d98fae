/**
 * Addresses as PEX carries them (`tendermint.p2p.NetAddress`: id, ip, port), the address a
 * peer is known by (its NodeInfo's listen address, as CometBFT's `NodeInfo.NetAddress()`), and
 * the address its connection came from (what the book places what it tells us by).
 * @module
 */
import { parseHostPort, isNodeId, toNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import type { NetAddress as ProtoNetAddress } from "../proto/tendermint/p2p/types.js";
import { formatIp, parseIp } from "./ip.js";

/** A peer as PEX needs it: its ID, NodeInfo listen address and socket address. */
export interface PexPeerInfo {
  readonly id: string;
  readonly nodeInfo: { readonly listenAddr: string };
  readonly socketAddr: string;
}

/**
 * An address from a `PexAddrs`, or a sentence saying why it does not parse (an ID that is not
 * 40 hex characters, an IP that is not an IP literal, a port out of 0–65535). Whether the book
 * takes it (routable, valid, not ours…) is the book's decision.
 */
export function fromProtoAddress(a: ProtoNetAddress): NetAddress | string {
  if (!isNodeId(a.id)) return `ID ${JSON.stringify(a.id.slice(0, 64))} is not 40 hex characters`;
  const ip = parseIp(a.ip);
  if (ip === undefined) return `${JSON.stringify(a.ip.slice(0, 64))} is not an IP address`;
  if (!Number.isInteger(a.port) || a.port < 0 || a.port > 65535) return `port ${a.port} is out of range`;
  return { id: a.id.toLowerCase(), host: formatIp(ip), port: a.port };
}

/** The wire form of `address` (`ID@host:port` or parsed; its host must be an IP literal). */
export function toProtoAddress(address: NetAddressLike): ProtoNetAddress {
  const a = toNetAddress(address);
  return { id: a.id, ip: a.host, port: a.port };
}

/**
 * The address `peer` is known by: its ID at the host and port of its NodeInfo listen address.
 * When that host is no IP literal (a name, or unparseable), the socket's IP with the listen port.
 */
export function peerAddress(peer: PexPeerInfo): NetAddress {
  const socket = parseHostPort(peer.socketAddr);
  try {
    const listen = parseHostPort(peer.nodeInfo.listenAddr.replace(/^[a-z]+:\/\//, ""));
    const ip = parseIp(listen.host);
    return { id: peer.id, host: ip === undefined ? socket.host : formatIp(ip), port: listen.port };
  } catch {
    return { id: peer.id, host: socket.host, port: socket.port };
  }
}

/**
 * The source the book files what `peer` tells us under: its ID at the IP its connection came
 * from (the socket's remote address, which the peer cannot choose as it chooses its listen
 * address), with its listen port. When the socket address is no IP (a connection that is not
 * TCP), the listen address as {@link peerAddress} gives it.
 */
export function connectionSource(peer: PexPeerInfo): NetAddress {
  const claimed = peerAddress(peer);
  try {
    const ip = parseIp(parseHostPort(peer.socketAddr).host);
    return ip === undefined ? claimed : { ...claimed, host: formatIp(ip) };
  } catch {
    return claimed;
  }
}
