import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

/** The folder of the test vectors kept in the repository (`test/vectors`, provenance in its README). */
export const vectorsDir = fileURLToPath(new URL("../vectors/", import.meta.url));

/** A test vector the repository should ship is not there. */
export class MissingVectorError extends Error {
  override readonly name = "MissingVectorError";
  constructor(
    /** The path asked for, relative to `test/vectors`. */
    readonly relative: string,
    /** Where it was looked for. */
    readonly path: string,
  ) {
    super(
      `test vector "${relative}" is missing (looked for ${path}); test/vectors/ ships with the repository ` +
        `(see test/vectors/README.md): restore it with \`git checkout -- test/vectors\``,
    );
  }
}

/** The absolute path of a file or folder of the test vectors; throws {@link MissingVectorError} when it is absent. */
export function vectorPath(relative: string, root: string = vectorsDir): string {
  const path = resolve(root, relative);
  if (!existsSync(path)) throw new MissingVectorError(relative, path);
  return path;
}

/** Reads a text file of the test vectors. */
export function readVectorText(relative: string, root?: string): string {
  return readFileSync(vectorPath(relative, root), "utf8");
}

/** Parses a JSON file of the test vectors. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- the caller names the shape of the vector file it reads
export function readVectors<T = Record<string, unknown>>(relative: string, root?: string): T {
  return JSON.parse(readVectorText(relative, root)) as T;
}

/** The files of a folder of the test vectors, as `[name, text]` pairs sorted by name. */
export function readVectorFolder(relative: string, root?: string): Array<[string, string]> {
  const dir = vectorPath(relative, root);
  return readdirSync(dir)
    .sort()
    .map((name) => [name, readFileSync(join(dir, name), "utf8")]);
}
