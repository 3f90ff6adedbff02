import fc from 'fast-check';

/** A JSON Schema node as `/openapi.json` holds it: the OpenAPI 3.1 subset the API's documents use. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  minItems?: number;
  maxItems?: number;
  minLength?: number;
  maxLength?: number;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
}

export interface ArbitraryOptions {
  /** The document `$ref`s point into (`#/components/schemas/Grant`). */
  root?: unknown;
  /** Values of string formats instead of the built-in ones (instants inside a policy window, say). */
  formats?: Record<string, fc.Arbitrary<string>>;
  /** Values of properties by dotted path (`supplier.organisation`) instead of the schema's. */
  overrides?: Record<string, fc.Arbitrary<unknown>>;
  /** Optional properties, by dotted path, that conforming values never carry. */
  omit?: string[];
  /** What the API calls the value itself in its errors; default `body`. */
  rootName?: string;
  /** Whether the hostile arbitrary may replace the value itself (not for query strings); default true. */
  rootMutations?: boolean;
  /** The longest huge array the hostile arbitrary builds; default 5,000. */
  hugeArray?: number;
}

/**
 * One near-miss: what changed where (the new value, or for `missing` and `extra` the key), and the field a 400
 * must name when the schema alone says the value is wrong.
 */
export interface Mutation {
  kind: string;
  path: string;
  field?: string | undefined;
  replacement?: unknown;
}

export type Hostile = { value: unknown; mutation: Mutation };

/** Strings that have broken directories, parsers, terminals and spreadsheets. */
export const HOSTILE_STRINGS: readonly string[] = [
  ...['*)(uid=*))(|(uid=*', 'admin)(|(objectClass=*)', '*', '\\2a', '\\00', '(&)', '!(uid=*)', '#hash'],
  ...['cn=admin,dc=supplier-access,dc=local', 'uid=x,ou=suppliers,dc=supplier-access,dc=local', ' leading'],
  ...['\u0000', 'NUL\u0000byte', '\nuserPassword: x', 'x\r\ndn: uid=root', '+', ',', ';', '"', '<>', '\\'],
  ...['=', '\u202Eevil\u202C', '\u200F', '\u200B\u200D', '\uFEFFbom', '👨‍👩‍👧', '🇫🇷', 'Cafe\u0301', 'ＡＣＭＥ'],
  ...['ıİ', '\ud800', 'x\udfffy', '../../etc/passwd', '%00', '%2e%2e%2f', '${jndi:ldap://x/a}', '{{7*7}}'],
  ...["' OR '1'='1", '<script>alert(1)</script>', "=cmd|' /C calc'!A0", '@SUM(1)', '-1', 'null', '[]'],
  ...['{}', '\t', ' ', '', 'A'.repeat(300), '𝔸'.repeat(100)],
];

type Path = (string | number)[];
type Node = Record<string | number, unknown>;

const dotted = (path: Path) => path.join('.');
const RESERVED_KEYS = new Set(['', '__proto__', 'constructor', 'prototype']);

/** Follows `$ref`s (`#/components/schemas/X`) into `options.root`. */
export function resolve(schema: JsonSchema, options: ArbitraryOptions): JsonSchema {
  let node = schema;
  for (let hops = 0; node.$ref !== undefined; hops++) {
    if (hops > 32 || !node.$ref.startsWith('#/')) throw new Error(`cannot resolve ${node.$ref}`);
    let target: unknown = options.root;
    for (const part of node.$ref.slice(2).split('/'))
      target = (target as Node | undefined)?.[part.replace(/~1/g, '/').replace(/~0/g, '~')];
    if (!target) throw new Error(`no ${node.$ref} in the document`);
    node = target;
  }
  return node;
}

const typeOf = (schema: JsonSchema): string | undefined =>
  (Array.isArray(schema.type) ? schema.type[0] : schema.type) ??
  (schema.properties ? 'object' : schema.items ? 'array' : undefined);

/** Values that conform to `schema`. */
export const conformingArbitrary = (schema: JsonSchema, options: ArbitraryOptions = {}) =>
  conforming(schema, options, []);

function conforming(raw: JsonSchema, options: ArbitraryOptions, path: Path): fc.Arbitrary<unknown> {
  const override = options.overrides?.[dotted(path)];
  if (override) return override;
  const schema = resolve(raw, options);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  if (Array.isArray(schema.type) && schema.type.length > 1)
    return fc.oneof(...schema.type.map((type) => conforming({ ...schema, type }, options, path)));
  const branches = schema.oneOf ?? schema.anyOf;
  if (branches && typeOf(schema) !== 'object') {
    const rest = { ...schema, oneOf: undefined, anyOf: undefined };
    return fc.oneof(...branches.map((branch) => conforming({ ...rest, ...branch }, options, path)));
  }
  const type = typeOf(schema) ?? '';
  if (type in SCALARS) return SCALARS[type]?.(schema) as fc.Arbitrary<unknown>;
  if (type === 'string') return conformingString(schema, options);
  if (type === 'object') return conformingObject(schema, options, path);
  if (type !== 'array') return fc.jsonValue({ maxDepth: 2 });
  const min = schema.minItems ?? 0;
  const items = conforming(schema.items ?? {}, options, [...path, 0]);
  return fc.array(items, { minLength: min, maxLength: Math.min(schema.maxItems ?? 5, min + 5) });
}

const SCALARS: Record<string, (schema: JsonSchema) => fc.Arbitrary<unknown>> = {
  null: () => fc.constant(null),
  boolean: () => fc.boolean(),
  integer: (s) => fc.integer({ min: s.minimum ?? -1_000_000, max: s.maximum ?? 1_000_000 }),
  number: (s) => fc.double({ min: s.minimum ?? -1e6, max: s.maximum ?? 1e6, noNaN: true }),
};

function conformingString(schema: JsonSchema, options: ArbitraryOptions): fc.Arbitrary<string> {
  const min = schema.minLength ?? 0;
  const max = schema.maxLength ?? Math.max(min, 40);
  const fits = (s: string) => [...s].length >= min && [...s].length <= max;
  const format = schema.format ? options.formats?.[schema.format] : undefined;
  if (format) return format;
  if (schema.pattern) return fc.stringMatching(new RegExp(schema.pattern)).filter(fits);
  if (schema.format === 'date-time') return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
  if (schema.format === 'uuid') return fc.uuid();
  if (schema.format === 'email') return fc.emailAddress().filter(fits);
  return fc.string({ minLength: min, maxLength: Math.min(max, min + 60) });
}

/** Required properties, some optional ones; of a `oneOf` (or `anyOf`) of `required` lists, exactly one. */
function conformingObject(schema: JsonSchema, options: ArbitraryOptions, path: Path): fc.Arbitrary<unknown> {
  const choices = schema.oneOf ?? schema.anyOf ?? [{}];
  return fc.oneof(
    ...choices.map((choice) => {
      const others = choices.filter((c) => c !== choice).flatMap((c) => c.required ?? []);
      const required = new Set([...(schema.required ?? []), ...(choice.required ?? [])]);
      const properties = { ...schema.properties, ...choice.properties };
      const optional = (key: string) =>
        !others.includes(key) && !options.omit?.includes(dotted([...path, key]));
      const keys = Object.keys(properties).filter((key) => required.has(key) || optional(key));
      const model = Object.fromEntries(
        keys.map((key) => [key, conforming(properties[key] ?? {}, options, [...path, key])]),
      );
      return fc.record(model, { requiredKeys: keys.filter((key) => required.has(key)) });
    }),
  );
}

/** A place in a conforming value the hostile arbitrary may change. */
type Site = { path: Path; schema: JsonSchema; value: unknown };

function sitesOf(schema: JsonSchema, value: unknown, options: ArbitraryOptions, path: Path = []): Site[] {
  const resolved = resolve(schema, options);
  const here: Site = { path, schema: resolved, value };
  if (Array.isArray(value))
    return [here, ...value.flatMap((item, i) => sitesOf(resolved.items ?? {}, item, options, [...path, i]))];
  if (!value || typeof value !== 'object') return [here];
  const inner = Object.entries(value).flatMap(([key, v]) => {
    const property = resolved.properties?.[key];
    return property ? sitesOf(property, v, options, [...path, key]) : [];
  });
  return [here, ...inner];
}

/** Whether the schema alone refuses the value (type, enum, pattern, length in code points, bounds). */
function violates(schema: JsonSchema, value: unknown): boolean {
  const type = typeOf(schema);
  if (typeof value === 'number') {
    if (type !== 'number' && type !== 'integer') return true;
    if (type === 'integer' && !Number.isInteger(value)) return true;
    return value < (schema.minimum ?? -Infinity) || value > (schema.maximum ?? Infinity);
  }
  if (typeof value !== 'string' || (type && type !== 'string')) return true;
  if (schema.enum && !schema.enum.includes(value)) return true;
  if (schema.pattern && !new RegExp(schema.pattern).test(value)) return true;
  const length = [...value].length;
  return length > (schema.maxLength ?? Infinity) || length < (schema.minLength ?? 0);
}

const SAMPLES: unknown[] = [0, 1.5, true, 'text', [], {}, ['a', 1], { a: 1 }];
const jsonType = (v: unknown) => (Array.isArray(v) ? 'array' : v === null ? 'null' : typeof v);

/** Arrays and objects in turn inside two arrays: the wrong type wherever it lands (and for arrays, their items). */
function nest(depth: number): unknown {
  let value: unknown = 'deep';
  for (let i = depth; i > 0; i--) value = i % 2 ? [value] : { d: value };
  return [value];
}

/** Every near-miss that applies at `site`. */
function mutationsAt(site: Site, options: ArbitraryOptions): fc.Arbitrary<Mutation>[] {
  const { path, value } = site;
  // A nullable value (`anyOf` of a schema and `null`) is near-missed as that schema; `null` is no near miss.
  const nullBranch = site.schema.anyOf?.find((branch) => branch.type === 'null');
  const schema = nullBranch
    ? resolve(site.schema.anyOf?.find((branch) => branch !== nullBranch) ?? {}, options)
    : site.schema;
  const at = dotted(path);
  const type = typeOf(schema);
  const huge = options.hugeArray ?? 5_000;
  const replace = (kind: string, replacement: unknown, certain = true): Mutation => ({
    kind,
    path: at,
    field: certain ? (path.length ? at : (options.rootName ?? 'body')) : undefined,
    replacement,
  });
  const keyed = (kind: string) => (key: string) => ({
    kind,
    path: at,
    replacement: key,
    field: dotted([...path, key]),
  });
  const wrong = SAMPLES.filter((v) => jsonType(v) !== type && !(type === 'integer' && v === 0));
  const out = [
    fc.constantFrom(...wrong).map((v) => replace('wrong-type', v)),
    ...(nullBranch ? [] : [fc.constant(replace('null', null, path.length > 0))]),
    // Deeper nesting is a corpus case: fast-check's reporter recurses into the value it prints.
    fc.integer({ min: 20, max: 400 }).map((depth) => replace('deep', nest(depth))),
    fc.integer({ min: Math.min(500, huge), max: huge }).map((n) => replace('huge-array', Array(n).fill(0))),
  ];
  if (type === 'string' || schema.enum)
    out.push(fc.constantFrom(...HOSTILE_STRINGS).map((s) => replace('hostile', s, violates(schema, s))));
  if (type === 'string' && schema.maxLength !== undefined)
    out.push(fc.constant(replace('too-long', 'x'.repeat(schema.maxLength + 1))));
  if (type === 'string' && (schema.minLength ?? 0) > 0) out.push(fc.constant(replace('too-short', '')));
  if (type === 'integer' || type === 'number') {
    const { minimum: min = 0, maximum: max = 1e6 } = schema;
    const values = [min - 1, min, max, max + 1, 0, -1, 1.5, -0, 2 ** 53 + 2, 1e308];
    out.push(fc.constantFrom(...values).map((n) => replace('boundary', n, violates(schema, n))));
  }
  if (type === 'array' && schema.maxItems !== undefined) {
    const n = schema.maxItems + 1;
    const items = conforming(schema.items ?? {}, options, [...path, 0]);
    out.push(fc.array(items, { minLength: n, maxLength: n }).map((v) => replace('too-many', v)));
  }
  if (type === 'object' && value && typeof value === 'object') {
    const present = Object.keys(value).filter((key) => schema.required?.includes(key));
    if (present.length) out.push(fc.constantFrom(...present).map(keyed('missing')));
    if (schema.additionalProperties === false) {
      const key = fc.oneof(fc.constantFrom(...HOSTILE_STRINGS), fc.string({ minLength: 1, maxLength: 20 }));
      out.push(key.filter((k) => !schema.properties?.[k] && !RESERVED_KEYS.has(k)).map(keyed('extra')));
    }
  }
  return out;
}

/** `value` with `mutation` applied at `path`: copies along the path, the conforming value is left alone. */
function applyAt(value: unknown, mutation: Mutation, path: Path): unknown {
  if (path.length > 0) {
    const [head, ...rest] = path as [string | number, ...Path];
    const copy = (Array.isArray(value) ? [...(value as unknown[])] : { ...(value as Node) }) as Node;
    copy[head] = applyAt((value as Node)[head], mutation, rest);
    return copy;
  }
  const key = mutation.replacement as string;
  if (mutation.kind === 'missing')
    return Object.fromEntries(Object.entries(value as Node).filter(([k]) => k !== key));
  if (mutation.kind === 'extra') return { ...(value as Node), [key]: 'unexpected' };
  return mutation.replacement;
}

/**
 * Near-misses: a conforming value with one mutation (wrong type, null, a missing required or an unknown field,
 * a string one past its length, a boundary number, a hostile string, deep nesting, a huge array).
 */
export function hostileArbitrary(schema: JsonSchema, options: ArbitraryOptions = {}): fc.Arbitrary<Hostile> {
  return conformingArbitrary(schema, options).chain((value): fc.Arbitrary<Hostile> => {
    const sites = sitesOf(schema, value, options).filter(
      (s) => s.path.length || options.rootMutations !== false,
    );
    if (sites.length === 0) return fc.constant({ value, mutation: { kind: 'none', path: '' } });
    return fc
      .constantFrom(...sites)
      .chain((site) =>
        fc
          .oneof(...mutationsAt(site, options))
          .map((mutation) => ({ value: applyAt(value, mutation, site.path), mutation })),
      );
  });
}
