/**
 * The OData query options the fake supports on collections: `$filter`, `$select`, `$top`, `$skiptoken`
 * (`@odata.nextLink` paging), `$count` and `$orderby`, with Graph's rules for "advanced queries" (operators such
 * as `ne`, `not` and `endsWith` need `ConsistencyLevel: eventual` and `$count=true`). `$expand` and `$search` fail
 * with a 400 that says so rather than being ignored.
 *
 * $filter grammar (case-insensitive keywords):
 *   expr    := and ('or' and)*
 *   and     := unary ('and' unary)*
 *   unary   := 'not' unary | '(' expr ')' | fn | cmp
 *   fn      := ('startswith' | 'endswith') '(' path ',' literal ')'
 *   cmp     := path ('eq'|'ne'|'gt'|'ge'|'lt'|'le') literal | path 'in' '(' literal (',' literal)* ')'
 *   literal := 'string' (with '' for a quote) | true | false | null | number | 2024-01-31T00:00:00Z
 * String comparisons are case-insensitive, as in Entra ID.
 */
import {
  countNeedsConsistencyLevel,
  invalidFilter,
  invalidPageSize,
  invalidSkipToken,
  needsConsistencyLevel,
  notImplementedByFake,
  unknownSelectProperty,
  unsupportedFilterProperty,
  GraphApiError,
} from './errors.js';
import type { FilterOp, PropertyDef, PropertyKind } from './model.js';
import {
  servedCredential,
  type FakeKeyCredential,
  type FakePasswordCredential,
} from './model-applications.js';

type Scalar = string | number | boolean | null;

interface Literal {
  value: Scalar;
  /** 'Edm.String' etc., for type checks. */
  edm: 'Edm.String' | 'Edm.Boolean' | 'Edm.Int32' | 'Edm.DateTimeOffset' | 'null';
}

type FilterNode =
  | { t: 'and' | 'or'; a: FilterNode; b: FilterNode }
  | { t: 'not'; a: FilterNode }
  | { t: 'cmp'; op: 'eq' | 'ne' | 'gt' | 'ge' | 'lt' | 'le'; path: string; lit: Literal }
  | { t: 'in'; path: string; lits: Literal[] }
  | { t: 'fn'; fn: 'startswith' | 'endswith'; path: string; lit: Literal };

interface Token {
  kind: 'ident' | 'string' | 'number' | 'datetime' | 'punct';
  text: string;
  pos: number;
}

const DATETIME_RE = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?/;

function tokenize(src: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const syntax = (pos: number) => invalidFilter(`Syntax error at position ${pos} in '${src}'.`);
  while (i < src.length) {
    const c = src.charAt(i);
    if (c === ' ' || c === '\t') {
      i++;
      continue;
    }
    if (c === '(' || c === ')' || c === ',') {
      out.push({ kind: 'punct', text: c, pos: i });
      i++;
      continue;
    }
    if (c === "'") {
      let j = i + 1;
      let text = '';
      for (;;) {
        if (j >= src.length)
          throw invalidFilter(`There is an unterminated string literal at position ${i} in '${src}'.`);
        const d = src.charAt(j);
        if (d === "'") {
          if (src.charAt(j + 1) === "'") {
            text += "'";
            j += 2;
            continue;
          }
          break;
        }
        text += d;
        j++;
      }
      out.push({ kind: 'string', text, pos: i });
      i = j + 1;
      continue;
    }
    const rest = src.slice(i);
    const dt = DATETIME_RE.exec(rest);
    if (dt && dt[1] !== undefined) {
      out.push({ kind: 'datetime', text: dt[0], pos: i });
      i += dt[0].length;
      continue;
    }
    const num = /^-?\d+(\.\d+)?/.exec(rest);
    if (num) {
      out.push({ kind: 'number', text: num[0], pos: i });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_./]*/.exec(rest);
    if (id) {
      out.push({ kind: 'ident', text: id[0], pos: i });
      i += id[0].length;
      continue;
    }
    throw syntax(i);
  }
  return out;
}

function parseFilter(src: string): FilterNode {
  const tokens = tokenize(src);
  let k = 0;
  const syntax = (pos: number) => invalidFilter(`Syntax error at position ${pos} in '${src}'.`);
  const peek = () => tokens[k];
  const isWord = (t: Token | undefined, w: string) => t?.kind === 'ident' && t.text.toLowerCase() === w;
  const expectPunct = (p: string) => {
    const t = tokens[k];
    if (t?.kind !== 'punct' || t.text !== p) throw syntax(t?.pos ?? src.length);
    k++;
  };
  const path = (): string => {
    const t = tokens[k];
    if (t?.kind !== 'ident') throw syntax(t?.pos ?? src.length);
    k++;
    return t.text;
  };
  const literal = (): Literal => {
    const t = tokens[k];
    if (!t) throw syntax(src.length);
    k++;
    if (t.kind === 'string') return { value: t.text, edm: 'Edm.String' };
    if (t.kind === 'number') return { value: Number(t.text), edm: 'Edm.Int32' };
    if (t.kind === 'datetime') return { value: t.text, edm: 'Edm.DateTimeOffset' };
    if (t.kind === 'ident') {
      const w = t.text.toLowerCase();
      if (w === 'true' || w === 'false') return { value: w === 'true', edm: 'Edm.Boolean' };
      if (w === 'null') return { value: null, edm: 'null' };
    }
    throw syntax(t.pos);
  };
  const unary = (): FilterNode => {
    const t = peek();
    if (!t) throw syntax(src.length);
    if (isWord(t, 'not')) {
      k++;
      return { t: 'not', a: unary() };
    }
    if (t.kind === 'punct' && t.text === '(') {
      k++;
      const e = orExpr();
      expectPunct(')');
      return e;
    }
    if ((isWord(t, 'startswith') || isWord(t, 'endswith')) && tokens[k + 1]?.text === '(') {
      const fn = t.text.toLowerCase() as 'startswith' | 'endswith';
      k += 2;
      const p = path();
      expectPunct(',');
      const lit = literal();
      expectPunct(')');
      return { t: 'fn', fn, path: p, lit };
    }
    const p = path();
    const opTok = tokens[k];
    if (opTok?.kind !== 'ident') throw syntax(opTok?.pos ?? src.length);
    const op = opTok.text.toLowerCase();
    k++;
    if (op === 'in') {
      expectPunct('(');
      const lits = [literal()];
      while (tokens[k]?.text === ',') {
        k++;
        lits.push(literal());
      }
      expectPunct(')');
      return { t: 'in', path: p, lits };
    }
    if (op === 'eq' || op === 'ne' || op === 'gt' || op === 'ge' || op === 'lt' || op === 'le')
      return { t: 'cmp', op, path: p, lit: literal() };
    throw syntax(opTok.pos);
  };
  const andExpr = (): FilterNode => {
    let a = unary();
    while (isWord(peek(), 'and')) {
      k++;
      a = { t: 'and', a, b: unary() };
    }
    return a;
  };
  const orExpr = (): FilterNode => {
    let a = andExpr();
    while (isWord(peek(), 'or')) {
      k++;
      a = { t: 'or', a, b: andExpr() };
    }
    return a;
  };
  if (tokens.length === 0) throw invalidFilter(`The $filter expression must not be empty.`);
  const node = orExpr();
  const extra = tokens[k];
  if (extra) throw syntax(extra.pos);
  return node;
}

const OPERATOR_KIND: Record<string, string> = {
  eq: 'Equal',
  ne: 'NotEqual',
  gt: 'GreaterThan',
  ge: 'GreaterThanOrEqual',
  lt: 'LessThan',
  le: 'LessThanOrEqual',
};

const EDM_OF: Record<PropertyKind, string> = {
  string: 'Edm.String',
  boolean: 'Edm.Boolean',
  datetime: 'Edm.DateTimeOffset',
  strings: 'Collection(Edm.String)',
  passwordProfile: 'microsoft.graph.passwordProfile',
  extensionAttributes: 'microsoft.graph.onPremisesExtensionAttributes',
  credentials: 'Collection(microsoft.graph.passwordCredential)',
};

export interface CollectionOptions {
  /** 'User' or 'Group' (error messages). */
  resource: string;
  /** 'microsoft.graph.user' etc. (error messages). */
  typeName: string;
  properties: Readonly<Record<string, PropertyDef>>;
  /** Resolves a `$filter` path ('displayName', 'onPremisesExtensionAttributes/extensionAttribute1'). */
  filterProperty: (path: string) => PropertyDef | undefined;
  /** Reads a path's value from an item. */
  read: (item: never, path: string) => unknown;
}

export type Predicate<T> = (item: T) => boolean;

/** Checks a parsed filter against the property metadata and compiles it. */
export function compileFilter<T>(src: string, opts: CollectionOptions, advanced: boolean): Predicate<T> {
  const node = parseFilter(src);
  const read = opts.read as (item: T, path: string) => unknown;

  const checkProperty = (path: string, op: FilterOp, lits: Literal[]): PropertyDef => {
    const def = opts.filterProperty(path);
    if (!def?.filter?.includes(op)) throw unsupportedFilterProperty(path, opts.resource);
    if (!advanced && (def.advancedFilter || op === 'ne' || op === 'endswith'))
      throw needsConsistencyLevel(op === 'endswith' ? 'endsWith' : op === 'ne' ? 'ne' : 'eq');
    const expected = EDM_OF[def.kind];
    for (const lit of lits) {
      if (lit.edm !== 'null' && lit.edm !== expected)
        throw invalidFilter(
          `A binary operator with incompatible types was detected. Found operand types '${expected}' and '${lit.edm}' for operator kind '${OPERATOR_KIND[op] ?? op}'.`,
        );
    }
    return def;
  };

  const norm = (v: unknown, kind: PropertyKind): string | number | boolean | null => {
    if (v === null || v === undefined) return null;
    if (kind === 'datetime') return typeof v === 'string' ? Date.parse(v) : null;
    if (kind === 'string') return typeof v === 'string' ? v.toLowerCase() : null;
    return typeof v === 'boolean' ? v : null;
  };

  const compile = (n: FilterNode): Predicate<T> => {
    switch (n.t) {
      case 'and': {
        const a = compile(n.a);
        const b = compile(n.b);
        return (x) => a(x) && b(x);
      }
      case 'or': {
        const a = compile(n.a);
        const b = compile(n.b);
        return (x) => a(x) || b(x);
      }
      case 'not': {
        if (!advanced) throw needsConsistencyLevel('not');
        const a = compile(n.a);
        return (x) => !a(x);
      }
      case 'fn': {
        const def = checkProperty(n.path, n.fn, [n.lit]);
        const want = norm(n.lit.value, def.kind);
        return (x) => {
          const have = norm(read(x, n.path), def.kind);
          if (typeof have !== 'string' || typeof want !== 'string') return false;
          return n.fn === 'startswith' ? have.startsWith(want) : have.endsWith(want);
        };
      }
      case 'in': {
        const def = checkProperty(n.path, 'in', n.lits);
        const wants = n.lits.map((l) => norm(l.value, def.kind));
        return (x) => wants.includes(norm(read(x, n.path), def.kind));
      }
      case 'cmp': {
        const def = checkProperty(n.path, n.op, [n.lit]);
        const want = norm(n.lit.value, def.kind);
        const op = n.op;
        return (x) => {
          const have = norm(read(x, n.path), def.kind);
          if (op === 'eq') return have === want;
          if (op === 'ne') return have !== want;
          if (have === null || want === null) return false;
          if (op === 'gt') return have > want;
          if (op === 'ge') return have >= want;
          if (op === 'lt') return have < want;
          return have <= want;
        };
      }
    }
  };
  return compile(node);
}

/** `$select=a,b` → property names (validated); undefined when absent. */
export function parseSelect(value: string | null, opts: CollectionOptions): string[] | undefined {
  if (value === null || value.trim() === '') return undefined;
  const names = value.split(',').map((s) => s.trim());
  for (const n of names) if (!(n in opts.properties)) throw unknownSelectProperty(n, opts.typeName);
  return names;
}

/** The default property set, or the `$select`ed one, of an item. */
export function project(
  item: object,
  select: string[] | undefined,
  properties: Readonly<Record<string, PropertyDef>>,
): Record<string, unknown> {
  const names = select ?? Object.keys(properties).filter((n) => properties[n]?.default);
  const rec = item as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const n of names) {
    const def = properties[n];
    const v = rec[n];
    if (def?.kind === 'passwordProfile') out[n] = null;
    else if (def?.kind === 'credentials')
      out[n] = (v as (FakePasswordCredential | FakeKeyCredential)[]).map(servedCredential);
    else if (Array.isArray(v)) out[n] = [...(v as unknown[])];
    else if (v !== null && typeof v === 'object') out[n] = { ...v };
    else out[n] = v ?? null;
  }
  return out;
}

const SUPPORTED_OPTIONS = new Set(['$filter', '$select', '$top', '$skiptoken', '$count', '$orderby']);

export interface ListQuery {
  filter?: string;
  select?: string[];
  top: number;
  offset: number;
  count: boolean;
  orderBy?: { property: string; desc: boolean };
}

/** Parses and validates a collection's query string. `advanced`: the request carries `ConsistencyLevel: eventual`. */
export function parseListQuery(
  q: URLSearchParams,
  opts: CollectionOptions,
  consistencyEventual: boolean,
): ListQuery {
  for (const key of q.keys()) {
    if (!key.startsWith('$')) continue;
    if (key === '$expand' || key === '$search') throw notImplementedByFake(`The query option '${key}'`);
    if (!SUPPORTED_OPTIONS.has(key))
      throw new GraphApiError(400, 'BadRequest', `The query parameter '${key}' is not supported.`);
  }
  const countParam = q.get('$count');
  const count = countParam?.toLowerCase() === 'true';
  if (count && !consistencyEventual) throw countNeedsConsistencyLevel();
  const topParam = q.get('$top');
  let top = 100;
  if (topParam !== null) {
    const n = Number(topParam);
    if (!Number.isInteger(n) || n < 1 || n > 999) throw invalidPageSize(topParam);
    top = n;
  }
  let offset = 0;
  const skip = q.get('$skiptoken');
  if (skip !== null) offset = decodeSkipToken(skip);
  const result: ListQuery = { top, offset, count };
  const filter = q.get('$filter');
  if (filter !== null) result.filter = filter;
  const select = parseSelect(q.get('$select'), opts);
  if (select) result.select = select;
  const orderby = q.get('$orderby');
  if (orderby !== null && orderby.trim() !== '') {
    const [property = '', dir = 'asc', ...more] = orderby.trim().split(/\s+/);
    const def = opts.properties[property];
    if (!def || more.length > 0 || !['asc', 'desc'].includes(dir.toLowerCase()) || def.kind !== 'string')
      throw new GraphApiError(400, 'Request_UnsupportedQuery', `Sorting by '${orderby}' is not supported.`);
    result.orderBy = { property, desc: dir.toLowerCase() === 'desc' };
  }
  return result;
}

export function encodeSkipToken(offset: number): string {
  return 'RFNwdA' + Buffer.from(JSON.stringify({ o: offset })).toString('base64url');
}

function decodeSkipToken(token: string): number {
  try {
    if (!token.startsWith('RFNwdA')) throw new Error('prefix');
    const parsed = JSON.parse(Buffer.from(token.slice(6), 'base64url').toString('utf8')) as { o?: unknown };
    if (typeof parsed.o !== 'number' || !Number.isInteger(parsed.o) || parsed.o < 0)
      throw new Error('offset');
    return parsed.o;
  } catch {
    throw invalidSkipToken();
  }
}

/**
 * Filters, sorts and pages `items`; returns the page and, when more remain, the `@odata.nextLink`
 * (`baseUrl` + path + the same query with a `$skiptoken`).
 */
export function runListQuery<T extends object>(
  items: readonly T[],
  query: ListQuery,
  opts: CollectionOptions,
  advanced: boolean,
  nextLinkBase: string,
  originalQuery: URLSearchParams,
): { page: T[]; total: number; nextLink?: string } {
  let matched = [...items];
  if (query.filter !== undefined) {
    const pred = compileFilter<T>(query.filter, opts, advanced);
    matched = matched.filter(pred);
  }
  if (query.orderBy) {
    const { property, desc } = query.orderBy;
    const key = (x: T) => {
      const v = (x as Record<string, unknown>)[property];
      return typeof v === 'string' ? v.toLowerCase() : '';
    };
    matched.sort((a, b) => (desc ? -1 : 1) * key(a).localeCompare(key(b)));
  }
  const page = matched.slice(query.offset, query.offset + query.top);
  const result: { page: T[]; total: number; nextLink?: string } = { page, total: matched.length };
  if (query.offset + query.top < matched.length) {
    const next = new URLSearchParams(originalQuery);
    next.set('$skiptoken', encodeSkipToken(query.offset + query.top));
    // Graph's nextLinks keep `$` unescaped.
    result.nextLink = `${nextLinkBase}?${next.toString().replace(/%24/g, '$')}`;
  }
  return result;
}
