/**
 * `rx-mconn/pex`: discovery. CometBFT's address book (new and old buckets, bans, its
 * `addrbook.json`), kept in a file with {@link openAddressBook}.
 *
 * <!-- not run: a fragment; the same calls run in test/unit/pex/addrbook-file.test.ts -->
 * ```ts
 * import { openAddressBook } from "rx-mconn/pex";
 * const { book, close } = openAddressBook("addrbook.json", { strict: false });
 * book.size$.subscribe((n) => console.log(`${n} addresses known`));
 * ```
 * @module rx-mconn/pex
 */
export { AddressBook, bookAddress, type AddressBookOptions } from "./address-book.js";
export { decodeAddressBook, encodeAddressBook, MAX_ADDRBOOK_ENTRIES, MAX_ADDRBOOK_FILE_SIZE, ZERO_TIME, type DecodedAddressBook } from "./addrbook-file.js";
export { openAddressBook, type AddressBookFileOptions, type StoredAddressBook } from "./addrbook-store.js";
export { AddressBookFileError, AddressRefusedError, BadPexAddrsError, EmptyPexMessageError, PexRequestTooSoonError, UnsolicitedAddrsError, type AddressRefusal } from "./errors.js";
export { BucketType, type KnownAddress } from "./known-address.js";
export { groupKey, isLocal, isLoopback, isRoutable, parseIp, formatIp, type IpBytes } from "./ip.js";
export { bookParams, pexParams } from "./params.js";
