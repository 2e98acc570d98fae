/**
 * Checks JSON against an output's description (`schema.ts`): every field present with its type
 * and encoding, nothing more; and which fields a set of outputs showed. The tests check each
 * tool's output with it.
 * @module
 */
import { ENCODINGS, type Field } from "./schema.js";

/** The key of each described field: `a.b`, `a[]`, and `a.<kind>.b` for a field of one kind of a union. */
export function fieldKeys(f: Field, path = "$"): string[] {
  const keys = path === "$" ? [] : [path];
  if (f.type === "object") for (const [name, g] of Object.entries(f.fields)) keys.push(...fieldKeys(g, `${path}.${name}`));
  if (f.type === "array") keys.push(...fieldKeys(f.items, `${path}[]`));
  if (f.type === "union") {
    keys.push(`${path}.${f.tag}`);
    for (const [name, g] of Object.entries(f.common)) keys.push(...fieldKeys(g, `${path}.${name}`));
    for (const [kind, fields] of Object.entries(f.variants)) for (const [name, g] of Object.entries(fields)) keys.push(...fieldKeys(g, `${path}.<${kind}>.${name}`));
  }
  return keys;
}

const kindOf = (v: unknown) => (v === null ? "null" : Array.isArray(v) ? "array" : typeof v);

function checkObject(fields: Readonly<Record<string, Field>>, value: Record<string, unknown>, path: string, at: string, problems: string[], seen: Set<string>): void {
  for (const [name, g] of Object.entries(fields)) {
    if (!(name in value)) {
      if (g.optional !== true) problems.push(`${at}.${name}: missing`);
      continue;
    }
    check(g, value[name], `${path}.${name}`, `${at}.${name}`, problems, seen);
  }
}

function check(f: Field, value: unknown, path: string, at: string, problems: string[], seen: Set<string>): void {
  if (path !== "$") seen.add(path);
  if (value === null) {
    if (f.nullable !== true) problems.push(`${at}: null where ${f.type} is due`);
    return;
  }
  const want = f.type === "union" ? "object" : f.type;
  if (kindOf(value) !== want) return void problems.push(`${at}: ${kindOf(value)} where ${want} is due`);
  if (f.type === "string") {
    const s = value as string;
    if (f.encoding === "enum" && !(f.values ?? []).includes(s)) problems.push(`${at}: ${JSON.stringify(s)} is none of ${(f.values ?? []).join(", ")}`);
    if (!ENCODINGS[f.encoding].pattern.test(s)) problems.push(`${at}: ${JSON.stringify(s.slice(0, 80))} is not ${f.encoding}`);
  } else if (f.type === "number") {
    if (!Number.isInteger(value)) problems.push(`${at}: ${JSON.stringify(value)} is not an integer`);
  } else if (f.type === "array") (value as unknown[]).forEach((item, i) => check(f.items, item, `${path}[]`, `${at}[${i}]`, problems, seen));
  else if (f.type === "object" || f.type === "union") {
    const object = value as Record<string, unknown>;
    let allowed = f.type === "object" ? Object.keys(f.fields) : [f.tag, ...Object.keys(f.common)];
    if (f.type === "object") checkObject(f.fields, object, path, at, problems, seen);
    else {
      const kind = object[f.tag];
      seen.add(`${path}.${f.tag}`);
      const variant = typeof kind === "string" && Object.hasOwn(f.variants, kind) ? f.variants[kind] : undefined;
      if (variant === undefined) return void problems.push(`${at}.${f.tag}: ${JSON.stringify(kind)} is none of ${Object.keys(f.variants).join(", ")}`);
      checkObject(f.common, object, path, at, problems, seen);
      checkObject(variant, object, `${path}.<${kind as string}>`, at, problems, seen);
      allowed = [...allowed, ...Object.keys(variant)];
    }
    for (const key of Object.keys(object)) if (!allowed.includes(key)) problems.push(`${at}.${key}: not in the schema`);
  }
}

/** What in `value` breaks `schema` (empty when nothing); adds the keys of the fields it holds to `seen`. */
export function schemaProblems(schema: Field, value: unknown, seen = new Set<string>()): string[] {
  const problems: string[] = [];
  check(schema, value, "$", "$", problems, seen);
  return problems;
}
