import { expect } from "chai";
import { firstValueFrom, take, toArray } from "rxjs";
import { duplexPair } from "../../../src/duplex/duplex-pair.js";
import { withPrefix } from "../../../src/duplex/with-prefix.js";

const str = (b: Uint8Array) => new TextDecoder().decode(b);
const bytes = (s: string) => new TextEncoder().encode(s);

describe("withPrefix", () => {
  it("delivers the prefix chunks first, then the stream", async () => {
    const [a, b] = duplexPair();
    const d = withPrefix(b, [bytes("one"), bytes("two")]);
    a.write(bytes("three"));
    expect((await firstValueFrom(d.incoming$.pipe(take(3), toArray()))).map(str)).to.deep.equal(["one", "two", "three"]);
  });

  it("delivers each prefix chunk once across re-subscriptions (a layer may subscribe again)", async () => {
    const [a, b] = duplexPair();
    const d = withPrefix(b, [bytes("one"), bytes("two")]);
    expect(str(await firstValueFrom(d.incoming$))).to.equal("one");
    expect(str(await firstValueFrom(d.incoming$))).to.equal("two");
    a.write(bytes("three"));
    expect(str(await firstValueFrom(d.incoming$))).to.equal("three");
  });
});
