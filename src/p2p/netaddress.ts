/**
 * Peer addresses in CometBFT's text form, `ID@host:port`.
 * @module
 */
import { isIP } from "node:net";
import { NetAddressError } from "./errors.js";

/** A peer address: node ID, host (an IP or a DNS name) and port. */
export interface NetAddress {
  /** 40 lowercase hex characters: the first 20 bytes of SHA-256 of the peer's Ed25519 key. */
  readonly id: string;
  readonly host: string;
  readonly port: number;
}

const ID_PATTERN = /^[0-9a-fA-F]{40}$/;
const HOSTNAME = /^(?=.{1,253}$)([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/;

/** True when `id` is a well-formed node ID (40 hex characters, 20 bytes). */
export function isNodeId(id: string): boolean {
  return ID_PATTERN.test(id);
}

/**
 * Splits `host:port` (IPv6 in brackets) as Go's `SplitHostPort` does and checks both.
 * @throws {NetAddressError}
 */
export function parseHostPort(text: string, input = text): { host: string; port: number } {
  let host: string;
  let portText: string;
  if (text.startsWith("[")) {
    const close = text.indexOf("]");
    if (close < 0 || text[close + 1] !== ":") throw new NetAddressError(input, "expected [IPv6]:port");
    host = text.slice(1, close);
    portText = text.slice(close + 2);
    if (isIP(host) !== 6) throw new NetAddressError(input, `${JSON.stringify(host)} is not an IPv6 address`);
  } else {
    const colon = text.lastIndexOf(":");
    if (colon < 0) throw new NetAddressError(input, "missing port");
    host = text.slice(0, colon);
    portText = text.slice(colon + 1);
    if (host.includes(":")) throw new NetAddressError(input, "an IPv6 host must be in brackets");
    if (host === "") throw new NetAddressError(input, "missing host");
    if (isIP(host) === 0 && (!HOSTNAME.test(host) || /^[0-9.]+$/.test(host)))
      throw new NetAddressError(input, `${JSON.stringify(host)} is neither an IP address nor a host name`);
  }
  if (!/^[0-9]{1,5}$/.test(portText) || Number(portText) > 65535) throw new NetAddressError(input, `port ${JSON.stringify(portText)} is not 0–65535`);
  return { host, port: Number(portText) };
}

/**
 * Parses `ID@host:port`; any `scheme://` prefix is dropped, as CometBFT does.
 * The ID is returned in lowercase. Functions that take an address take the text as well
 * ({@link NetAddressLike}); parse once to check an address early or to read its parts.
 * @throws {NetAddressError} saying what is wrong.
 *
 * @example
 * parseNetAddress("7A40b3AF3E54D1C12F0C9D6C66AC2F0A3F1C7E21@127.0.0.1:26656");
 * // → { id: "7a40b3af3e54d1c12f0c9d6c66ac2f0a3f1c7e21", host: "127.0.0.1", port: 26656 }
 * parseNetAddress("tcp://7a40b3af3e54d1c12f0c9d6c66ac2f0a3f1c7e21@[::1]:26656").host; // "::1"
 * parseNetAddress("127.0.0.1:26656"); // throws NetAddressError: expected exactly one '@' …
 */
export function parseNetAddress(text: string): NetAddress {
  const scheme = text.indexOf("://");
  const rest = scheme >= 0 ? text.slice(scheme + 3) : text;
  const parts = rest.split("@");
  if (parts.length !== 2) throw new NetAddressError(text, "expected exactly one '@' between node ID and host:port");
  const [id, hostPort] = parts as [string, string];
  if (!isNodeId(id)) throw new NetAddressError(text, "the node ID must be 40 hex characters");
  const { host, port } = parseHostPort(hostPort, text);
  return { id: id.toLowerCase(), host, port };
}

/**
 * A peer address as a user has it: `ID@host:port` text, or a parsed {@link NetAddress}. Every
 * public function that takes an address takes this.
 */
export type NetAddressLike = string | NetAddress;

/**
 * `address` parsed (by {@link parseNetAddress}) when it is text; a {@link NetAddress} as it is.
 * @throws {NetAddressError} when the text does not parse.
 */
export function toNetAddress(address: NetAddressLike): NetAddress {
  return typeof address === "string" ? parseNetAddress(address) : address;
}

/** `ID@host:port` (IPv6 hosts in brackets), or `host:port` when the ID is empty. */
export function formatNetAddress(addr: { readonly id: string; readonly host: string; readonly port: number }): string {
  // an IPv6 literal has a colon; an IPv4 literal or a host name has none (isIP only for the rare case)
  const host = addr.host.includes(":") && isIP(addr.host) === 6 ? `[${addr.host}]` : addr.host;
  return addr.id === "" ? `${host}:${addr.port}` : `${addr.id}@${host}:${addr.port}`;
}
