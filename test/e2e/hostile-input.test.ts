import fc from 'fast-check';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listDNs, readEntry } from '../helpers/ldap.js';
import {
  conformingArbitrary,
  hostileArbitrary,
  type ArbitraryOptions,
  type JsonSchema,
  type Mutation,
} from '../helpers/schema-arbitrary.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { DAY } from '../helpers/kit.js';

/**
 * Hostile input against the real stack: cases generated from `/openapi.json` (mostly near-misses of each
 * schema), then corpora of LDAP injection strings, oversized and nested bodies, Unicode organisations and
 * instants. Whatever comes in: no 5xx, every 4xx an RFC 9457 problem, every 400 naming its fields, and
 * nothing in the directory that no grant in the registry accounts for.
 */

const BODY_LIMIT = 64 * 1024;

/** Generated cases per operation; operations not listed get DEFAULT_RUNS. */
const RUNS: Record<string, number> = {
  'POST /v1/grants': 1400,
  'GET /v1/grants': 800,
  'GET /v1/registry.csv': 400,
  'GET /v1/grants/{id}': 400,
  'POST /v1/grants/{id}/credential': 300,
  'POST /v1/grants/{id}/extensions': 500,
  'POST /v1/grants/{id}/extensions/approve': 350,
  'POST /v1/grants/{id}/extensions/reject': 350,
  'POST /v1/grants/{id}/revoke': 300,
  'GET /v1/reviews/{id}': 250,
};
const DEFAULT_RUNS = 100;

type Answer = Awaited<ReturnType<TestStack['request']>>;
type Caller = keyof typeof TOKENS | 'nobody' | 'stranger';
const ROLE: Record<Caller, string | null> = {
  requester: 'requester',
  requester2: 'requester',
  approver: 'approver',
  admin: 'admin',
  auditor: 'auditor',
  nobody: null,
  stranger: null,
};
const tokenOf = (caller: Caller): string | null =>
  caller === 'nobody' ? null : caller === 'stranger' ? 'stranger-token-000000000000' : TOKENS[caller];

interface Parameter {
  name: string;
  in: string;
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  key: string;
  method: string;
  path: string;
  parameters: Parameter[];
  body?: { schema: JsonSchema; required: boolean } | undefined;
  allowedRoles: string[];
}

let stack: TestStack;
let before: string[];
let groupDN: string;
let operations: Operation[];
let arbitraryOptions: ArbitraryOptions;
const grantIds: string[] = [];
/** Suppliers to aim the supplier id operations at: the pool grants', then those the suite registers. */
const supplierIds: string[] = [];
const reviewIds: string[] = [];
const stats: Record<string, { cases: number; statuses: Record<number, number> }> = {};

beforeAll(async () => {
  stack = await TestStack.start();
  before = await listDNs(stack.slapd, stack.slapd.usersDN);
  groupDN = `cn=hostile-suite,${stack.slapd.groupsDN}`;
  await asDirectoryAdmin((c) =>
    c.add(groupDN, { objectClass: 'groupOfNames', cn: 'hostile-suite', member: stack.slapd.bindDN }),
  );
  const document = (await stack.request('GET', '/openapi.json', null)).body;
  operations = operationsOf(document);
  arbitraryOptions = {
    root: document,
    formats: { 'date-time': instantArbitrary() },
    overrides: { 'supplier.organisation': organisationArbitrary(), groups: fc.subarray([groupDN]) },
    // A random supplierId names no supplier: conforming bodies name theirs by organisation.
    omit: ['account', 'supplierId'],
  };
  // Grants to aim the id operations at, by several requesters: an admin may then approve some extensions.
  const requesters = ['requester', 'requester2', 'admin', 'requester', 'admin', 'requester'] as const;
  for (const [i, caller] of requesters.entries()) {
    const body = grantBody(`Pool Supplier ${i}`);
    const created = await stack.request('POST', '/v1/grants', TOKENS[caller], body);
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    grantIds.push(created.body.id);
    supplierIds.push(created.body.supplierId);
  }
  const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
  reviewIds.push(review.body.id ?? crypto.randomUUID());
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function grantBody(organisation: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    provider: 'ldap',
    supplier: { organisation },
    durationDays: 7,
    reason: 'hostile-input suite',
    ...extra,
  };
}

/** Every operation of the document that takes a body, query parameters or path parameters. */
function operationsOf(document: any): Operation[] {
  const out: Operation[] = [];
  for (const [path, methods] of Object.entries<Record<string, any>>(document.paths)) {
    for (const [method, op] of Object.entries<any>(methods)) {
      const schema = op.requestBody?.content?.['application/json']?.schema;
      const parameters: Parameter[] = op.parameters ?? [];
      if (!schema && parameters.length === 0) continue;
      out.push({
        key: `${method.toUpperCase()} ${path}`,
        method: method.toUpperCase(),
        path,
        parameters,
        body: schema ? { schema, required: Boolean(op.requestBody.required) } : undefined,
        allowedRoles: op['x-allowed-roles'] ?? [],
      });
    }
  }
  return out;
}

/** Instants inside the policy window, with `Z` or an offset, so that conforming bodies are accepted. */
function instantArbitrary(): fc.Arbitrary<string> {
  return fc
    .tuple(fc.integer({ min: 3_600_000, max: 85 * DAY }), fc.constantFrom(0, 330, -240, 60, -600, 840, -720))
    .map(([ahead, offset]) => withOffset(Date.now() + ahead, offset));
}

/** `ms` written in the local time of a UTC offset, e.g. `2026-12-01T15:30:00.000+05:30`. */
function withOffset(ms: number, offsetMinutes: number): string {
  const local = new Date(ms + offsetMinutes * 60_000).toISOString().slice(0, -1);
  if (offsetMinutes === 0) return `${local}Z`;
  const abs = Math.abs(offsetMinutes);
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${local}${offsetMinutes < 0 ? '-' : '+'}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
}

/** Names from many scripts, so that accounts vary and not every grant collides with a live one. */
function organisationArbitrary(): fc.Arbitrary<string> {
  const word = fc.stringMatching(/^[A-Z][a-z]{2,9}$/);
  // Bidi controls, zero-width characters and a BOM (one code unit each), emoji, a combining accent, and more.
  const marks = [...'\u202E\u200F\u200B\u200D\uFEFF\u0301ıＦß', '🚀', '👩‍💻', '🇫🇷'];
  return fc.oneof(
    fc.tuple(word, word, fc.nat(9999)).map(([a, b, n]) => `${a} ${b} ${n}`),
    fc.string({ minLength: 1, maxLength: 60 }),
    fc.string({ unit: 'grapheme', minLength: 1, maxLength: 30 }),
    fc.tuple(word, fc.constantFrom(...marks), word).map(([a, m, b]) => `${a}${m}${b}`),
  );
}

/** Mostly near-misses, some conforming values. */
function generated(schema: JsonSchema, options: ArbitraryOptions) {
  const conforming = conformingArbitrary(schema, options).map((value) => ({ value, mutation: null }));
  return fc.oneof(
    { weight: 1, arbitrary: conforming },
    { weight: 4, arbitrary: hostileArbitrary(schema, options) },
  );
}

/** Path ids: grants that exist, unknown UUIDs, and near-misses of the id schema (hostile strings among them). */
function idArbitrary(schema: JsonSchema, known: string[]) {
  const uuid = new RegExp(schema.pattern ?? '^[0-9a-f-]{36}$');
  return fc
    .oneof(
      { weight: 3, arbitrary: fc.nat().map((i) => known[i % known.length] ?? crypto.randomUUID()) },
      { weight: 1, arbitrary: fc.uuid() },
      {
        weight: 4,
        arbitrary: hostileArbitrary(schema, { rootName: 'id', hugeArray: 40 }).map(({ value }) =>
          typeof value === 'string' ? value : JSON.stringify(value),
        ),
      },
    )
    .map((raw) => ({ raw, valid: uuid.test(raw) }));
}

interface Case {
  caller: Caller;
  id?: { raw: string; valid: boolean };
  query?: { value: unknown; mutation: Mutation | null };
  body?: { value: unknown; mutation: Mutation | null } | 'absent';
}

function caseArbitrary(op: Operation): fc.Arbitrary<Case> {
  const parts: Record<string, fc.Arbitrary<unknown>> = {
    caller: fc.oneof(
      { weight: 6, arbitrary: fc.constant<Caller>('admin') },
      { weight: 2, arbitrary: fc.constantFrom<Caller>('requester', 'requester2', 'approver', 'auditor') },
      { weight: 1, arbitrary: fc.constantFrom<Caller>('nobody', 'stranger') },
    ),
  };
  const idParam = op.parameters.find((p) => p.in === 'path');
  if (idParam) parts.id = idArbitrary(idParam.schema, knownIds(op.path));
  const query = op.parameters.filter((p) => p.in === 'query');
  if (query.length) {
    const schema: JsonSchema = {
      type: 'object',
      properties: Object.fromEntries(query.map((p) => [p.name, p.schema])),
      required: query.filter((p) => p.required).map((p) => p.name),
      additionalProperties: false,
    };
    parts.query = generated(schema, {
      ...arbitraryOptions,
      rootName: 'query',
      rootMutations: false,
      hugeArray: 600,
    });
  }
  if (op.body) {
    const body = generated(op.body.schema, arbitraryOptions);
    parts.body = op.body.required ? body : fc.oneof(body, fc.constant('absent'));
  }
  return fc.record(parts) as fc.Arbitrary<Case>;
}

/** A query value as text: strings as they are, anything else as JSON (`null` as nothing). */
function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  return v === null || v === undefined ? '' : JSON.stringify(v);
}
/** Percent-encoded as UTF-8; a lone surrogate cannot be, so it goes as U+FFFD. */
const encode = (s: string) => encodeURIComponent(s.replace(/\p{Cs}/gu, '\uFFFD'));

/** Query parameters as a form: arrays of `style: form, explode: false` joined by commas, other arrays repeated. */
function queryString(params: Parameter[], value: unknown): string {
  const pairs: string[] = [];
  for (const [key, v] of Object.entries((value ?? {}) as Record<string, unknown>)) {
    const listParam = params.find((p) => p.name === key)?.schema.type === 'array';
    const items = Array.isArray(v) && !listParam ? v : [Array.isArray(v) ? v.map(textOf).join(',') : v];
    for (const item of items) pairs.push(`${encode(key)}=${encode(textOf(item))}`);
  }
  return pairs.length ? `?${pairs.join('&')}` : '';
}

/** The field a 400 must name for a query mutation, where the form encoding keeps the mutation certain. */
function queryField(params: Parameter[], m: Mutation | null): string | undefined {
  if (!m?.field) return undefined;
  if (m.kind === 'extra') return m.field;
  const top = m.path.split('.')[0] ?? '';
  const listParam = params.find((p) => p.name === top)?.schema.type === 'array';
  if (typeof m.replacement === 'string' || m.kind === 'boundary') return top;
  if (Array.isArray(m.replacement) && m.replacement.length >= 2 && !listParam && m.path === top) return top;
  return undefined;
}

/** RFC 9457: the media type and the standard members, `status` agreeing with the HTTP status. */
function expectProblem(answer: Answer, context: string): void {
  expect(answer.headers.get('content-type'), context).toContain('application/problem+json');
  expect(answer.body, context).toMatchObject({ status: answer.status });
  for (const member of ['type', 'title', 'detail'])
    expect(
      typeof answer.body[member] === 'string' && answer.body[member] !== '',
      `${member}: ${context}`,
    ).toBe(true);
  if (answer.status !== 400) return;
  const errors = answer.body.errors as { field: unknown; rule: unknown }[];
  expect(Array.isArray(errors) && errors.length > 0, context).toBe(true);
  for (const e of errors) {
    expect(typeof e.field === 'string' && typeof e.rule === 'string' && e.rule !== '', context).toBe(true);
    expect(answer.body.detail, context).toContain(e.field);
  }
}

/** A 400 whose `errors` name `field`. */
function expectInvalid(answer: Answer, field: string, context = ''): void {
  const text = `${context} ${answer.status} ${JSON.stringify(answer.body).slice(0, 600)}`;
  expect(answer.status, text).toBe(400);
  expectProblem(answer, text);
  const fields = (answer.body.errors as { field: string }[]).map((e) => e.field);
  expect(
    fields.some((f) => f.includes(field)),
    `${field} not in ${fields.join(' | ')}: ${text}`,
  ).toBe(true);
}

/** The contract every answer keeps: never a 5xx, every 4xx a problem. */
function checkAnswer(answer: Answer): void {
  const text = `${answer.status} ${JSON.stringify(answer.body).slice(0, 600)}`;
  expect(answer.status, text).toBeLessThan(500);
  if (answer.status >= 400) expectProblem(answer, text);
}

/** A grant answered 201: an ASCII account name, the organisation kept as written, the instant in UTC. */
function expectGrant(sent: any, got: any): void {
  const organisation = String(sent.supplier.organisation).trim();
  expect(got.supplier.organisation).toBe(organisation);
  expect(got.account.username).toMatch(/^sup-[a-z0-9]+(-[a-z0-9]+)*$/);
  // A service credential is the supplier's integration, marked so; every other grant the supplier's account.
  const marked = sent.kind === 'service' ? 'supplier integration' : 'supplier';
  expect(got.account.displayName).toBe(`${organisation} (${marked})`);
  expect(got.account.externalId).toBe(`uid=${got.account.username},${stack.slapd.usersDN}`);
  expect(got.credential?.username).toBe(got.account.username);
  expect(got.expiresAt).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  if (sent.expiresAt) expect(got.expiresAt).toBe(new Date(sent.expiresAt).toISOString());
}

async function runCase(op: Operation, c: Case): Promise<void> {
  const path = op.path.replace('{id}', c.id ? encode(c.id.raw) : '');
  const url = path + (c.query ? queryString(op.parameters, c.query.value) : '');
  const body = c.body && c.body !== 'absent' ? c.body : undefined;
  const text = body ? JSON.stringify(body.value) : undefined;
  const answer = await stack.request(op.method, url, tokenOf(c.caller), text);
  const entry = (stats[op.key] ??= { cases: 0, statuses: {} });
  entry.cases++;
  entry.statuses[answer.status] = (entry.statuses[answer.status] ?? 0) + 1;
  checkAnswer(answer);
  const context = `${op.key} ${url.slice(0, 300)} ${c.caller} ${text?.slice(0, 300)}`;
  if (text !== undefined && Buffer.byteLength(text) > BODY_LIMIT) {
    // docs/api.md's limit for the API's own requests (the codec takes Temporal's bigger batches).
    if (op.path.startsWith('/v1/')) expectInvalid(answer, 'body', context);
    return;
  }
  // A path that URL resolution changed (`..`) is another route, or none.
  if (new URL(stack.apiUrl + path).pathname !== path)
    return expect(answer.status, context).toBeGreaterThanOrEqual(400);
  // A path Fastify refuses before routing (undecodable, a segment over 100 characters) is a 400 naming the
  // path, whoever asks: there is no route yet to say who may.
  if (c.id && !c.id.valid && answer.status === 400 && answer.body?.errors?.[0]?.field === 'path') return;
  const role = ROLE[c.caller];
  if (!role) return expect(answer.status, context).toBe(401);
  if (!op.allowedRoles.includes(role)) return expect(answer.status, context).toBe(403);
  const field = body?.mutation?.field ?? queryField(op.parameters, c.query?.mutation ?? null);
  if (field) return expectInvalid(answer, field, context);
  if (c.id && !c.id.valid) {
    expect(answer.status, context).toBeGreaterThanOrEqual(400);
    if (!op.body && answer.status === 400) expectInvalid(answer, 'id', context);
  }
  if (op.key === 'POST /v1/grants' && answer.status === 201) {
    expectGrant(body?.value, answer.body);
    grantIds.push(answer.body.id);
  }
  if (op.key === 'POST /v1/suppliers' && answer.status === 201) supplierIds.push(answer.body.id);
}

/** The ids that exist for an operation's path. */
function knownIds(path: string): string[] {
  if (path.startsWith('/v1/reviews')) return reviewIds;
  return path.startsWith('/v1/suppliers') ? supplierIds : grantIds;
}

/**
 * Cases in flight at once for the operations that change no grant of the pool: creating grants (most of the run's
 * time, each waiting for its account) and reading. The others change the pool's grants, one case after another.
 */
const IN_FLIGHT = 8;
const inFlight = (op: Operation) => op.method === 'GET' || op.key === 'POST /v1/grants';

/** The cases of one seed, sent IN_FLIGHT at a time; a failure names the seed and the case, and stops the rest. */
async function runConcurrently(op: Operation, numRuns: number): Promise<void> {
  const seed = Math.floor(Math.random() * 0x7fffffff);
  const cases = fc.sample(caseArbitrary(op), { numRuns, seed });
  let next = 0;
  let failed = false;
  const lane = async () => {
    while (!failed && next < cases.length) {
      const index = next++;
      try {
        await runCase(op, cases[index] as Case);
      } catch (err) {
        failed = true;
        if (err instanceof Error) err.message += `\n(fast-check sample seed ${seed}, case ${index})`;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: IN_FLIGHT }, lane));
}

describe('generated cases from /openapi.json', () => {
  const runAll = async (op: Operation, numRuns: number) => {
    if (inFlight(op)) return runConcurrently(op, numRuns);
    await fc.assert(
      fc.asyncProperty(caseArbitrary(op), async (c) => {
        await runCase(op, c);
      }),
      // Shrinking would replay hundreds of requests; the case already says what was mutated, and where.
      { numRuns, endOnFailure: true },
    );
  };

  it.each(Object.entries(RUNS))(
    '%s: %i cases',
    async (key, numRuns) => {
      const op = operations.find((o) => o.key === key);
      expect(op, `${key} is not in /openapi.json any more`).toBeDefined();
      await runAll(op as Operation, numRuns);
    },
    180_000,
  );

  it('every other operation that takes input', async () => {
    for (const op of operations.filter((o) => !(o.key in RUNS))) await runAll(op, DEFAULT_RUNS);
  }, 180_000);

  it('ran at least 5,000 cases', () => {
    const total = Object.values(stats).reduce((sum, s) => sum + s.cases, 0);
    const perOperation = Object.entries(stats).map(([key, s]) => {
      const statuses = Object.entries(s.statuses).map(([status, n]) => `${status}×${n}`);
      return `${key}=${s.cases} (${statuses.join(' ')})`;
    });
    console.log(`hostile-input: ${total} generated cases: ${perOperation.join(', ')}`);
    expect(total).toBeGreaterThanOrEqual(5000);
  });
});

async function asDirectoryAdmin<T>(work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: stack.slapd.url });
  try {
    await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
    return await work(client);
  } finally {
    await client.unbind();
  }
}

interface DirectoryEntry {
  dn: string;
  uid: string;
  grantId: string | undefined;
  locked: boolean;
}

/** Every account under the users DN, with the grant its description names. */
async function directoryAccounts(): Promise<DirectoryEntry[]> {
  const first = (v: unknown) => String(Array.isArray(v) ? v[0] : (v ?? ''));
  const { searchEntries } = await asDirectoryAdmin((c) =>
    c.search(stack.slapd.usersDN, {
      scope: 'one',
      attributes: ['uid', 'description', 'pwdAccountLockedTime'],
      paged: true,
    }),
  );
  return searchEntries.map((e) => ({
    dn: e.dn,
    uid: first(e.uid),
    grantId: /^supplier-access grant (.+)$/.exec(first(e.description))?.[1],
    locked: Boolean(e.pwdAccountLockedTime),
  }));
}

/** A grant answered 201 whose account exists once in the directory, holding the organisation as written. */
async function expectAccount(sent: any, answer: Answer): Promise<void> {
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  expectGrant(sent, answer.body);
  grantIds.push(answer.body.id);
  const mine = (await directoryAccounts()).filter((e) => e.grantId === answer.body.id);
  expect(mine.map((e) => e.dn.toLowerCase())).toEqual([answer.body.account.externalId.toLowerCase()]);
  const entry = await readEntry(stack.slapd, answer.body.account.externalId);
  expect(entry?.o).toEqual([answer.body.supplier.organisation]);
  expect(entry?.cn).toEqual([answer.body.account.displayName]);
  expect(entry?.userPassword?.[0]).not.toBe('x');
}

/** Sends a body as bytes, with the content type given (or none at all). */
async function send(
  path: string,
  body: string | Uint8Array,
  contentType: string | null,
  method = 'POST',
): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${TOKENS.admin}` };
  if (contentType) headers['content-type'] = contentType;
  const bytes = typeof body === 'string' ? new TextEncoder().encode(body) : body;
  const response = await fetch(stack.apiUrl + path, { method, headers, body: new Uint8Array(bytes) });
  const text = await response.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = text;
  }
  return { status: response.status, headers: response.headers, body: json };
}

const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;

/** LDAP filter and DN metacharacters, NUL bytes and line breaks that would smuggle attributes into LDIF. */
const INJECTION = [
  ...['*)(uid=*))(|(uid=*', 'admin)(|(objectClass=*)', '\\2a', '*', 'cn=admin,dc=supplier-access,dc=local'],
  ...['NUL\u0000byte', '\u0000', '\nuserPassword: x', 'x\r\nuserPassword: x', '#leading hash'],
  ...[' leading space', 'a+b', 'a,b', 'a;b', '"quoted"', '<angle>', 'back\\slash', 'eq=uals', '%wild_card%'],
];
const injections = INJECTION.map((s, i) => [JSON.stringify(s), s, i] as const);

describe('LDAP injection strings', () => {
  it.each(injections)('in supplier.organisation: %s', async (_name, s, i) => {
    const body = grantBody(`${s} Org${i}`);
    const answer = await stack.request('POST', '/v1/grants', TOKENS.admin, body);
    if (CONTROL.test(s.trim())) return expectInvalid(answer, 'supplier.organisation');
    await expectAccount(body, answer);
  });

  it.each(injections)('in reason: %s', async (_name, s, i) => {
    const body = grantBody(`Reason Injection ${i}`, { reason: `${s} reason` });
    const answer = await stack.request('POST', '/v1/grants', TOKENS.admin, body);
    if (CONTROL_BUT_LINE_BREAKS.test(s.trim())) return expectInvalid(answer, 'reason');
    await expectAccount(body, answer);
    expect(answer.body.reason).toBe(`${s} reason`.trim());
  });

  it.each(injections)('in ticket: %s', async (_name, s, i) => {
    const body = grantBody(`Ticket Injection ${i}`, { ticket: `${s} CHG-${i}` });
    const answer = await stack.request('POST', '/v1/grants', TOKENS.admin, body);
    if (CONTROL.test(s.trim())) return expectInvalid(answer, 'ticket');
    await expectAccount(body, answer);
    expect(answer.body.ticket).toBe(`${s} CHG-${i}`.trim());
  });

  it.each(injections)('in groups: %s', async (_name, s, i) => {
    const body = grantBody(`Group Injection ${i}`, { groups: [s] });
    const answer = await stack.request('POST', '/v1/grants', TOKENS.admin, body);
    if (CONTROL.test(s.trim())) return expectInvalid(answer, 'groups.0');
    // No such group (or no DN at all): a 400 naming the groups, before any account is made (checked below).
    expectInvalid(answer, 'groups', s);
  });

  it.each(injections)('in the registry filters: %s', async (_name, s) => {
    const filter = await stack.request('GET', `/v1/grants?organisation=${encode(s)}`, TOKENS.auditor);
    checkAnswer(filter);
    if (CONTROL.test(s.trim()) || s.trim() === '') expectInvalid(filter, 'organisation');
    else {
      expect(filter.status).toBe(200);
      // A filter matches text, never as a pattern: `*` and `%` match only names that contain them.
      for (const grant of filter.body.grants)
        expect(grant.supplier.organisation.toLowerCase()).toContain(s.trim().toLowerCase());
    }
    for (const name of ['status', 'provider', 'cursor', 'expiresBefore', 'activeAt']) {
      const answer = await stack.request('GET', `/v1/grants?${name}=${encode(s)}`, TOKENS.auditor);
      expectInvalid(answer, name);
    }
    const csv = await stack.request('GET', `/v1/registry.csv?status=${encode(s)}`, TOKENS.auditor);
    expectInvalid(csv, 'status');
  });
});

describe('hand-made cursors', () => {
  const cursor = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const at = new Date().toISOString();
  it.each([
    ['a NUL in the id', cursor([at, 'x\u0000y'])],
    ['an id that is no grant id', cursor([at, '*)(uid=*'])],
    ['an instant that is not as stored', cursor([at.replace('Z', '+00:00'), crypto.randomUUID()])],
    ['a year only', cursor(['2020', crypto.randomUUID()])],
    ['an RFC 2822 date', cursor([new Date().toUTCString(), crypto.randomUUID()])],
    ['three members', cursor([at, crypto.randomUUID(), 'x'])],
    ['no JSON', Buffer.from('\u0000').toString('base64url')],
  ])('%s answers 400 naming cursor', async (_name, value) => {
    expectInvalid(await stack.request('GET', `/v1/grants?cursor=${value}`, TOKENS.auditor), 'cursor');
  });
});

describe('oversized, deeply nested and malformed bodies', () => {
  const deepArrays = (depth: number) => '['.repeat(depth) + ']'.repeat(depth);
  const deepObjects = (depth: number) => '{"a":'.repeat(depth) + '1' + '}'.repeat(depth);
  const valid = JSON.stringify(grantBody('Malformed Body Ltd'));
  const big = (bytes: number) => JSON.stringify(grantBody('Big Body Ltd', { reason: 'x'.repeat(bytes) }));
  /** JSON bodies the API must refuse with a 400, and the field it names. */
  const json: [string, string | Uint8Array, string][] = [
    ['65 KiB', big(65 * 1024), 'body'],
    ['10 MB', big(10 * 1024 * 1024), 'body'],
    ['arrays nested 10,000 deep', deepArrays(10_000), 'body'],
    ['arrays nested 32,000 deep (just under the size limit)', deepArrays(32_000), 'body'],
    ['objects nested 10,000 deep', deepObjects(10_000), 'a'],
    [
      'an organisation nested 10,000 deep',
      valid.replace('"Malformed Body Ltd"', deepArrays(10_000)),
      'supplier.organisation',
    ],
    ['truncated', '{"provider": "ldap",', 'body'],
    ['single quotes', "{'provider': 'ldap'}", 'body'],
    ['a trailing comma', '{"provider": "ldap",}', 'body'],
    ['NaN', '{"durationDays": NaN}', 'body'],
    ['two documents', '{}{}', 'body'],
    ['__proto__', '{"__proto__": {"admin": true}}', 'body'],
    ['constructor.prototype', '{"constructor": {"prototype": {"admin": true}}}', 'body'],
    ['empty', '', 'body'],
    ['whitespace', '  \n ', 'body'],
    ['null', 'null', 'provider'],
    ['a string', '"grant me"', 'body'],
    ['an array', '[]', 'body'],
    // Refused as it comes, not read with U+FFFD in place of the bytes.
    ['invalid UTF-8', new Uint8Array([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0x31, 0x7d]), 'body'],
  ];
  /** Bodies that are not `application/json`: a 415, or a 400 for what Fastify reads as text. */
  const mediaTypes: [string, string, string | null, number[]][] = [
    ['JSON as text/plain', valid, 'text/plain', [400, 415]],
    ['a form', 'provider=ldap&reason=x', 'application/x-www-form-urlencoded', [415]],
    ['multipart', '--x\r\n\r\n{}\r\n--x--', 'multipart/form-data; boundary=x', [415]],
    ['XML', '<grant provider="ldap"/>', 'application/xml', [415]],
    ['no content type', valid, null, [400, 415]],
    ['a content type that does not parse', valid, ';;;', [400, 415]],
  ];

  it.each(json)('JSON: %s', async (_name, body, field) => {
    const answer = await send('/v1/grants', body, 'application/json');
    checkAnswer(answer);
    expectInvalid(answer, field);
  });

  it.each(mediaTypes)('%s', async (_name, body, contentType, statuses) => {
    const answer = await send('/v1/grants', body, contentType);
    checkAnswer(answer);
    expect(statuses, JSON.stringify(answer.body)).toContain(answer.status);
  });

  it('the same on every operation that takes a body', async () => {
    for (const op of operations.filter((o) => o.body && o.path.startsWith('/v1/'))) {
      const path = op.path.replace('{id}', grantIds[0] ?? crypto.randomUUID());
      for (const body of [deepArrays(10_000), '{"reason":', 'x'.repeat(70 * 1024)]) {
        const answer = await send(path, body, 'application/json', op.method);
        checkAnswer(answer);
        expectInvalid(answer, 'body', op.key);
      }
      expect((await send(path, '<x/>', 'application/xml', op.method)).status).toBe(415);
    }
  });

  it('left the server up', async () => {
    expect((await stack.request('GET', '/healthz', null)).status).toBe(200);
    expect(stack.workerPids.length).toBeGreaterThan(0);
  });
});

describe('Unicode organisations', () => {
  /**
   * The organisation, and the account named after it (null: no letter or digit to name it after, 400). Letters of
   * any script are transliterated; format characters and emoji are no letters.
   */
  const cases: [string, string, string | null][] = [
    ['right-to-left override U+202E', 'Evil\u202Egnp.exe Corp', 'sup-evilgnpexe-corp'],
    ['right-to-left mark U+200F', '\u200FRlm Mark Ltd', 'sup-rlm-mark-ltd'],
    ['zero-width space U+200B', 'Zero\u200BWidth Space Ltd', 'sup-zerowidth-space-ltd'],
    ['zero-width joiner U+200D', 'Zero\u200DJoiner Ltd', 'sup-zerojoiner-ltd'],
    ['byte order mark', '\uFEFFBom Prefixed Ltd', 'sup-bom-prefixed-ltd'],
    ['emoji', '🚀 Rocket Supplies', 'sup-rocket-supplies'],
    ['emoji ZWJ sequence', '👩‍👩‍👧‍👦 Family Shop', 'sup-family-shop'],
    ['flags', '🇩🇪🇫🇷 Flags GmbH', 'sup-flags-gmbh'],
    ['combining acute accent', 'Cafe\u0301 Combining', 'sup-cafe-combining'],
    ['precomposed é', 'Caf\u00e9 Precomposed', 'sup-cafe-precomposed'],
    ['full-width letters', 'ＦＵＬＬ Ｗｉｄｔｈ Ltd', 'sup-full-width-ltd'],
    ['full-width digits', '１２３ Digits', 'sup-123-digits'],
    ['Turkish dotless ı', 'Işıklar Turizm', 'sup-isiklar-turizm'],
    ['Turkish dotted İ', 'İstanbul Lojistik', 'sup-istanbul-lojistik'],
    ['Hebrew with Latin', 'שלום Shalom Ltd', 'sup-slvm-shalom-ltd'],
    ['Hebrew only', 'שלום', 'sup-slvm'],
    ['CJK only', '株式会社', 'sup-zhushihuishe'],
    ['emoji only', '🚀🎉', null],
    ['zero-width only', '\u200B\u200D\u200B', null],
    ['emoji and zero-width only', '👩‍💻\u200B🇫🇷', null],
    ['combining marks only', '\u0301\u0301', null],
  ];

  it.each(cases)('%s', async (_name, organisation, username) => {
    const body = grantBody(organisation);
    const answer = await stack.request('POST', '/v1/grants', TOKENS.requester, body);
    if (username === null) return expectInvalid(answer, 'supplier.organisation');
    await expectAccount(body, answer);
    expect(answer.body.account.username).toBe(username);
  });

  it('a lone surrogate in the JSON text', async () => {
    const text = JSON.stringify(grantBody('Lone LONE Surrogate')).replace('LONE', '\\ud800');
    expectInvalid(await stack.request('POST', '/v1/grants', TOKENS.requester, text), 'supplier.organisation');
  });
});

describe('instants', () => {
  // Whole seconds, ten days ahead: inside MAX_GRANT_DAYS whenever the suite runs.
  const at = Math.floor((Date.now() + 10 * DAY) / 1000) * 1000;
  const utc = new Date(at).toISOString();
  const seconds = utc.slice(0, 19);
  const accepted: [string, string, string][] = [
    ['with Z', utc, utc],
    ['with +05:30', withOffset(at, 330), utc],
    ['with -04:00', withOffset(at, -240), utc],
    ['with +00:00', withOffset(at, 0).replace('Z', '+00:00'), utc],
    ['with fractional seconds', `${seconds}.5Z`, `${seconds}.500Z`],
    ['with nanoseconds', `${seconds}.123456789Z`, `${seconds}.123Z`],
  ];
  const refused: [string, unknown][] = [
    ['without an offset (never read as local time)', seconds],
    ['without an offset, in the future by any reading', withOffset(at, 0).slice(0, -1)],
    ['date only', utc.slice(0, 10)],
    ['month 13, day 45', `${utc.slice(0, 4)}-13-45T10:00:00Z`],
    ['30 February', `${utc.slice(0, 4)}-02-30T10:00:00Z`],
    ['a leap second', `${utc.slice(0, 10)}T23:59:60Z`],
    ['year 10000', '10000-01-01T00:00:00Z'],
    ['an expanded year', '+010000-01-01T00:00:00Z'],
    ['lower-case z', `${seconds}z`],
    ['a space for T', `${seconds.replace('T', ' ')}Z`],
    ['+0530 without a colon', `${seconds}+0530`],
    ['+05 without minutes', `${seconds}+05`],
    ['offset +24:00', `${seconds}+24:00`],
    ['an RFC 2822 date', new Date(at).toUTCString()],
    ['epoch milliseconds', at],
    ['epoch seconds as text', String(at / 1000)],
  ];

  it.each(accepted)('expiresAt %s is the same instant in UTC', async (name, expiresAt, expected) => {
    const body = grantBody(`Instant ${name}`, { durationDays: undefined, expiresAt });
    const answer = await stack.request('POST', '/v1/grants', TOKENS.requester, body);
    await expectAccount(body, answer);
    expect(answer.body.expiresAt).toBe(expected);
  });

  it.each(refused)('expiresAt %s is refused', async (name, expiresAt) => {
    const body = grantBody(`Instant ${name}`, { durationDays: undefined, expiresAt });
    expectInvalid(await stack.request('POST', '/v1/grants', TOKENS.requester, body), 'expiresAt');
  });

  it('the same rule for extensions and registry filters', async () => {
    const live = await stack.request('POST', '/v1/grants', TOKENS.requester, grantBody('Instant Extension'));
    expect(live.status).toBe(201);
    const later = Math.floor((Date.now() + 20 * DAY) / 1000) * 1000;
    const extension = (expiresAt: string) =>
      stack.request('POST', `/v1/grants/${live.body.id}/extensions`, TOKENS.requester, {
        expiresAt,
        reason: 'overran',
      });
    expectInvalid(await extension(withOffset(later, 330).slice(0, 23)), 'expiresAt');
    const extended = await extension(withOffset(later, 330));
    expect(extended.status, JSON.stringify(extended.body)).toBe(202);
    expect(extended.body.pendingExtension.expiresAt).toBe(new Date(later).toISOString());
    const filter = (value: string) =>
      stack.request('GET', `/v1/grants?expiresBefore=${encode(value)}`, TOKENS.auditor);
    expect((await filter(withOffset(later, -240))).status).toBe(200);
    expectInvalid(await filter(withOffset(later, -240).slice(0, 19)), 'expiresBefore');
  });
});

describe('requests refused before they reach a route', () => {
  it('a path that does not decode (%ZZ) answers a problem naming the path', async () => {
    expectInvalid(await stack.request('GET', '/v1/grants/%ZZ', TOKENS.admin), 'path', '%ZZ');
  });

  it('an id over 100 characters answers a problem naming the path', async () => {
    expectInvalid(
      await stack.request('GET', `/v1/grants/${'a'.repeat(101)}`, TOKENS.admin),
      'path',
      'long id',
    );
  });

  it('a request line over 16 KiB answers a problem', async () => {
    const answer = await stack.request('GET', `/v1/grants?organisation=${'a'.repeat(20_000)}`, TOKENS.admin);
    expect(answer.status).toBe(431);
    expectProblem(answer, `${answer.status} ${JSON.stringify(answer.body)}`);
  });
});

describe('groups', () => {
  it('a group the directory does not have is a 400 naming the groups, and makes no account', async () => {
    const body = grantBody('Missing Group Ltd', { groups: [`cn=nope,${stack.slapd.groupsDN}`] });
    expectInvalid(await stack.request('POST', '/v1/grants', TOKENS.admin, body), 'groups');
    expect((await directoryAccounts()).some((a) => a.uid === 'sup-missing-group-ltd')).toBe(false);
  });
});

describe('nothing stray in the directory', () => {
  it('every account is the account of a grant in the registry, and none exists twice', async () => {
    const grants = await stack.allGrants();
    const byId = new Map(grants.map((g) => [g.id, g]));
    for (const id of grantIds)
      expect(byId.has(id), `grant ${id} answered 201 but is not in the registry`).toBe(true);

    const accounts = (await directoryAccounts()).filter((e) => !before.includes(e.dn));
    expect(accounts.length).toBeGreaterThan(0);
    const open = ['provisioning', 'active', 'extension-requested'];
    for (const account of accounts) {
      const grant = byId.get(account.grantId ?? '');
      expect(grant, `${account.dn} names no grant of the registry`).toBeDefined();
      expect(account.uid).toBe(grant?.account.username);
      // A refused grant made no account; an ended grant's account stays, locked.
      expect(grant?.status, account.dn).not.toBe('failed');
      if (!open.includes(grant?.status ?? ''))
        expect(account.locked, `${account.dn}: ${grant?.status}`).toBe(true);
    }
    const uids = accounts.map((a) => a.uid.toLowerCase());
    expect(new Set(uids).size).toBe(uids.length);
    const live = grants.filter((g) => ['active', 'extension-requested'].includes(g.status));
    for (const grant of live) {
      const own = accounts.filter((a) => a.grantId === grant.id);
      expect(own, `live grant ${grant.id} (${grant.account.username})`).toHaveLength(1);
    }
    const liveNames = live.map((g) => g.account.username);
    expect(new Set(liveNames).size).toBe(liveNames.length);
  });
});
