import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind, readEntry } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

let stack: TestStack;

beforeAll(async () => {
  // One test restarts slapd: a slapd of its own.
  stack = await TestStack.start({}, { ownSlapd: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

function inSeconds(s: number): string {
  return new Date(Date.now() + s * 1000).toISOString();
}

async function createGrant(organisation: string, expiresAt: string, extra: Record<string, unknown> = {}) {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'support@example.com' },
    expiresAt,
    reason: 'quarterly maintenance of the accounting server',
    ticket: 'OPS-42',
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

/** Polls the entry until `done` holds; returns the instant it was first seen holding. */
async function waitFor(
  dn: string,
  done: (entry: Record<string, string[]>) => boolean,
  timeoutMs: number,
): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const entry = await readEntry(stack.slapd, dn);
    if (entry && done(entry)) return Date.now();
    await sleep(50);
  }
  throw new Error(`${dn} did not reach the expected state within ${timeoutMs} ms`);
}

const locked = (entry: Record<string, string[]>) => entry.pwdAccountLockedTime?.[0] === '000001010000Z';

describe('a grant through the HTTP API, on a real Temporal dev server and a real slapd', () => {
  it('creates an account named after the organisation whose one-time password binds', async () => {
    const grant = await createGrant('Plomberie Côté & Fils inc.', inSeconds(3600));
    expect(grant.status).toBe('active');
    expect(grant.account.username).toBe('sup-plomberie-cote-and-fils-inc');
    expect(grant.account.displayName).toBe('Plomberie Côté & Fils inc. (supplier)');
    expect(grant.credential.username).toBe('sup-plomberie-cote-and-fils-inc');
    expect(await canBind(stack.slapd.url, grant.account.externalId, grant.credential.password)).toBe(true);

    const entry = await readEntry(stack.slapd, grant.account.externalId);
    expect(entry?.o).toEqual(['Plomberie Côté & Fils inc.']);
    expect(entry?.pwdReset).toEqual(['TRUE']);
    expect(entry?.pwdEndTime?.[0]).toBe(toGeneralized(grant.expiresAt));

    const shown = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    expect(shown.status).toBe(200);
    expect(shown.body.credential).toBeUndefined();
    expect(JSON.stringify(shown.body)).not.toContain(grant.credential.password);
    expect(shown.body.events.map((e: { type: string }) => e.type)).toEqual(['created', 'provisioned']);
    expect(shown.body.events[0].actor).toBe('rita');

    // Neither the password nor the contact e-mail nor the reason is stored in Temporal in plaintext, or logged
    // by the worker. (The organisation is, on purpose: it is a search attribute, to filter grants in the UI.)
    const history = stack.rawHistory(`grant-ldap-${grant.account.username}`);
    expect(history).toContain(Buffer.from('binary/encrypted').toString('base64'));
    for (const secret of [grant.credential.password, 'support@example.com', 'quarterly maintenance']) {
      expect(history).not.toContain(secret);
      expect(Buffer.from(history).toString()).not.toContain(Buffer.from(secret).toString('base64'));
    }
    expect(stack.workerOutput).not.toContain(grant.credential.password);
  });

  it('locks and rotates the account within 2 s of its expiry', async () => {
    const grant = await createGrant('Expiring Soon Ltd', inSeconds(4));
    const expiry = Date.parse(grant.expiresAt);
    const lockedAt = await waitFor(grant.account.externalId, locked, 15_000);
    const lagMs = lockedAt - expiry;
    console.log(`expiry lag: account locked ${lagMs} ms after its expiry`);
    expect(lagMs).toBeLessThan(2000);
    expect(await canBind(stack.slapd.url, grant.account.externalId, grant.credential.password)).toBe(false);

    await expectStatus(grant.id, 'expired', ['disabled', 'credentials-rotated']);
    const entry = await readEntry(stack.slapd, grant.account.externalId);
    // Rotated: the stored password is no longer the one we handed out (unlocking by hand would not reopen it).
    expect(entry?.userPassword?.[0]).not.toContain(grant.credential.password);
  });

  it('still deprovisions when the worker was killed while the grant slept and comes back after the expiry', async () => {
    const grant = await createGrant('Crash Test Consulting', inSeconds(3));
    await stack.killWorker();
    await sleep(Date.parse(grant.expiresAt) - Date.now() + 2000);
    const before = await readEntry(stack.slapd, grant.account.externalId);
    expect(locked(before ?? {})).toBe(false);

    const restartedAt = Date.now();
    await stack.startWorker();
    const lockedAt = await waitFor(grant.account.externalId, locked, 45_000);
    console.log(`restarted worker locked the expired account ${lockedAt - restartedAt} ms after its restart`);
    await expectStatus(grant.id, 'expired', ['disabled', 'credentials-rotated']);
  });

  it('locks an account that expired while the directory was down, as soon as the directory is back', async () => {
    const grant = await createGrant('Outage Services', inSeconds(3));
    await stack.slapd.stop();
    await sleep(Date.parse(grant.expiresAt) - Date.now() + 4000);
    await stack.slapd.start();
    const backAt = Date.now();
    const lockedAt = await waitFor(grant.account.externalId, locked, 30_000);
    console.log(
      `directory back: expired account locked ${lockedAt - backAt} ms after the directory returned`,
    );
    await expectStatus(grant.id, 'expired', ['disabled', 'credentials-rotated']);
    expect(await canBind(stack.slapd.url, grant.account.externalId, grant.credential.password)).toBe(false);
  });

  it('walks the extension and revoke flow with four eyes', async () => {
    const grant = await createGrant('Walkthrough Systems', inSeconds(3600));
    const newExpiry = inSeconds(7200);

    const requested = await stack.request('POST', `/v1/grants/${grant.id}/extensions`, TOKENS.requester, {
      expiresAt: newExpiry,
      reason: 'the migration slipped a week',
    });
    expect(requested.status).toBe(202);
    expect(requested.body.status).toBe('extension-requested');
    expect(requested.body.pendingExtension.requestedBy).toBe('rita');

    const again = await stack.request('POST', `/v1/grants/${grant.id}/extensions`, TOKENS.requester2, {
      expiresAt: newExpiry,
      reason: 'me too',
    });
    expect(again.status).toBe(409);

    // The admin who also holds every role cannot approve what they asked for; here rita asked, ada approves.
    const approved = await stack.request(
      'POST',
      `/v1/grants/${grant.id}/extensions/approve`,
      TOKENS.approver,
      {},
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.status).toBe('active');
    expect(approved.body.expiresAt).toBe(newExpiry);
    expect((await readEntry(stack.slapd, grant.account.externalId))?.pwdEndTime?.[0]).toBe(
      toGeneralized(newExpiry),
    );

    const nothingPending = await stack.request(
      'POST',
      `/v1/grants/${grant.id}/extensions/approve`,
      TOKENS.approver,
      {},
    );
    expect(nothingPending.status).toBe(409);

    const revoked = await stack.request('POST', `/v1/grants/${grant.id}/revoke`, TOKENS.admin, {
      reason: 'contract ended early',
    });
    expect(revoked.status).toBe(200);
    expect(revoked.body.status).toBe('revoked');
    expect(locked((await readEntry(stack.slapd, grant.account.externalId)) ?? {})).toBe(true);
    expect(await canBind(stack.slapd.url, grant.account.externalId, grant.credential.password)).toBe(false);

    const shown = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
    const events = shown.body.events as { type: string; actor: string }[];
    expect(events.map((e) => e.type)).toEqual([
      'created',
      'provisioned',
      'extension-requested',
      'extension-approved',
      'revoked',
      'disabled',
      'credentials-rotated',
    ]);
    expect(events.find((e) => e.type === 'extension-approved')?.actor).toBe('alice');
    expect(events.find((e) => e.type === 'revoked')?.actor).toBe('ada');

    const late = await stack.request('POST', `/v1/grants/${grant.id}/revoke`, TOKENS.admin, {
      reason: 'twice',
    });
    expect(late.status).toBe(409);
  });

  it('refuses self-approval with 403 and keeps the extension pending', async () => {
    const grant = await createGrant('Four Eyes Audit', inSeconds(3600));
    const requested = await stack.request('POST', `/v1/grants/${grant.id}/extensions`, TOKENS.admin, {
      expiresAt: inSeconds(7200),
      reason: 'more time',
    });
    expect(requested.status).toBe(202);
    const self = await stack.request('POST', `/v1/grants/${grant.id}/extensions/approve`, TOKENS.admin, {});
    expect(self.status).toBe(403);
    expect(self.headers.get('content-type')).toContain('application/problem+json');

    const rejected = await stack.request(
      'POST',
      `/v1/grants/${grant.id}/extensions/reject`,
      TOKENS.approver,
      {
        reason: 'not justified',
      },
    );
    expect(rejected.status).toBe(200);
    expect(rejected.body.status).toBe('active');
    expect(rejected.body.expiresAt).toBe(grant.expiresAt);
  });

  it('refuses, and leaves alone, an account of the same name that supplier-access did not make', async () => {
    const dn = `uid=sup-handmade-hvac,${stack.slapd.usersDN}`;
    const client = new Client({ url: stack.slapd.url });
    await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
    await client.add(dn, {
      objectClass: 'inetOrgPerson',
      uid: 'sup-handmade-hvac',
      cn: 'made by hand',
      sn: 'Handmade',
      userPassword: 'someone-elses-password',
    });
    await client.unbind();

    const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplier: { organisation: 'Handmade HVAC' },
      durationDays: 3,
      reason: 'should not take over',
    });
    expect(response.status, JSON.stringify(response.body)).toBe(409);
    expect(response.body.grantStatus).toBe('failed');
    expect(await canBind(stack.slapd.url, dn, 'someone-elses-password')).toBe(true);
    const entry = await readEntry(stack.slapd, dn);
    expect(entry?.pwdAccountLockedTime ?? []).toEqual([]);
    expect(entry?.cn).toEqual(['made by hand']);
  });

  it('answers 409 naming the live grant when the same supplier is granted twice', async () => {
    const grant = await createGrant('Twice Over Inc', inSeconds(3600));
    const second = await stack.request('POST', '/v1/grants', TOKENS.requester2, {
      provider: 'ldap',
      supplier: { organisation: 'TWICE OVER, inc.' },
      durationDays: 3,
      reason: 'again',
    });
    expect(second.status).toBe(409);
    expect(second.body.liveGrantId).toBe(grant.id);
    expect(second.body.detail).toContain('sup-twice-over-inc');
  });
});

async function expectStatus(id: string, status: string, events: string[]) {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const shown = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
    const types = (shown.body.events as { type: string }[]).map((e) => e.type);
    if (shown.body.status === status && events.every((e) => types.includes(e))) return;
    if (Date.now() > deadline) throw new Error(`grant ${id}: ${shown.body.status} ${types.join(',')}`);
    await sleep(100);
  }
}

function toGeneralized(iso: string): string {
  return iso
    .replace(/[-:]/g, '')
    .replace(/\.\d+Z$/, 'Z')
    .replace('T', '');
}
