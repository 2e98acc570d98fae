/**
 * libsodium (via the native `sodium-native` addon), loaded on first use: importing rx-mconn
 * loads no native code, so a plain-TCP MConnection never needs the addon. Every module that
 * calls libsodium takes it from {@link sodium}; none imports `sodium-native` itself.
 * @module
 */
import { createRequire } from "node:module";

/** The `sodium-native` module. */
export type Sodium = typeof import("sodium-native");

let loaded: Sodium | undefined;

/** The `sodium-native` module, loaded (synchronously) by the first call. */
export function sodium(): Sodium {
  loaded ??= createRequire(import.meta.url)("sodium-native") as Sodium;
  return loaded;
}
