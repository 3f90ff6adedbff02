import { setTimeout as sleep } from 'node:timers/promises';
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

const inSeconds = (s: number) => new Date(Math.floor(Date.now() / 1000) * 1000 + s * 1000).toISOString();
const locked = (entry: Record<string, string[]> | null) =>
  entry?.pwdAccountLockedTime?.[0] === '000001010000Z';

async function createGrant(organisation: string, expiresAt: string) {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'support@example.com' },
    expiresAt,
    reason: 'maintenance of the accounting server',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

const shorten = (id: string, token: string, body: unknown) =>
  stack.request('POST', `/v1/grants/${id}/shorten`, token, body);

/** Polls the account until it is locked; the instant it was first seen locked. */
async function lockedAt(dn: string, timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (locked(await readEntry(stack.slapd, dn))) return Date.now();
    await sleep(100);
  }
  throw new Error(`${dn} was not locked within ${timeoutMs} ms`);
}

describe('shortening a grant through the HTTP API, on a real Temporal dev server and a real slapd', () => {
  it('disables and rotates the account at the new expiry, and the trail says who moved it and why', async () => {
    const grant = await createGrant('Shortened Contract Ltd', inSeconds(3600));
    const newExpiry = inSeconds(5);
    const answer = await shorten(grant.id, TOKENS.admin, { expiresAt: newExpiry, reason: 'contract ends' });
    expect(answer.status, JSON.stringify(answer.body)).toBe(200);
    expect(answer.body.expiresAt).toBe(newExpiry);
    expect(answer.body.status).toBe('active');
    // Still usable until the new expiry.
    expect(await canBind(stack.slapd.url, grant.account.externalId, grant.credential.password)).toBe(true);

    const at = await lockedAt(grant.account.externalId, 30_000);
    const lagMs = at - Date.parse(newExpiry);
    console.log(`shortened grant: account locked ${lagMs} ms after its new expiry`);
    expect(lagMs).toBeGreaterThan(-1000); // not before the new expiry (slapd's own pwdEndTime is to the second)
    expect(lagMs).toBeLessThan(10_000);
    expect(await canBind(stack.slapd.url, grant.account.externalId, grant.credential.password)).toBe(false);

    let shown = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    for (let i = 0; i < 50 && !shown.body.closedAt; i++) {
      await sleep(200);
      shown = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    }
    expect(shown.body).toMatchObject({ status: 'expired', expiresAt: newExpiry });
    const types = shown.body.events.map((e: { type: string }) => e.type);
    expect(types).toEqual([
      'created',
      'provisioned',
      'expiry-shortened',
      'expired',
      'disabled',
      'credentials-rotated',
    ]);
    const shortened = shown.body.events.find((e: { type: string }) => e.type === 'expiry-shortened');
    expect(shortened).toMatchObject({
      actor: 'ada',
      details: { from: grant.expiresAt, expiresAt: newExpiry, reason: 'contract ends' },
    });
  });

  it('refuses a later expiry with a 400 naming expiresAt, and the grant keeps its expiry', async () => {
    const grant = await createGrant('Not Longer Services', inSeconds(3600));
    const answer = await shorten(grant.id, TOKENS.requester, {
      expiresAt: inSeconds(7200),
      reason: 'more time',
    });
    expect(answer.status).toBe(400);
    expect(answer.body.errors).toEqual([
      { field: 'expiresAt', rule: expect.stringContaining('later than the current expiry') },
    ]);
    const shown = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    expect(shown.body.expiresAt).toBe(grant.expiresAt);
    expect(shown.body.events.map((e: { type: string }) => e.type)).toEqual(['created', 'provisioned']);
  });
});
