/**
 * CometBFT's discovery as a plug-in for the Switch (its `discovery` option): the address book
 * (in `addrBookFile` when given), the PEX reactor, and ensurePeers — or, in seed mode, the
 * seed's crawl.
 * @module
 */
import { asyncScheduler, type Observable, type Subscription } from "rxjs";
import { ConfigError } from "../error-base.js";
import type { Discovery, DiscoveryHost } from "../p2p/discovery.js";
import { formatNetAddress, parseNetAddress, type NetAddress } from "../p2p/netaddress.js";
import { AddressBook } from "./address-book.js";
import { openAddressBook, type StoredAddressBook } from "./addrbook-store.js";
import { AddressRefusedError } from "./errors.js";
import { ensurePeers } from "./ensure-peers.js";
import { PexDialer } from "./pex-dialer.js";
import { verifyPexOptions, type PexOptions, type ResolvedPexOptions } from "./pex-options.js";
import { PexReactor, type Discovered } from "./pex-reactor.js";
import { seedCrawl } from "./seed-crawl.js";

/**
 * The book, the reactor and the dialing loop of one switch: hand it to the Switch as its
 * `discovery` option.
 *
 * @example
 * const pex = new Pex({ seeds: ["ID@seed.example.org:26656"], addrBookFile: "addrbook.json" });
 * const sw = new Switch({ nodeId, authenticate, network, listen: "0.0.0.0:26656", discovery: pex });
 * pex.book.size$.subscribe((n) => console.log(`${n} addresses known`));
 */
export class Pex implements Discovery {
  /** The name its reactor is registered under. */
  readonly name = "pex";
  /** The options, checked, with every default. */
  readonly options: ResolvedPexOptions;
  readonly book: AddressBook;
  readonly reactor: PexReactor;
  /** Why `addrBookFile` was not loaded (the book then started empty), if it was not. */
  readonly loadError: Error | undefined;
  private readonly stored: StoredAddressBook | undefined;
  private loop: Subscription | undefined;
  private dialer: PexDialer | undefined;
  private started = false;

  /** @throws {ConfigError} naming every option that breaks a rule. */
  constructor(options: PexOptions = {}) {
    this.options = verifyPexOptions(options);
    const o = this.options;
    const scheduler = o.scheduler ?? asyncScheduler;
    const bookOptions = { strict: o.strict, maxAddressesPerSource: o.maxAddressesPerSource, maxGroupShare: o.maxGroupShare, groupAllowance: o.groupAllowance, scheduler, random: o.random, logger: o.logger };
    this.stored =
      o.addrBookFile === undefined
        ? undefined
        : openAddressBook(o.addrBookFile, { ...bookOptions, saveInterval: o.saveInterval });
    this.book = this.stored?.book ?? o.book ?? new AddressBook(bookOptions);
    this.loadError = this.stored?.loadError;
    this.book.addPrivateIds(o.privatePeerIds);
    this.reactor = new PexReactor({
      book: this.book,
      seedMode: o.seedMode,
      ensurePeersPeriod: o.ensurePeersPeriod,
      seedDisconnectDelay: o.seedDisconnectDelay,
      scheduler,
      logger: o.logger,
    });
  }

  /** Addresses the book took from peers' answers, with who told us. */
  get discovered$(): Observable<Discovered> {
    return this.reactor.discovered$;
  }

  /**
   * Starts dialing (or crawling, for a seed) through `host` (the Switch calls it from
   * `start()`); the host's own address is never added to the book.
   * @throws {ConfigError} when started a second time (one Pex serves one Switch).
   */
  start(host: DiscoveryHost): void {
    if (this.started) throw new ConfigError("a Pex serves one Switch and was already started");
    this.started = true;
    const o = this.options;
    const scheduler = o.scheduler ?? asyncScheduler;
    const ownAddress = host.address;
    let ours: NetAddress | undefined;
    if (ownAddress !== undefined) {
      try {
        ours = parseNetAddress(ownAddress);
        this.book.addOurAddress(ours);
      } catch {
        // not an IP literal: it cannot be in the book either
      }
    }
    this.addPersistentPeers(host.persistentPeers, ours);
    this.reactor.host = host;
    const dialer = new PexDialer({ book: this.book, host, scheduler, random: o.random, logger: o.logger, ...(o.dialFilter ? { filter: o.dialFilter } : {}) });
    this.dialer = dialer;
    const common = { reactor: this.reactor, host, dialer, seeds: o.seeds, scheduler, random: o.random };
    this.loop = o.seedMode
      ? seedCrawl({ ...common, crawlPeriod: o.crawlPeriod, seedDisconnectWaitPeriod: o.seedDisconnectWaitPeriod, connectedAt: this.reactor.connectedAt })
      : ensurePeers({ ...common, maxOutbound: host.maxOutboundPeers, period: o.ensurePeersPeriod, dialOnNewAddresses: o.dialOnNewAddresses, retryDelay: o.ensurePeersRetryDelay, logger: o.logger });
  }

  /**
   * The persistent peers go into the book, heard from us (ourselves as source, or the address
   * itself when we do not listen), as CometBFT's Switch adds them before dialing: a peer asking
   * us for addresses learns of them. One the book refuses (non-routable in a strict book, our
   * own, private, banned) is logged at `debug` and left out.
   */
  private addPersistentPeers(peers: readonly NetAddress[], ours: NetAddress | undefined): void {
    for (const addr of peers) {
      try {
        this.book.add(addr, ours ?? addr);
      } catch (err) {
        if (!(err instanceof AddressRefusedError)) throw err;
        this.options.logger.debug({ addr: formatNetAddress(addr), reason: err.refusal }, "persistent peer not added to the address book");
      }
    }
  }

  /** Addresses being dialed by discovery now. */
  get dialing(): ReadonlySet<string> {
    return this.dialer?.dialing ?? new Set();
  }

  /** Stops the loop and the reactor, and saves the book (when it has a file). */
  stop(): void {
    this.loop?.unsubscribe();
    this.reactor.stop();
    this.stored?.close();
  }
}
