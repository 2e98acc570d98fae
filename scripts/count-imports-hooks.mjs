// The loader hooks of count-imports.mjs: each module loaded from a file is appended to `log` as
// `{"url", "bytes"}`, before it is evaluated.
import { appendFileSync } from "node:fs";

let log;

export function initialize(data) {
  log = data.log;
}

export async function load(url, context, nextLoad) {
  const result = await nextLoad(url, context);
  if (url.startsWith("file:") && result.source != null) {
    const bytes = typeof result.source === "string" ? Buffer.byteLength(result.source) : result.source.byteLength;
    appendFileSync(log, `${JSON.stringify({ url, bytes })}\n`);
  }
  return result;
}
