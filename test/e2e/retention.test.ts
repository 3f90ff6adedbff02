import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, readEntry } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

/**
 * Law 25 retention on the real stack: a closed account is deleted from slapd once the retention period after its
 * closing has passed, and the grant's contact e-mail is erased from the registry; the trail stays. The periods are
 * set to seconds here (a fraction of a day); the account of a supplier granted again is never deleted.
 */
const ACCOUNT_RETENTION_S = 40;
const DAY_S = 86_400;

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start({
    ACCOUNT_RETENTION_DAYS: String(ACCOUNT_RETENTION_S / DAY_S),
    CONTACT_RETENTION_DAYS: '0',
    REVIEW_INTERVAL: '2h',
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

interface Shown {
  id: string;
  status: string;
  closedAt?: string;
  supplier: { organisation: string; contactEmail?: string };
  account: { username: string; externalId: string };
  events: { type: string; at: string; actor: string; details?: Record<string, string> }[];
}

const inSeconds = (s: number): string => new Date(Date.now() + s * 1000).toISOString();

async function grant(organisation: string, expiresAt: string) {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'office@retention.example' },
    expiresAt,
    reason: 'roof inspection',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as Shown & { credential: { password: string } };
}

async function show(id: string): Promise<Shown> {
  const response = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
  expect(response.status).toBe(200);
  return response.body as Shown;
}

async function showWhen(id: string, done: (grant: Shown) => boolean, withinMs: number): Promise<Shown> {
  const deadline = Date.now() + withinMs;
  for (let shown = await show(id); ; shown = await show(id)) {
    if (done(shown)) return shown;
    if (Date.now() > deadline) throw new Error(`grant never got there: ${JSON.stringify(shown)}`);
    await sleep(500);
  }
}

async function review() {
  const response = await stack.request('POST', '/v1/reviews', TOKENS.admin);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as { accounts: { username: string; finding: string }[] };
}

const types = (g: Shown) => g.events.map((e) => e.type);

describe('retention after a grant closes', () => {
  it('deletes the closed account from the directory once its period has passed, and never a re-granted one', async () => {
    const expiring = await grant('Retired Roofing', inSeconds(4));
    const returning = await grant('Returning Rebar', inSeconds(3600));
    const revoked = await stack.request('POST', `/v1/grants/${returning.id}/revoke`, TOKENS.admin, {
      reason: 'phase one done',
    });
    expect(revoked.status).toBe(200);
    const again = await grant('Returning Rebar', inSeconds(3600));
    expect(again.account.externalId).toBe(returning.account.externalId);

    const closed = await showWhen(expiring.id, (g) => g.closedAt !== undefined, 90_000);
    expect(closed.status).toBe('expired');
    const dn = expiring.account.externalId;

    // Closed, but its period has not passed: the review's sweep leaves it.
    await review();
    expect(Date.now() - Date.parse(closed.closedAt as string)).toBeLessThan(ACCOUNT_RETENTION_S * 1000);
    expect(await readEntry(stack.slapd, dn)).not.toBeNull();
    expect(types(await show(expiring.id))).not.toContain('account-deleted');

    await sleep(Date.parse(closed.closedAt as string) + (ACCOUNT_RETENTION_S + 2) * 1000 - Date.now());
    await review();
    expect(await readEntry(stack.slapd, dn)).toBeNull();
    const deleted = await show(expiring.id);
    const event = deleted.events.find((e) => e.type === 'account-deleted');
    expect(event).toMatchObject({ actor: 'supplier-access', details: { closedAt: closed.closedAt } });
    expect(Date.parse(event?.at ?? '')).toBeGreaterThanOrEqual(
      Date.parse(closed.closedAt as string) + ACCOUNT_RETENTION_S * 1000,
    );

    // The supplier granted again keeps its account: the revoked grant's closing is long past, but the account is
    // the live grant's now.
    expect(await readEntry(stack.slapd, again.account.externalId)).not.toBeNull();
    expect(await canBind(stack.slapd.url, again.account.externalId, again.credential.password)).toBe(true);
    expect(types(await show(returning.id))).not.toContain('account-deleted');

    // The next review neither reports the deleted account nor deletes anything twice.
    const report = await review();
    expect(report.accounts.map((a) => a.username)).not.toContain(expiring.account.username);
    expect(report.accounts.find((a) => a.username === again.account.username)?.finding).toBe('covered');
    expect(types(await show(expiring.id)).filter((t) => t === 'account-deleted')).toHaveLength(1);
  }, 240_000);

  it('erases the contact e-mail of ended grants from the registry and keeps their trail', async () => {
    const ended = await grant('Erased Electric', inSeconds(3600));
    const live = await grant('Kept Carpentry', inSeconds(3600));
    const revoked = await stack.request('POST', `/v1/grants/${ended.id}/revoke`, TOKENS.admin, {
      reason: 'contract over',
    });
    expect(revoked.status).toBe(200);
    const before = await show(ended.id);
    expect(before.supplier.contactEmail).toBe('office@retention.example');

    await review();
    const after = await show(ended.id);
    expect(after.supplier).toEqual({ organisation: 'Erased Electric' });
    expect(types(after)).toEqual([...types(before), 'contact-erased']);
    expect(after.events.find((e) => e.type === 'revoked')).toEqual(
      before.events.find((e) => e.type === 'revoked'),
    );
    expect(JSON.stringify(after)).not.toContain('office@retention.example');
    const csv = await stack.request('GET', '/v1/registry.csv', TOKENS.auditor);
    const row = (csv.body as unknown as string).split('\n').find((line) => line.includes(ended.id));
    expect(row).toBeDefined();
    expect(row).not.toContain('office@retention.example');
    expect((await show(live.id)).supplier.contactEmail).toBe('office@retention.example');
  }, 120_000);
});
