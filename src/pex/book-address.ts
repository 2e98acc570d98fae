/**
 * Addresses as the book keeps them: IP literals in Go's text form, lowercase IDs.
 * @module
 */
import { formatNetAddress, isNodeId, toNetAddress, type NetAddress, type NetAddressLike } from "../p2p/netaddress.js";
import { AddressRefusedError } from "./errors.js";
import type { NetAddressError } from "../p2p/errors.js";
import { formatIp, isValidIp, parseIp } from "./ip.js";

/**
 * Normalises `addr` for the book: its host must be an IP literal (given in Go's text form back),
 * its ID 40 hex characters, its port 1–65535, and the IP valid. Takes `ID@host:port` text too.
 * @throws {AddressRefusedError} with refusal `invalid`; {@link NetAddressError} for text that does not parse.
 */
export function bookAddress(address: NetAddressLike): NetAddress {
  const addr = toNetAddress(address);
  const refuse = (why: string) => new AddressRefusedError("invalid", formatNetAddress(addr), why);
  if (!isNodeId(addr.id)) throw refuse("the ID is not 40 hex characters");
  if (!Number.isInteger(addr.port) || addr.port < 1 || addr.port > 65535) throw refuse("the port is not 1–65535");
  const ip = parseIp(addr.host);
  if (ip === undefined) throw refuse("the host is not an IP address");
  if (!isValidIp(ip)) throw refuse("the IP is unspecified, broadcast or a documentation address");
  return { id: addr.id.toLowerCase(), host: formatIp(ip), port: addr.port };
}

/**
 * Normalises a source address: only its IP must parse (CometBFT does not check a source; a peer
 * listening on 0.0.0.0 is still a source). Takes `ID@host:port` text too.
 * @throws {AddressRefusedError} with refusal `invalid`; {@link NetAddressError} for text that does not parse.
 */
export function sourceAddress(source: NetAddressLike): NetAddress {
  const src = toNetAddress(source);
  const ip = parseIp(src.host);
  if (ip === undefined || !isNodeId(src.id)) throw new AddressRefusedError("invalid", formatNetAddress(src), "the source has no node ID or IP");
  return { id: src.id.toLowerCase(), host: formatIp(ip), port: src.port };
}
