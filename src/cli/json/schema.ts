/**
 * The description language of the tools' `--json` outputs: each output is written down once as
 * a value built with these functions. The TypeScript type of the output is derived from it
 * ({@link JsonOf}), the docs show it as a table ({@link schemaTable}), and the tests check each
 * output against it, field by field, with the {@link ENCODINGS}' patterns.
 * @module
 */

/** How a JSON string encodes its value. */
type Encoding = "hex" | "base64" | "int" | "time" | "node-id" | "text" | "enum";

/** Each string encoding: what it means (for the docs) and the pattern every value matches (for the tests). */
export const ENCODINGS: Readonly<Record<Encoding, { readonly doc: string; readonly pattern: RegExp }>> = {
  hex: { doc: "upper-case hex, `\"\"` when empty (RPC's `HexBytes`)", pattern: /^(?:[0-9A-F]{2})*$/ },
  base64: { doc: "standard base64 (RPC's `[]byte`)", pattern: /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/ },
  int: { doc: "a 64-bit integer as a decimal string (RPC's `int64`/`uint64`)", pattern: /^-?(?:0|[1-9]\d*)$/ },
  time: { doc: "RFC 3339 in UTC, up to 9 fraction digits without trailing zeros (Go's `time.Time`)", pattern: /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{0,8}[1-9])?Z$/ },
  "node-id": { doc: "a node ID, 40 lower-case hex digits", pattern: /^[0-9a-f]{40}$/ },
  text: { doc: "text", pattern: /^[^]*$/ },
  enum: { doc: "one of", pattern: /^[^]*$/ },
};

interface Base {
  readonly doc: string;
  /** `null` when there is no value. */
  readonly nullable?: true;
  /** Left out when zero or empty (Go's `omitempty`). */
  readonly optional?: true;
}
/** A string in one of the {@link ENCODINGS}. */
interface StringField extends Base {
  readonly type: "string";
  readonly encoding: Encoding;
  readonly values?: readonly string[];
}
/** A JSON number, always an integer. */
interface NumberField extends Base {
  readonly type: "number";
}
/** `true` or `false`. */
interface BooleanField extends Base {
  readonly type: "boolean";
}
/** A JSON array of one kind of item. */
interface ArrayField<I extends Field = Field> extends Base {
  readonly type: "array";
  readonly items: I;
}
/** Named fields. */
type Fields = Readonly<Record<string, Field>>;
/** A JSON object with exactly these fields. */
interface ObjectField<F extends Fields = Fields> extends Base {
  readonly type: "object";
  readonly fields: F;
}
/** Objects of several kinds, told apart by the string in field `tag`; `common` fields in each. */
interface UnionField<T extends string = string, C extends Fields = Fields, V extends Readonly<Record<string, Fields>> = Readonly<Record<string, Fields>>> extends Base {
  readonly type: "union";
  readonly tag: T;
  readonly common: C;
  readonly variants: V;
}
/** Any described value. */
export type Field = StringField | NumberField | BooleanField | ArrayField | ObjectField | UnionField;

type Flat<T> = { [K in keyof T]: T[K] } & {};
type RequiredKeys<F extends Fields> = { [K in keyof F]: F[K] extends { readonly optional: true } ? never : K }[keyof F];
type OptionalKeys<F extends Fields> = Exclude<keyof F, RequiredKeys<F>>;
type ObjectJson<F extends Fields> = Flat<{ readonly [K in RequiredKeys<F>]: JsonOf<F[K]> } & { readonly [K in OptionalKeys<F>]?: JsonOf<F[K]> }>;
type ValueJson<F> = F extends { readonly type: "string"; readonly values: readonly (infer S)[] }
  ? S
  : F extends StringField
    ? string
    : F extends NumberField
      ? number
      : F extends BooleanField
        ? boolean
        : F extends ArrayField<infer I>
          ? readonly JsonOf<I>[]
          : F extends ObjectField<infer O>
            ? ObjectJson<O>
            : F extends UnionField<infer T, infer C, infer V>
              ? { [K in keyof V & string]: Flat<{ readonly [P in T]: K } & ObjectJson<C> & ObjectJson<V[K]>> }[keyof V & string]
              : never;
/** The TypeScript type of the JSON a description describes. */
export type JsonOf<F> = F extends { readonly nullable: true } ? ValueJson<F> | null : ValueJson<F>;

/** A string in `encoding`. */
export const str = (encoding: Exclude<Encoding, "enum">, doc: string) => ({ type: "string", encoding, doc }) as const;
/** A string, one of `values`. */
export const oneOf = <const S extends readonly string[]>(values: S, doc: string) => ({ type: "string", encoding: "enum", values, doc }) as const;
/** An integer JSON number. */
export const num = (doc: string) => ({ type: "number", doc }) as const;
/** `true` or `false`. */
export const bool = (doc: string) => ({ type: "boolean", doc }) as const;
/** An array of `items`. */
export const arr = <const I extends Field>(items: I, doc: string) => ({ type: "array", items, doc }) as const;
/** An object with `fields`. */
export const obj = <const F extends Fields>(fields: F, doc: string) => ({ type: "object", fields, doc }) as const;
/** Objects told apart by `tag`. */
export const union = <const T extends string, const C extends Fields, const V extends Readonly<Record<string, Fields>>>(tag: T, common: C, variants: V, doc: string) =>
  ({ type: "union", tag, common, variants, doc }) as const;
/** `field`, or `null`. */
export const nullable = <const F extends Field>(field: F) => ({ ...field, nullable: true }) as const;
/** `field`, left out when zero or empty. */
export const optional = <const F extends Field>(field: F) => ({ ...field, optional: true }) as const;

function typeText(f: Field): string {
  const base =
    f.type === "string"
      ? f.encoding === "enum"
        ? `string: one of ${(f.values ?? []).map((v) => `\`"${v}"\``).join(", ")}`
        : f.encoding === "text"
          ? "string"
          : `string (${f.encoding})`
      : f.type === "number"
        ? "number (integer)"
        : f.type === "union"
          ? "object"
          : f.type;
  return `${base}${f.nullable === true ? ", or `null`" : ""}${f.optional === true ? ", left out when zero" : ""}`;
}

/** A Markdown table of the string encodings the schemas use (`string (hex)` in a table is `hex` here). */
export function encodingsTable(): string[] {
  const named = (Object.keys(ENCODINGS) as Encoding[]).filter((e) => e !== "text" && e !== "enum");
  return ["| encoding | meaning |", "| --- | --- |", ...named.map((e) => `| \`${e}\` | ${ENCODINGS[e].doc} |`)];
}

function rows(f: Field, path: string, when: string, out: string[]): void {
  if (path !== "") out.push(`| \`${path}\` | ${typeText(f)} | ${when}${f.doc} |`);
  const at = (name: string) => (path === "" ? name : `${path}.${name}`);
  if (f.type === "object") for (const [name, g] of Object.entries(f.fields)) rows(g, at(name), when, out);
  else if (f.type === "array") rows(f.items, `${path}[]`, when, out);
  else if (f.type === "union") {
    out.push(`| \`${at(f.tag)}\` | string: one of ${Object.keys(f.variants).map((v) => `\`"${v}"\``).join(", ")} | ${when}which kind of object this is |`);
    for (const [name, g] of Object.entries(f.common)) rows(g, at(name), when, out);
    for (const [kind, fields] of Object.entries(f.variants)) for (const [name, g] of Object.entries(fields)) rows(g, at(name), `${when}(${f.tag} \`"${kind}"\`) `, out);
  }
}

/** A Markdown table of every field of `schema`, by path (`a.b[].c`; `[]` for an array's items), as the docs show it. */
export function schemaTable(schema: Field): string[] {
  const out = ["| field | JSON | meaning |", "| --- | --- | --- |"];
  rows(schema, "", "", out);
  return out;
}
