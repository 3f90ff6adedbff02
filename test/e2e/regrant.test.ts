import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, readEntry } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function inSeconds(s: number): string {
  return new Date(Date.now() + s * 1000).toISOString();
}

async function grant(organisation: string, expiresAt: string) {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'support@example.com' },
    expiresAt,
    reason: 'quarterly maintenance of the accounting server',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function revoke(id: string) {
  const response = await stack.request('POST', `/v1/grants/${id}/revoke`, TOKENS.admin, {
    reason: 'work finished',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  expect(response.body.status).toBe('revoked');
}

const locked = (entry: Record<string, string[]> | null) =>
  entry?.pwdAccountLockedTime?.[0] === '000001010000Z';

function toGeneralized(iso: string): string {
  return iso
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '');
}

describe('a supplier granted access again after its earlier grant closed, through the HTTP API', () => {
  it('gets its account back, open with a new one-time password, and locked again when that grant ends', async () => {
    const first = await grant('Returning Supplier Ltd', inSeconds(3600));
    const dn = first.account.externalId;
    expect(await canBind(stack.slapd.url, dn, first.credential.password)).toBe(true);
    await revoke(first.id);
    expect(locked(await readEntry(stack.slapd, dn))).toBe(true);

    // Next quarter, spelt differently: the same account name, so the same entry.
    const second = await grant('RETURNING supplier, ltd.', inSeconds(7200));
    expect(second.id).not.toBe(first.id);
    expect(second.status).toBe('active');
    expect(second.account).toMatchObject({ username: first.account.username, externalId: dn });
    expect(second.credential.password).not.toBe(first.credential.password);
    expect(await canBind(stack.slapd.url, dn, second.credential.password)).toBe(true);
    expect(await canBind(stack.slapd.url, dn, first.credential.password)).toBe(false);
    const entry = await readEntry(stack.slapd, dn);
    expect(locked(entry)).toBe(false);
    expect(entry?.description).toEqual([`supplier-access grant ${second.id}`]);
    expect(entry?.pwdEndTime).toEqual([toGeneralized(second.expiresAt)]);
    expect(entry?.pwdReset).toEqual(['TRUE']);

    // The registry keeps both: the closed one as it ended, the new one live.
    const listed = await stack.request(
      'GET',
      `/v1/grants?organisation=${encodeURIComponent('returning supplier')}`,
      TOKENS.auditor,
    );
    expect(listed.status).toBe(200);
    const statuses = Object.fromEntries(
      (listed.body.grants as { id: string; status: string }[]).map((g) => [g.id, g.status]),
    );
    expect(statuses).toEqual({ [first.id]: 'revoked', [second.id]: 'active' });

    await revoke(second.id);
    expect(locked(await readEntry(stack.slapd, dn))).toBe(true);
    expect(await canBind(stack.slapd.url, dn, second.credential.password)).toBe(false);
    const shown = await stack.request('GET', `/v1/grants/${second.id}`, TOKENS.auditor);
    expect((shown.body.events as { type: string }[]).map((e) => e.type)).toEqual([
      'created',
      'provisioned',
      'revoked',
      'disabled',
      'credentials-rotated',
    ]);
  });

  it('still refuses the account while its grant is live, naming that grant', async () => {
    const live = await grant('Still Here Services', inSeconds(3600));
    const again = await stack.request('POST', '/v1/grants', TOKENS.requester2, {
      provider: 'ldap',
      supplier: { organisation: 'Still Here Services' },
      durationDays: 3,
      reason: 'again',
    });
    expect(again.status).toBe(409);
    expect(again.body.liveGrantId).toBe(live.id);
    expect(await canBind(stack.slapd.url, live.account.externalId, live.credential.password)).toBe(true);
  });
});
