/**
 * Where a bench process loads rx-mconn from. Memory figures are taken from the package as a user
 * runs it, the JavaScript that `npm run build` emits into `dist/`, when `BENCH_PACKAGE=dist`:
 * the bench itself runs on tsx, which compiles the sources with esbuild's `keepNames` (every
 * named function gets its name defined as a property, about 250 bytes a closure more than the
 * built package holds). By default, the sources (through tsx), as every other case.
 */
import type * as Root from "../src/index.js";

/** The root entry of rx-mconn: the built package's with `BENCH_PACKAGE=dist`, else the sources'. */
export async function loadPackage(): Promise<typeof Root> {
  if (process.env.BENCH_PACKAGE === "dist") return (await import(new URL("../dist/src/index.js", import.meta.url).href)) as typeof Root;
  return import("../src/index.js");
}
