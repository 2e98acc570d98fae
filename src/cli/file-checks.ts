/**
 * Checks of the files and directories a command reads or writes, made before it writes anything
 * or starts network work: each failure is a one-line {@link CliError} (exit 2) naming the option
 * and the path. A file to read is opened without blocking (a FIFO in its place does not hang)
 * and must be a regular file no larger than the command reads.
 */
import { constants } from "node:fs";
import { access, mkdir, open, readFile, stat } from "node:fs/promises";
import { dirname, resolve } from "node:path";
import { parseNodeKey, type NodeKey } from "../secret/node-key.js";
import { bytes, CliError } from "./args.js";

/** The largest node_key.json read (CometBFT's is about 150 bytes). */
export const MAX_NODE_KEY_BYTES = 64 * 1024;
/** The largest addrbook.json read (a full CometBFT book is a few MB). */
export const MAX_ADDR_BOOK_BYTES = 64 * 1024 * 1024;

const reason = (err: unknown): string => {
  const e = err as NodeJS.ErrnoException;
  if (e.code === "ENOENT") return "no such file or directory";
  if (e.code === "EACCES" || e.code === "EPERM") return "permission denied";
  if (e.code === "ENOTDIR") return "a part of the path is not a directory";
  return e.message;
};

/**
 * Checks that `path` is a readable regular file of at most `maxBytes`; `label` (an option, or
 * "the key file") names it in the message. Resolves false when it does not exist and `missingOk`.
 */
export async function checkReadableFile(label: string, path: string, maxBytes: number, missingOk = false): Promise<boolean> {
  let handle;
  try {
    handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  } catch (err) {
    if (missingOk && (err as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw new CliError(`${label} ${path}: ${reason(err)}`);
  }
  try {
    const info = await handle.stat();
    if (!info.isFile()) throw new CliError(`${label} ${path}: not a regular file`);
    if (info.size > maxBytes) throw new CliError(`${label} ${path}: ${bytes(info.size)}, more than the ${bytes(maxBytes)} it may be`);
    return true;
  } finally {
    await handle.close();
  }
}

/** Reads and checks a node key at `path` (see {@link checkReadableFile}); a bad one is a one-line error naming the file. */
export async function readNodeKeyFile(label: string, path: string): Promise<NodeKey> {
  await checkReadableFile(label, path, MAX_NODE_KEY_BYTES);
  try {
    return parseNodeKey(await readFile(path, "utf8"));
  } catch (err) {
    throw new CliError(`${label} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** The nearest of `path` and its ancestors that exists, with what it is. */
async function nearestExisting(path: string): Promise<{ path: string; isDirectory: boolean }> {
  let at = resolve(path);
  for (;;) {
    try {
      return { path: at, isDirectory: (await stat(at)).isDirectory() };
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if ((code !== "ENOENT" && code !== "ENOTDIR") || dirname(at) === at) throw err;
      at = dirname(at);
    }
  }
}

/** Checks that directory `dir` exists and is writable, or can be created (its nearest existing ancestor is a writable directory). */
export async function checkWritableDir(label: string, dir: string): Promise<void> {
  try {
    const found = await nearestExisting(dir);
    if (!found.isDirectory) throw new CliError(`${label} ${dir}: ${found.path} is not a directory`);
    await access(found.path, constants.W_OK | constants.X_OK);
  } catch (err) {
    if (err instanceof CliError) throw err;
    throw new CliError(`${label} ${dir}: cannot write there: ${reason(err)}`);
  }
}

/** Checks that file `path` can be written: its directory exists and is writable, and `path` is not a directory. */
export async function checkWritableFile(label: string, path: string): Promise<void> {
  const dir = dirname(resolve(path));
  const info = await stat(dir).catch((err: unknown) => {
    throw new CliError(`${label} ${path}: directory ${dir}: ${reason(err)}`);
  });
  if (!info.isDirectory()) throw new CliError(`${label} ${path}: ${dir} is not a directory`);
  const existing = await stat(path).catch(() => undefined);
  if (existing?.isDirectory() === true) throw new CliError(`${label} ${path}: is a directory`);
  await access(existing === undefined ? dir : path, constants.W_OK).catch((err: unknown) => {
    throw new CliError(`${label} ${path}: cannot write there: ${reason(err)}`);
  });
}

/**
 * Creates `dir` and its missing parents one at a time (`mode` on each), so that a path the
 * system refuses fails at once (a recursive mkdir under /proc spins instead). Runtime failures
 * are a one-line {@link CliError} with exit status 1.
 */
export async function makeDirs(label: string, dir: string, mode = 0o700): Promise<void> {
  const missing: string[] = [];
  for (let at = resolve(dir); ; at = dirname(at)) {
    const exists = await stat(at).then(
      () => true,
      () => false,
    );
    if (exists || dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const at of missing)
    await mkdir(at, { mode }).catch((err: unknown) => {
      if ((err as NodeJS.ErrnoException).code === "EEXIST") return;
      throw new CliError(`${label} ${dir}: cannot create ${at}: ${reason(err)}`, 1);
    });
}
