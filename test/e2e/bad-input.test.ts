import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { listDNs, readEntry } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { DAY } from '../helpers/kit.js';

let stack: TestStack;
let before: string[];

beforeAll(async () => {
  stack = await TestStack.start();
  before = await listDNs(stack.slapd);
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const valid = () => ({
  provider: 'ldap',
  supplier: { organisation: 'Valid Supplier Inc', contactEmail: 'help@valid.example' },
  durationDays: 7,
  reason: 'printer maintenance',
});

/** Each rule of docs/api.md's bad-input paragraph: the body, and the field the answer must name. */
const cases: [string, unknown, string][] = [
  ['unknown provider', { ...valid(), provider: 'okta-prod' }, 'provider'],
  ['missing provider', { ...valid(), provider: undefined }, 'provider'],
  ['empty organisation', { ...valid(), supplier: { organisation: '' } }, 'supplier.organisation'],
  ['blank organisation', { ...valid(), supplier: { organisation: '   ' } }, 'supplier.organisation'],
  [
    'organisation without a letter or digit',
    { ...valid(), supplier: { organisation: '*)(&' } },
    'supplier.organisation',
  ],
  [
    'oversized organisation',
    { ...valid(), supplier: { organisation: 'A'.repeat(129) } },
    'supplier.organisation',
  ],
  [
    'expiry in the past',
    { ...valid(), durationDays: undefined, expiresAt: new Date(Date.now() - 60_000).toISOString() },
    'expiresAt',
  ],
  [
    'expiry beyond MAX_GRANT_DAYS',
    { ...valid(), durationDays: undefined, expiresAt: new Date(Date.now() + 91 * DAY).toISOString() },
    'expiresAt',
  ],
  ['duration beyond MAX_GRANT_DAYS', { ...valid(), durationDays: 91 }, 'durationDays'],
  ['duration of zero days', { ...valid(), durationDays: 0 }, 'durationDays'],
  [
    'both expiresAt and durationDays',
    { ...valid(), expiresAt: new Date(Date.now() + DAY).toISOString() },
    'expiresAt',
  ],
  ['neither expiresAt nor durationDays', { ...valid(), durationDays: undefined }, 'expiresAt'],
  [
    'expiry that is not an instant',
    { ...valid(), durationDays: undefined, expiresAt: 'next tuesday' },
    'expiresAt',
  ],
  [
    'expiry without an offset',
    { ...valid(), durationDays: undefined, expiresAt: '2030-01-01T00:00:00' },
    'expiresAt',
  ],
  [
    'malformed e-mail',
    { ...valid(), supplier: { organisation: 'Acme', contactEmail: 'not-an-email' } },
    'supplier.contactEmail',
  ],
  ['unknown top-level field', { ...valid(), admin: true }, 'admin'],
  [
    'unknown supplier field',
    { ...valid(), supplier: { organisation: 'Acme', firstName: 'Bob' } },
    'supplier.firstName',
  ],
  ['missing reason', { ...valid(), reason: undefined }, 'reason'],
  ['guest account on a provider without guests', { ...valid(), account: 'guest' }, 'account'],
  ['body over 64 KiB', { ...valid(), reason: 'x'.repeat(70 * 1024) }, 'body'],
  ['body that is not JSON', '{"provider": "ldap",', 'body'],
];

describe('bad input answers 400 naming the field and leaves nothing in the directory', () => {
  it.each(cases)('%s', async (_name, body, field) => {
    const response = await stack.request('POST', '/v1/grants', TOKENS.requester, body);
    expect(response.status, JSON.stringify(response.body)).toBe(400);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    const fields = (response.body.errors as { field: string; rule: string }[]).map((e) => e.field);
    expect(fields.join(' ')).toContain(field);
    expect(response.body.detail).toContain(field);
  });

  it('left no entry behind', async () => {
    expect(await listDNs(stack.slapd)).toEqual(before);
  });
});

/**
 * Groups the directory cannot use. Before, the account was created first and adding it to the group failed:
 * a 502, and a locked account left behind. Now the provider reads the groups before it creates anything.
 */
describe('a group the directory cannot use answers 400 naming groups, with nothing created', () => {
  /** A real group, outside LDAP_GROUPS_DN: expiry looks for memberships there only, so it is refused too. */
  let outside: string;
  let users: string[];

  beforeAll(async () => {
    const { slapd } = stack;
    outside = `cn=outside-${crypto.randomUUID().slice(0, 8)},${slapd.suffix}`;
    const client = new Client({ url: slapd.url });
    try {
      await client.bind(slapd.bindDN, slapd.bindPassword);
      await client.add(outside, {
        objectClass: 'groupOfNames',
        cn: outside.slice(3, outside.indexOf(',')),
        member: `cn=someone-else,${slapd.suffix}`,
      });
    } finally {
      await client.unbind();
    }
    users = await listDNs(slapd, slapd.usersDN);
  });

  const groupCases = (): [string, string][] => [
    ['a group that does not exist', `cn=nope,${stack.slapd.groupsDN}`],
    ['a value that is not a DN', '*)(uid=*'],
    ['a group outside the groups DN', outside],
    ['a DN of another directory', 'cn=nope,dc=x'],
  ];

  it('refuses each, naming the field and the reason', async () => {
    for (const [what, group] of groupCases()) {
      const organisation = `Group Check ${crypto.randomUUID().slice(0, 8)}`;
      const body = { ...valid(), supplier: { organisation }, groups: [group] };
      const response = await stack.request('POST', '/v1/grants', TOKENS.requester, body);
      expect(response.status, `${what}: ${JSON.stringify(response.body)}`).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(response.body.errors).toHaveLength(1);
      expect(response.body.errors[0].field, what).toBe('groups');
      expect(response.body.errors[0].rule, what).toMatch(/^must /);
      expect(response.body.errors[0].rule, what).toContain(group);
      expect(response.body.detail).toContain('groups');
      expect(response.body.grantStatus).toBe('failed');

      // The grant stays in the registry as the honest record of a refused request (written just after).
      await vi.waitFor(
        async () => {
          const grant = await stack.request('GET', `/v1/grants/${response.body.grantId}`, TOKENS.auditor);
          expect(grant.body).toMatchObject({
            status: 'failed',
            failure: { kind: 'provider-invalid:groups' },
          });
        },
        { timeout: 10_000, interval: 100 },
      );
    }
  });

  it('left no account in the directory, and the outside group as it was', async () => {
    expect(await listDNs(stack.slapd, stack.slapd.usersDN)).toEqual(users);
    expect((await readEntry(stack.slapd, outside))?.member).toEqual([
      `cn=someone-else,${stack.slapd.suffix}`,
    ]);
  });
});

describe('authentication and roles', () => {
  it('answers 401 without a token or with an unknown one', async () => {
    for (const token of [null, 'not-a-token-at-all-000000']) {
      const response = await stack.request('POST', '/v1/grants', token, valid());
      expect(response.status).toBe(401);
      expect(response.body.detail).toContain('Bearer');
    }
    const read = await stack.request('GET', `/v1/grants/${crypto.randomUUID()}`, null);
    expect(read.status).toBe(401);
  });

  it('answers 403 when the role does not allow the action', async () => {
    expect((await stack.request('POST', '/v1/grants', TOKENS.auditor, valid())).status).toBe(403);
    expect((await stack.request('POST', '/v1/grants', TOKENS.approver, valid())).status).toBe(403);
    const id = crypto.randomUUID();
    expect(
      (await stack.request('POST', `/v1/grants/${id}/extensions/approve`, TOKENS.requester, {})).status,
    ).toBe(403);
    expect(
      (await stack.request('POST', `/v1/grants/${id}/revoke`, TOKENS.approver, { reason: 'x' })).status,
    ).toBe(403);
    expect(
      (await stack.request('POST', `/v1/grants/${id}/revoke`, TOKENS.auditor, { reason: 'x' })).status,
    ).toBe(403);
  });

  it('answers 404 for an unknown grant and 400 for a malformed id', async () => {
    expect((await stack.request('GET', `/v1/grants/${crypto.randomUUID()}`, TOKENS.auditor)).status).toBe(
      404,
    );
    const malformed = await stack.request('GET', '/v1/grants/not-a-uuid', TOKENS.auditor);
    expect(malformed.status).toBe(400);
    expect(malformed.body.errors[0].field).toBe('id');
  });

  it('serves /healthz without a token', async () => {
    const response = await stack.request('GET', '/healthz', null);
    expect(response.status).toBe(200);
    expect(response.body.status).toBe('ok');
  });
});
