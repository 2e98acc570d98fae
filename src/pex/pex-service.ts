/**
 * Discovery as a Switch runs it with `pex: true`: the address book (in `addrBookFile` when
 * given), the PEX reactor, and ensurePeers — or, in seed mode, the seed's crawl.
 * @module
 */
import type { Observable, SchedulerLike, Subscription } from "rxjs";
import type { Logger } from "../logger.js";
import { parseNetAddress } from "../p2p/netaddress.js";
import { AddressBook } from "./address-book.js";
import { openAddressBook, type StoredAddressBook } from "./addrbook-store.js";
import { ensurePeers } from "./ensure-peers.js";
import { PexDialer } from "./pex-dialer.js";
import type { ResolvedPexOptions } from "./pex-options.js";
import { PexReactor, type Discovered, type PexHost } from "./pex-reactor.js";
import { seedCrawl } from "./seed-crawl.js";

/** What a {@link Pex} needs besides its options. */
export interface PexContext {
  readonly maxOutbound: number;
  readonly scheduler: SchedulerLike;
  /** Random numbers in [0, 1). */
  readonly random: () => number;
  readonly logger: Logger;
}

/** The book, the reactor and the dialing loop of one switch. */
export class Pex {
  readonly book: AddressBook;
  readonly reactor: PexReactor;
  /** Why `addrBookFile` was not loaded (the book then started empty), if it was not. */
  readonly loadError: Error | undefined;
  private readonly stored: StoredAddressBook | undefined;
  private loop: Subscription | undefined;
  private dialer: PexDialer | undefined;

  constructor(
    readonly options: ResolvedPexOptions,
    private readonly context: PexContext,
  ) {
    const bookOptions = { strict: options.strict, maxAddressesPerSource: options.maxAddressesPerSource, scheduler: context.scheduler, random: context.random, logger: context.logger };
    this.stored =
      options.addrBookFile === undefined
        ? undefined
        : openAddressBook(options.addrBookFile, { ...bookOptions, saveInterval: options.saveInterval });
    this.book = this.stored?.book ?? new AddressBook(bookOptions);
    this.loadError = this.stored?.loadError;
    this.book.addPrivateIds(options.privatePeerIds);
    this.reactor = new PexReactor({
      book: this.book,
      seedMode: options.seedMode,
      ensurePeersPeriod: options.ensurePeersPeriod,
      seedDisconnectDelay: options.seedDisconnectDelay,
      scheduler: context.scheduler,
      logger: context.logger,
    });
  }

  /** Addresses the book took from peers' answers, with who told us. */
  get discovered$(): Observable<Discovered> {
    return this.reactor.discovered$;
  }

  /** Starts dialing (or crawling, for a seed) through `host`; `ownAddress` (`ID@host:port`) is never added. */
  start(host: PexHost, ownAddress: string | undefined): void {
    const o = this.options;
    const c = this.context;
    if (ownAddress !== undefined) {
      try {
        this.book.addOurAddress(parseNetAddress(ownAddress));
      } catch {
        // not an IP literal: it cannot be in the book either
      }
    }
    this.reactor.host = host;
    const dialer = new PexDialer({ book: this.book, host, scheduler: c.scheduler, random: c.random, logger: c.logger, ...(o.dialFilter ? { filter: o.dialFilter } : {}) });
    this.dialer = dialer;
    const common = { reactor: this.reactor, host, dialer, seeds: o.seeds, scheduler: c.scheduler, random: c.random };
    this.loop = o.seedMode
      ? seedCrawl({ ...common, crawlPeriod: o.crawlPeriod, seedDisconnectWaitPeriod: o.seedDisconnectWaitPeriod, connectedAt: this.reactor.connectedAt })
      : ensurePeers({ ...common, maxOutbound: c.maxOutbound, period: o.ensurePeersPeriod, logger: c.logger });
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
