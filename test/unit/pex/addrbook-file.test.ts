import { expect } from "chai";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { VirtualTimeScheduler } from "rxjs";
import sinon from "sinon";
import { AddressBook } from "../../../src/pex/address-book.js";
import { decodeAddressBook, encodeAddressBook, writeFileAtomic, ZERO_TIME } from "../../../src/pex/addrbook-file.js";
import { openAddressBook } from "../../../src/pex/addrbook-store.js";
import { AddressBookFileError } from "../../../src/pex/errors.js";

const id = (n: number) => n.toString(16).padStart(40, "0");
const at = (n: number, host: string, port = 26656) => ({ id: id(n), host, port });
const entry = (over: Record<string, unknown> = {}) => ({
  addr: { id: id(1), ip: "1.2.3.4", port: 26656 },
  src: { id: id(2), ip: "5.6.7.8", port: 26656 },
  buckets: [3],
  attempts: 0,
  bucket_type: 1,
  last_attempt: "2026-01-02T03:04:05.123456789Z",
  last_success: ZERO_TIME,
  last_ban_time: ZERO_TIME,
  ...over,
});

describe("addrbook.json", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), "addrbook-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it("round-trips a book: key, buckets, types, attempts and times", () => {
    const clock = new VirtualTimeScheduler();
    clock.schedule(() => undefined, 1_700_000_000_000);
    clock.flush();
    const book = new AddressBook({ scheduler: clock, strict: false });
    book.add(at(1, "1.2.3.4"), at(9, "9.9.9.9"));
    book.add(at(2, "::1"), at(9, "9.9.9.9"));
    book.add(at(3, "2001:4860::8888", 443), at(9, "9.9.9.9"));
    book.markGood(id(1));
    book.markAttempt(id(3));
    const file = join(dir, "addrbook.json");
    writeFileSync(file, encodeAddressBook(book));
    const loaded = openAddressBook(file, { strict: false, scheduler: clock });
    loaded.close();
    expect(loaded.loadError).to.equal(undefined);
    expect(loaded.book.key).to.equal(book.key);
    expect(loaded.book.entries().map((k) => ({ ...k })).sort((a, b) => a.addr.id.localeCompare(b.addr.id))).to.deep.equal(
      book.entries().map((k) => ({ ...k })).sort((a, b) => a.addr.id.localeCompare(b.addr.id)),
    );
    expect([loaded.book.newCount, loaded.book.oldCount]).to.deep.equal([2, 1]);
    const json = JSON.parse(readFileSync(file, "utf8")) as { addrs: { addr: { ip: string }; last_success: string }[] };
    expect(json.addrs.map((a) => a.addr.ip).sort()).to.deep.equal(["1.2.3.4", "2001:4860::8888", "::1"]);
    expect(json.addrs.some((a) => a.last_success === ZERO_TIME)).to.equal(true);
  });

  it("reads CometBFT's form: nanosecond times, null buckets (placed again), a bucket one over size", () => {
    const text = JSON.stringify({ key: "0123456789abcdef01234567", addrs: [entry(), entry({ addr: { id: id(3), ip: "4.3.2.1", port: 1 }, buckets: null })] });
    const decoded = decodeAddressBook(text, "f");
    expect(decoded.addrs[0].lastAttempt).to.equal(Date.parse("2026-01-02T03:04:05.123Z"));
    expect(decoded.addrs[0].lastSuccess).to.equal(0);
    const book = new AddressBook({ key: decoded.key });
    for (const ka of decoded.addrs) book.restore(ka);
    expect(book.size).to.equal(2);
    expect(book.get(id(3))!.buckets).to.have.length(1);
  });

  const hostile: [string, string][] = [
    ["corrupt JSON", "{ \"key\": "],
    ["not an object", "[1,2]"],
    ["a missing key", JSON.stringify({ addrs: [] })],
    ["a non-hex key", JSON.stringify({ key: "zz", addrs: [] })],
    ["addrs not an array", JSON.stringify({ key: "ab", addrs: 5 })],
    ["a bad ID", JSON.stringify({ key: "ab", addrs: [entry({ addr: { id: "x", ip: "1.2.3.4", port: 1 } })] })],
    ["a host name for an IP", JSON.stringify({ key: "ab", addrs: [entry({ addr: { id: id(1), ip: "example.com", port: 1 } })] })],
    ["a port out of range", JSON.stringify({ key: "ab", addrs: [entry({ addr: { id: id(1), ip: "1.2.3.4", port: 70000 } })] })],
    ["a bucket index out of range", JSON.stringify({ key: "ab", addrs: [entry({ buckets: [256] })] })],
    ["an old entry in two buckets", JSON.stringify({ key: "ab", addrs: [entry({ bucket_type: 2, buckets: [1, 2] })] })],
    ["five new buckets", JSON.stringify({ key: "ab", addrs: [entry({ buckets: [1, 2, 3, 4, 5] })] })],
    ["a bucket type 3", JSON.stringify({ key: "ab", addrs: [entry({ bucket_type: 3 })] })],
    ["negative attempts", JSON.stringify({ key: "ab", addrs: [entry({ attempts: -1 })] })],
    ["a time that is not RFC 3339", JSON.stringify({ key: "ab", addrs: [entry({ last_attempt: "yesterday" })] })],
    ["an ID twice", JSON.stringify({ key: "ab", addrs: [entry(), entry({ buckets: [4] })] })],
    ["an overfull bucket", JSON.stringify({ key: "ab", addrs: Array.from({ length: 66 }, (_, i) => entry({ addr: { id: id(i + 10), ip: "1.2.3.4", port: i + 1 } })) })],
  ];
  for (const [what, text] of hostile)
    it(`refuses a file with ${what}: a typed error logged, and a fresh empty book`, () => {
      const file = join(dir, "addrbook.json");
      writeFileSync(file, text);
      const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
      const stored = openAddressBook(file, { logger, saveInterval: 1e9 });
      stored.close();
      expect(stored.loadError).to.be.instanceOf(AddressBookFileError);
      expect(stored.book.size).to.equal(0);
      sinon.assert.calledOnce(logger.error);
      expect(logger.error.firstCall.args[0]).to.have.property("file", file);
      expect(logger.error.firstCall.args[0]).to.have.property("movedTo", `${file}.refused`);
    });

  it("moves a refused file aside before the empty book is saved, never over an earlier one", () => {
    const file = join(dir, "addrbook.json");
    writeFileSync(file, "not json");
    const first = openAddressBook(file, { saveInterval: 1e9 });
    expect(first.refusedFile).to.equal(`${file}.refused`);
    first.close();
    expect(readFileSync(`${file}.refused`, "utf8")).to.equal("not json");
    expect(decodeAddressBook(readFileSync(file, "utf8"), file).addrs).to.have.length(0);
    writeFileSync(file, "still not json");
    const second = openAddressBook(file, { saveInterval: 1e9 });
    second.close();
    expect(second.refusedFile).to.match(/addrbook\.json\.refused\.\d+$/);
    expect(readFileSync(second.refusedFile!, "utf8")).to.equal("still not json");
    expect(readFileSync(`${file}.refused`, "utf8")).to.equal("not json");
  });

  it("starts empty when there is no file, and saves on close atomically (no temporary file left)", () => {
    const file = join(dir, "addrbook.json");
    const stored = openAddressBook(file, { saveInterval: 1e9 });
    expect(stored.loadError).to.equal(undefined);
    stored.book.add(at(1, "1.2.3.4"), at(2, "2.2.2.2"));
    stored.close();
    expect(readdirSync(dir)).to.deep.equal(["addrbook.json"]);
    expect(decodeAddressBook(readFileSync(file, "utf8"), file).addrs).to.have.length(1);
  });

  it("saves every saveInterval in virtual time", () => {
    const clock = new VirtualTimeScheduler();
    const file = join(dir, "addrbook.json");
    const stored = openAddressBook(file, { scheduler: clock, saveInterval: 120_000 });
    stored.book.add(at(1, "1.2.3.4"), at(2, "2.2.2.2"));
    expect(readdirSync(dir)).to.deep.equal([]);
    clock.maxFrames = 120_000;
    clock.flush();
    expect(decodeAddressBook(readFileSync(file, "utf8"), file).addrs).to.have.length(1);
    stored.book.add(at(3, "1.2.3.5"), at(2, "2.2.2.2"));
    clock.maxFrames = 240_000;
    clock.flush();
    expect(decodeAddressBook(readFileSync(file, "utf8"), file).addrs).to.have.length(2);
    stored.close();
  });

  it("logs a failed save and goes on", () => {
    const logger = { debug: sinon.spy(), info: sinon.spy(), warn: sinon.spy(), error: sinon.spy() };
    const stored = openAddressBook(join(dir, "missing-dir", "addrbook.json"), { logger, saveInterval: 1e9 });
    expect(stored.save()).to.be.instanceOf(AddressBookFileError);
    stored.close();
    sinon.assert.calledTwice(logger.error);
  });

  it("writeFileAtomic removes its temporary file when a step fails", () => {
    const file = join(dir, "addrbook.json");
    mkdirSync(file); // renaming a file over a directory fails
    expect(() => writeFileAtomic(file, "{}")).to.throw();
    expect(readdirSync(dir)).to.deep.equal(["addrbook.json"]);
  });
});
