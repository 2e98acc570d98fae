// Checks proto/ against the schemas CometBFT publishes in each pinned version's module source
// (test/interop/cometbft-versions.txt; downloaded by scripts/install-cometbft.sh --source): every
// message, field and enum value of every line is in ours with the same number, name and type, and
// ours has nothing that no line has. So one set of schemas decodes what any line sends.
// v1 publishes its schemas as cometbft.<pkg>.v1; v0.34 names blocksync `tendermint.blockchain`.
// Package names do not reach the wire, so they are compared without them.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import protobuf from "protobufjs";

const versions = execFileSync("scripts/install-cometbft.sh", ["--versions"], { encoding: "utf8" }).trim().split("\n");

function files(dir) {
  return readdirSync(dir).flatMap((n) => (statSync(join(dir, n)).isDirectory() ? files(join(dir, n)) : [join(dir, n)]));
}

/** `tendermint/types/block.proto` in a version's module source. */
function theirFile(source, ours) {
  const [, pkg, ...rest] = ours.split("/");
  const candidates = existsSync(join(source, "proto", "cometbft"))
    ? [join(source, "proto", "cometbft", pkg, ...rest.slice(0, -1), "v1", ...rest.slice(-1))]
    : [join(source, "proto", ours), join(source, "proto", "tendermint", pkg === "blocksync" ? "blockchain" : pkg, ...rest)];
  return candidates.find((c) => existsSync(c));
}

/** A package or type name without `tendermint.`/`cometbft.`, `.v1` and v0.34's `blockchain`. */
const plain = (name) => name.replace(/^\.?(tendermint|cometbft)\./, "").replace(/\.v1(\.|$)/, "$1").replace(/^blockchain(\.|$)/, "blocksync$1");

/** Every field and enum value of a .proto file, as `Message#number` → `name:type`. */
function shape(path) {
  const { root, package: pkg } = protobuf.parse(readFileSync(path, "utf8"), { keepCase: true });
  const out = new Map();
  const typeName = (type) => (type.includes(".") ? plain(type) : `${plain(pkg)}.${type}`);
  const walk = (ns, prefix) => {
    for (const n of ns.nestedArray ?? []) {
      if (n instanceof protobuf.Type) {
        out.set(`${prefix}${n.name}`, "message");
        for (const f of n.fieldsArray) {
          out.set(`${prefix}${n.name}#${f.id}`, `${f.name}:${f.repeated ? "repeated " : ""}${f.resolvedType === null && !f.type.includes(".") && /^[a-z]/.test(f.type) ? f.type : typeName(f.type)}${f.partOf ? ` in oneof ${f.partOf.name}` : ""}`);
        }
        walk(n, `${prefix}${n.name}.`);
      } else if (n instanceof protobuf.Enum) {
        for (const [k, id] of Object.entries(n.values)) out.set(`${prefix}${n.name}=${id}`, k);
      }
    }
  };
  walk(root.lookup(pkg), `${plain(pkg)}.`);
  return out;
}

const ours = files("proto").filter((f) => f.endsWith(".proto")).map((f) => relative("proto", f));
/** The union of the shapes of `paths` (a type may move between files of one package). */
const union = (paths) => new Map(paths.flatMap((p) => [...shape(p)]));
const mine = union(ours.map((f) => join("proto", f)));
const problems = [];
const seen = new Set();
for (const version of versions) {
  const source = execFileSync("scripts/install-cometbft.sh", ["--source", version], { encoding: "utf8" }).trim();
  const missing = ours.filter((f) => theirFile(source, f) === undefined);
  if (missing.length) problems.push(`${version}: no counterpart of ${missing.join(", ")}`);
  for (const [key, value] of union(ours.map((f) => theirFile(source, f)).filter((p) => p !== undefined))) {
    seen.add(key);
    if (!mine.has(key)) problems.push(`${version}: ${key} (${value}) is missing from proto/`);
    else if (mine.get(key) !== value) problems.push(`${version}: ${key} is ${value}, ours ${mine.get(key)}`);
  }
}
for (const [key, value] of mine) if (!seen.has(key)) problems.push(`proto/: ${key} (${value}) is in no pinned version`);
if (problems.length) {
  console.error(`proto/ disagrees with CometBFT's schemas:\n  ${problems.join("\n  ")}`);
  process.exit(1);
}
console.log(`proto/ agrees with CometBFT ${versions.join(", ")}: ${ours.length} files`);
