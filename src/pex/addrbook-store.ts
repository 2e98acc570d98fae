/**
 * An address book kept in a file: loaded at open (a bad file is logged with its
 * `AddressBookFileError`, renamed aside to `<file>.refused` and replaced by a fresh book, never a
 * crash), saved atomically every `saveInterval` (CometBFT: 2 minutes) on the injected scheduler,
 * and once more on `close()`.
 * @module
 */
import { closeSync, existsSync, fstatSync, openSync, readSync, renameSync } from "node:fs";
import { interval, type Subscription } from "rxjs";
import { silentLogger } from "../logger.js";
import { AddressBook, type AddressBookOptions } from "./address-book.js";
import { decodeAddressBook, encodeAddressBook, MAX_ADDRBOOK_FILE_SIZE, writeFileAtomic } from "./addrbook-file.js";
import { AddressBookFileError } from "./errors.js";
import { pexParams } from "./params.js";

/** Options of {@link openAddressBook}; its `logger` is also told of a refused file and failed saves. */
export interface AddressBookFileOptions extends AddressBookOptions {
  /** Between saves, ms (default 120 000, CometBFT's). */
  readonly saveInterval?: number;
}

/** A book bound to its file. */
export interface StoredAddressBook {
  readonly book: AddressBook;
  readonly file: string;
  /** Why the file was not used (the book then started empty), if it was not. */
  readonly loadError: AddressBookFileError | undefined;
  /**
   * Where the refused file was moved (`<file>.refused`, or `<file>.refused.<ms>` when that
   * exists), so that saving the fresh book does not overwrite it. When it could not be moved,
   * undefined, and the book is never saved over it.
   */
  readonly refusedFile: string | undefined;
  /** Saves now; a failure is logged and returned, never thrown. */
  save(): AddressBookFileError | undefined;
  /** Stops the periodic saves and saves once more. */
  close(): void;
}

/** Reads `file` (at most {@link MAX_ADDRBOOK_FILE_SIZE} bytes); undefined when it does not exist. */
function readBounded(file: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(file, "r");
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new AddressBookFileError(file, `cannot be opened (${(err as Error).message})`, { cause: err });
  }
  try {
    const size = fstatSync(fd).size;
    if (size > MAX_ADDRBOOK_FILE_SIZE) throw new AddressBookFileError(file, `${size} bytes, more than ${MAX_ADDRBOOK_FILE_SIZE}`);
    const buf = Buffer.alloc(size);
    let at = 0;
    while (at < size) {
      const n = readSync(fd, buf, at, size - at, at);
      if (n === 0) break;
      at += n;
    }
    return buf.subarray(0, at).toString("utf8");
  } finally {
    closeSync(fd);
  }
}

/** Renames `file` to `<file>.refused` (or `<file>.refused.<ms>` when that exists); the new name. */
function moveAside(file: string): string {
  const aside = existsSync(`${file}.refused`) ? `${file}.refused.${Date.now()}` : `${file}.refused`;
  renameSync(file, aside);
  return aside;
}

/**
 * Loads the book in `file` (or starts an empty one) and saves it periodically.
 * @example
 * const { book, close } = openAddressBook("/home/node/config/addrbook.json", { strict: false });
 */
export function openAddressBook(file: string, options: AddressBookFileOptions = {}): StoredAddressBook {
  const logger = options.logger ?? silentLogger;
  let loadError: AddressBookFileError | undefined;
  let book: AddressBook | undefined;
  try {
    const text = readBounded(file);
    if (text !== undefined) {
      const decoded = decodeAddressBook(text, file);
      book = new AddressBook({ ...options, key: decoded.key });
      for (const ka of decoded.addrs) book.restore(ka);
      logger.info({ file, size: book.size }, "address book loaded");
    }
  } catch (err) {
    loadError = err instanceof AddressBookFileError ? err : new AddressBookFileError(file, String(err), { cause: err });
    book = undefined;
  }
  let refusedFile: string | undefined;
  let keptAside: AddressBookFileError | undefined;
  if (loadError !== undefined) {
    try {
      refusedFile = moveAside(file);
      logger.error({ file, err: loadError.message, movedTo: refusedFile }, "address book file refused and moved aside; starting with an empty book");
    } catch (err) {
      keptAside = new AddressBookFileError(file, `not saved: the refused file could not be moved aside (${(err as Error).message})`, { cause: err });
      logger.error({ file, err: loadError.message, moveErr: (err as Error).message }, "address book file refused and could not be moved aside; starting with an empty book that is never saved");
    }
  }
  const theBook = book ?? new AddressBook(options);
  const save = (): AddressBookFileError | undefined => {
    if (keptAside !== undefined) return keptAside;
    try {
      writeFileAtomic(file, encodeAddressBook(theBook));
      return undefined;
    } catch (err) {
      const error = new AddressBookFileError(file, `cannot be saved (${(err as Error).message})`, { cause: err });
      logger.error({ file, err: error.message }, "address book not saved");
      return error;
    }
  };
  const timer: Subscription = interval(options.saveInterval ?? pexParams.dumpAddressInterval, options.scheduler).subscribe(() => save());
  return {
    book: theBook,
    file,
    loadError,
    refusedFile,
    save,
    close() {
      if (timer.closed) return;
      timer.unsubscribe();
      save();
    },
  };
}
