/**
 * The SCIM-like expressions of Okta's `search` and `filter` query parameters:
 *   attr op "value" | attr pr | ( expr ) | expr and expr | expr or expr | not ( expr )
 * with op one of eq ne sw co ew gt ge lt le. String comparisons ignore case (as Okta's do for logins,
 * e-mails and names). Values: "strings" (with \" escapes), numbers, true, false, null.
 */
import { invalidSearch } from './errors.js';

export type Op = 'eq' | 'ne' | 'sw' | 'co' | 'ew' | 'gt' | 'ge' | 'lt' | 'le';
type Value = string | number | boolean | null;

export type Expr =
  | { kind: 'and' | 'or'; left: Expr; right: Expr }
  | { kind: 'not'; expr: Expr }
  | { kind: 'cmp'; attr: string; op: Op; value: Value }
  | { kind: 'pr'; attr: string };

const OPS = new Set<string>(['eq', 'ne', 'sw', 'co', 'ew', 'gt', 'ge', 'lt', 'le']);

type Token = { t: 'word'; v: string } | { t: 'str'; v: string } | { t: 'lp' } | { t: 'rp' };

function tokenize(input: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < input.length) {
    const c = input[i]!;
    if (/\s/.test(c)) {
      i++;
    } else if (c === '(') {
      tokens.push({ t: 'lp' });
      i++;
    } else if (c === ')') {
      tokens.push({ t: 'rp' });
      i++;
    } else if (c === '"') {
      let v = '';
      i++;
      for (;;) {
        if (i >= input.length) throw invalidSearch();
        const d = input[i]!;
        if (d === '\\' && i + 1 < input.length) {
          v += input[i + 1];
          i += 2;
        } else if (d === '"') {
          i++;
          break;
        } else {
          v += d;
          i++;
        }
      }
      tokens.push({ t: 'str', v });
    } else {
      const m = /^[^\s()"]+/.exec(input.slice(i));
      if (!m) throw invalidSearch();
      tokens.push({ t: 'word', v: m[0] });
      i += m[0].length;
    }
  }
  return tokens;
}

export function parseExpression(input: string): Expr {
  const tokens = tokenize(input);
  let pos = 0;
  const peekWord = (): string | undefined => {
    const tok = tokens[pos];
    return tok?.t === 'word' ? tok.v.toLowerCase() : undefined;
  };

  const parseOr = (): Expr => {
    let left = parseAnd();
    while (peekWord() === 'or') {
      pos++;
      left = { kind: 'or', left, right: parseAnd() };
    }
    return left;
  };
  const parseAnd = (): Expr => {
    let left = parseUnary();
    while (peekWord() === 'and') {
      pos++;
      left = { kind: 'and', left, right: parseUnary() };
    }
    return left;
  };
  const parseUnary = (): Expr => {
    if (peekWord() === 'not') {
      pos++;
      return { kind: 'not', expr: parsePrimary() };
    }
    return parsePrimary();
  };
  const parsePrimary = (): Expr => {
    const tok = tokens[pos++];
    if (!tok) throw invalidSearch();
    if (tok.t === 'lp') {
      const inner = parseOr();
      if (tokens[pos++]?.t !== 'rp') throw invalidSearch();
      return inner;
    }
    if (tok.t !== 'word' || !/^[A-Za-z_][\w.]*$/.test(tok.v)) throw invalidSearch();
    const attr = tok.v;
    const opTok = tokens[pos++];
    if (opTok?.t !== 'word') throw invalidSearch();
    const op = opTok.v.toLowerCase();
    if (op === 'pr') return { kind: 'pr', attr };
    if (!OPS.has(op)) throw invalidSearch();
    const valTok = tokens[pos++];
    if (!valTok) throw invalidSearch();
    let value: Value;
    if (valTok.t === 'str') value = valTok.v;
    else if (valTok.t !== 'word') throw invalidSearch();
    else if (valTok.v === 'true' || valTok.v === 'false') value = valTok.v === 'true';
    else if (valTok.v === 'null') value = null;
    else if (/^-?\d+(\.\d+)?$/.test(valTok.v)) value = Number(valTok.v);
    else throw invalidSearch();
    return { kind: 'cmp', attr, op: op as Op, value };
  };

  const expr = parseOr();
  if (pos !== tokens.length) throw invalidSearch();
  return expr;
}

function norm(v: unknown): unknown {
  return typeof v === 'string' ? v.toLowerCase() : v;
}

function compare(actual: unknown, op: Op, expected: Value): boolean {
  if (Array.isArray(actual)) return actual.some((a) => compare(a, op, expected));
  const a = norm(actual);
  const e = norm(expected);
  switch (op) {
    case 'eq':
      return a === e || (e === null && a === undefined);
    case 'ne':
      return !(a === e || (e === null && a === undefined));
    case 'sw':
      return typeof a === 'string' && typeof e === 'string' && a.startsWith(e);
    case 'co':
      return typeof a === 'string' && typeof e === 'string' && a.includes(e);
    case 'ew':
      return typeof a === 'string' && typeof e === 'string' && a.endsWith(e);
    default: {
      if (a === undefined || a === null || e === null) return false;
      if (typeof a !== typeof e) return false;
      const x = a as string | number;
      const y = e as string | number;
      if (op === 'gt') return x > y;
      if (op === 'ge') return x >= y;
      if (op === 'lt') return x < y;
      return x <= y;
    }
  }
}

/** Evaluates `expr` against an object whose attributes `get` resolves (e.g. 'profile.login'). */
export function evaluate(expr: Expr, get: (attr: string) => unknown): boolean {
  switch (expr.kind) {
    case 'and':
      return evaluate(expr.left, get) && evaluate(expr.right, get);
    case 'or':
      return evaluate(expr.left, get) || evaluate(expr.right, get);
    case 'not':
      return !evaluate(expr.expr, get);
    case 'pr': {
      const v = get(expr.attr);
      return v !== undefined && v !== null && v !== '';
    }
    case 'cmp':
      return compare(get(expr.attr), expr.op, expr.value);
  }
}

/** Resolves a dotted path ('profile.login', 'type.id') in a plain object. */
export function pathGetter(obj: Record<string, unknown>): (attr: string) => unknown {
  return (attr) => {
    let cur: unknown = obj;
    for (const part of attr.split('.')) {
      if (cur === null || typeof cur !== 'object') return undefined;
      cur = (cur as Record<string, unknown>)[part];
    }
    return cur;
  };
}

/** Rejects (E0000031) an expression using attributes or operators outside the allowed sets. */
export function restrict(expr: Expr, attrs: ReadonlySet<string>, ops: ReadonlySet<string>): void {
  switch (expr.kind) {
    case 'and':
    case 'or':
      restrict(expr.left, attrs, ops);
      restrict(expr.right, attrs, ops);
      return;
    case 'not':
      throw invalidSearch();
    case 'pr':
      if (!ops.has('pr') || !attrs.has(expr.attr)) throw invalidSearch();
      return;
    case 'cmp':
      if (!ops.has(expr.op) || !attrs.has(expr.attr)) throw invalidSearch();
  }
}

/** Whether the expression constrains `attr` anywhere (e.g. status, to decide on DEPROVISIONED users). */
export function mentions(expr: Expr, attr: string): boolean {
  switch (expr.kind) {
    case 'and':
    case 'or':
      return mentions(expr.left, attr) || mentions(expr.right, attr);
    case 'not':
      return mentions(expr.expr, attr);
    default:
      return expr.attr === attr;
  }
}
