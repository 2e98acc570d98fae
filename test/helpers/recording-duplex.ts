import type { ByteDuplex } from "../../src/duplex/byte-duplex.js";

/** `d`, with every chunk written through it recorded (hex) in `writes`. */
export function recording(d: ByteDuplex): { duplex: ByteDuplex; writes: string[] } {
  const writes: string[] = [];
  return {
    writes,
    duplex: {
      incoming$: d.incoming$,
      drained$: d.drained$,
      remote: d.remote,
      write: (chunk) => {
        writes.push(Buffer.from(chunk).toString("hex"));
        return d.write(chunk);
      },
      pause: () => d.pause(),
      resume: () => d.resume(),
      end: () => d.end(),
      destroy: (e) => d.destroy(e),
    },
  };
}
