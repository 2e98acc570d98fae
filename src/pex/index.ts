/// <reference types="node" preserve="true" />
// Node's types are part of this entry's declarations (sockets, buffers, timers): a consumer's
// TypeScript loads them from @types/node even where its `types` option lists none (TypeScript 6+).
/**
 * `rx-mconn/pex`: discovery. CometBFT's address book (new and old buckets, bans, its
 * `addrbook.json`), kept in a file with {@link openAddressBook}; the PEX reactor on channel 0x00
 * ({@link PexReactor}), {@link ensurePeers} and a seed's crawl ({@link seedCrawl}). A `Switch`
 * runs them all when handed a {@link Pex} as its `discovery` option (see {@link PexOptions}).
 *
 * <!-- not run: a fragment; the same calls run in test/unit/pex/addrbook-file.test.ts -->
 * ```ts
 * import { openAddressBook } from "rx-mconn/pex";
 * const { book, close } = openAddressBook("addrbook.json", { strict: false });
 * book.size$.subscribe((n) => console.log(`${n} addresses known`));
 * ```
 * @module rx-mconn/pex
 */
export { AddressBook, bookAddress, sourceAddress, type AddressBookOptions } from "./address-book.js";
export { decodeAddressBook, encodeAddressBook, MAX_ADDRBOOK_ENTRIES, MAX_ADDRBOOK_FILE_SIZE, ZERO_TIME, type DecodedAddressBook } from "./addrbook-file.js";
export { openAddressBook, type AddressBookFileOptions, type StoredAddressBook } from "./addrbook-store.js";
export { AddressBookFileError, AddressRefusedError, BadPexAddrsError, EmptyPexMessageError, PexRequestTooSoonError, UnsolicitedAddrsError, type AddressRefusal } from "./errors.js";
export { BucketType, type KnownAddress } from "./known-address.js";
export { groupKey, isLocal, isLoopback, isRoutable, parseIp, formatIp, type IpBytes, type IpLike } from "./ip.js";
export { bookParams, pexParams } from "./params.js";
export { PexReactor, pexChannel, type Answered, type Discovered, type PexHost, type PexPeer, type PexReactorOptions } from "./pex-reactor.js";
export { PexDialer, type DialFilter, type DialOutcome, type PexDialerOptions } from "./pex-dialer.js";
export { ensurePeers, ensurePeersRound, dialSeeds, type EnsurePeersOptions, type EnsurePeersRoundReason, type EnsurePeersRoundResult } from "./ensure-peers.js";
export { seedCrawl, type SeedCrawlOptions } from "./seed-crawl.js";
export { Pex } from "./pex-service.js";
export { pexDefaults, verifyPexOptions, type PexOptions, type ResolvedPexOptions } from "./pex-options.js";
export { crawl, type CrawledNode, type CrawlOptions, type CrawlProgress } from "./crawler.js";
export { fromProtoAddress, peerAddress, toProtoAddress, type PexPeerInfo } from "./pex-addresses.js";
