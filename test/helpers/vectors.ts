import { readFileSync } from "node:fs";
import { resolve } from "node:path";

/** Reads a file of the shared test vectors (`../shared/vectors` beside the repository). */
export function vectorPath(relative: string): string {
  return resolve(process.cwd(), "../shared/vectors", relative);
}

/** Parses a JSON file of the shared test vectors. */
export function readVectors<T = Record<string, unknown>>(relative: string): T {
  return JSON.parse(readFileSync(vectorPath(relative), "utf8")) as T;
}
