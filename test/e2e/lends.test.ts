import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DAY } from '../helpers/kit.js';
import { addStaffAccount, readEntry } from '../helpers/ldap.js';
import {
  claim,
  claimPassword,
  inSeconds,
  lend,
  lendNow,
  lendWhen,
  registerSharedAccount,
  rotatedBack,
  showLend,
  showSharedAccount,
  type LendView,
} from '../helpers/shared-accounts.js';
import { signsIn } from '../helpers/sign-in.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { CUSTODIAN, LEND_TOKENS, TestStack, TOKENS } from '../helpers/stack.js';

/**
 * Lending an existing OpenLDAP account to a supplier through the HTTP API, on the real stack: the password is
 * rotated before the hand-over and again at the return, the custodian takes the new one once, and the registry
 * holds the lend like a grant.
 */
let stack: TestStack;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await TestStack.start({ SMTP_URL: smtp.url, REVIEW_INTERVAL: '2h' });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await smtp?.stop();
});

/** Whether the password signs in to the account now, with nothing more asked. */
const binds = (dn: string, password: string) =>
  signsIn({ kind: 'openldap', slapd: stack.slapd }, dn, password);

/** The lend ids `GET /v1/grants?<query>` lists. */
async function listed(query: string): Promise<string[]> {
  const response = await stack.request('GET', `/v1/grants?${query}`, TOKENS.auditor);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return (response.body.grants as { id: string }[]).map((g) => g.id);
}

/** The lend's row of the registry CSV, by column name. */
async function csvRow(id: string): Promise<Record<string, string>> {
  const response = await fetch(`${stack.apiUrl}/v1/registry.csv`, {
    headers: { authorization: `Bearer ${TOKENS.auditor}` },
  });
  const [header = '', ...rows] = (await response.text()).trim().split('\n');
  const row = rows.find((line) => line.startsWith(`${id},`));
  expect(row, `${id} in the CSV`).toBeDefined();
  const names = header.split(',');
  const values = (row ?? '').split(',');
  return Object.fromEntries(names.map((name, i) => [name, values[i] ?? '']));
}

/** Checks what the registry says of a lend that has ended: in the lends, the CSV, and activeAt only while open. */
async function expectInRegistry(ended: LendView, whileOpen: string): Promise<void> {
  expect(ended.closedAt, 'closed once the return rotation is done').toBeDefined();
  expect(await listed('door=lend')).toContain(ended.id);
  expect(await listed(`door=account`)).not.toContain(ended.id);
  expect(await listed(`activeAt=${whileOpen}`)).toContain(ended.id);
  expect(await listed(`activeAt=${new Date().toISOString()}`)).not.toContain(ended.id);
  expect(await csvRow(ended.id)).toMatchObject({
    door: 'lend',
    sharedAccountId: ended.sharedAccountId,
    status: ended.status,
    closedAt: ended.closedAt,
  });
}

describe('a shared OpenLDAP account lent to a supplier', () => {
  const original = 'Original-web-admin-1!';
  let dn: string;
  let sharedAccountId: string;

  it('registers an existing account with its custodian, and leaves the account as it is', async () => {
    dn = await addStaffAccount(stack.slapd, 'web-admin', original);
    const registered = await registerSharedAccount(stack, 'ldap', dn);
    sharedAccountId = registered.id;
    expect(registered).toMatchObject({
      provider: 'ldap',
      account: { externalId: dn },
      custodian: { name: CUSTODIAN },
    });
    expect(await binds(dn, original)).toBe(true);
    const again = await stack.request('POST', '/v1/shared-accounts', TOKENS.admin, {
      provider: 'ldap',
      account: dn,
      label: 'the same account twice',
      custodian: { name: CUSTODIAN },
    });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
  });

  it('rotates before the hand-over, works during the lend, needs four eyes to extend, and rotates at once on an early return', async () => {
    const lent = await lendNow(stack, sharedAccountId, 'Vitrine Tremblay', inSeconds(3600));
    expect(lent).toMatchObject({ door: 'lend', sharedAccountId, status: 'active' });
    expect(lent.account.externalId).toBe(dn);
    const supplierPassword = lent.credential.password;
    // Before the hand-over the password was changed: the one the custodian knew no longer signs in.
    expect(await binds(dn, original)).toBe(false);
    expect(await binds(dn, supplierPassword)).toBe(true);
    // The directory's own expiry and lock are the custodian's account's, never the lend's.
    const entry = await readEntry(stack.slapd, dn);
    expect(entry?.pwdEndTime ?? []).toEqual([]);
    expect(entry?.pwdAccountLockedTime ?? []).toEqual([]);

    // Shown once: not in the lend's view, not in its workflow's history, not in the worker's logs.
    const shown = await showLend(stack, lent.id);
    expect(JSON.stringify(shown)).not.toContain(supplierPassword);
    const history = stack.rawHistory(`shared-account-${sharedAccountId}`);
    expect(history).not.toContain(supplierPassword);
    expect(history).not.toContain(Buffer.from(supplierPassword).toString('base64'));
    expect(stack.workerOutput).not.toContain(supplierPassword);

    // Four eyes on an extension, as for a grant.
    const later = inSeconds(7200);
    const asked = await stack.request(
      'POST',
      `/v1/grants/${lent.id}/extensions`,
      LEND_TOKENS.requesterApprover,
      {
        expiresAt: later,
        reason: 'the shop front needs a second pass',
      },
    );
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const self = await stack.request(
      'POST',
      `/v1/grants/${lent.id}/extensions/approve`,
      LEND_TOKENS.requesterApprover,
      {},
    );
    expect(self.status).toBe(403);
    expect(self.body.detail).toContain('someone other than the person who requested it');
    const approved = await stack.request(
      'POST',
      `/v1/grants/${lent.id}/extensions/approve`,
      TOKENS.approver,
      {},
    );
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.expiresAt).toBe(later);
    expect((await readEntry(stack.slapd, dn))?.pwdEndTime ?? []).toEqual([]);
    const whileOpen = new Date().toISOString();
    expect(await binds(dn, supplierPassword)).toBe(true);

    // A second lend while this one runs: 409 naming who holds it and until when.
    const second = await lend(stack, sharedAccountId, 'Someone Else Ltd', inSeconds(600), TOKENS.requester2);
    expect(second.status, JSON.stringify(second.body)).toBe(409);
    expect(second.body).toMatchObject({ holder: 'Vitrine Tremblay', until: later });

    // The early return: the supplier's password is refused as soon as the answer comes.
    const before = smtp.messages.length;
    const returned = await stack.request(
      'POST',
      `/v1/shared-accounts/${sharedAccountId}/return`,
      TOKENS.requester,
      { reason: 'the shop front is done' },
    );
    expect(returned.status, JSON.stringify(returned.body)).toBe(200);
    expect(await binds(dn, supplierPassword)).toBe(false);
    const ended = await lendWhen(stack, lent.id, rotatedBack, 30_000);
    expect(ended.status).toBe('revoked');
    expect(ended.events.map((e) => e.type)).toEqual([
      'created',
      'provisioned',
      'extension-requested',
      'extension-approved',
      'revoked',
      'credentials-rotated',
    ]);
    expect(ended.events.find((e) => e.type === 'extension-approved')?.actor).toBe('alice');
    expect(ended.events.find((e) => e.type === 'revoked')?.actor).toBe('rita');

    // The custodian is told, then takes the new password once; it signs in.
    const notice = await waitForMail(before, 'carl@corp.example');
    expect(notice?.text).not.toContain(supplierPassword);
    const custodianPassword = await claimPassword(stack, sharedAccountId);
    expect(custodianPassword).not.toBe(supplierPassword);
    expect(await binds(dn, custodianPassword)).toBe(true);
    expect(notice?.text).not.toContain(custodianPassword);
    const twice = await claim(stack, sharedAccountId);
    expect(twice.status).toBe(404);
    expect(stack.workerOutput).not.toContain(custodianPassword);
    expect(stack.apiOutput).not.toContain(custodianPassword);

    const account = await showSharedAccount(stack, sharedAccountId);
    expect(JSON.stringify(account)).not.toContain(custodianPassword);
    const trail = (account.events ?? []).map((e) => [e.type, e.details?.reason ?? e.actor]);
    expect(trail).toEqual([
      ['registered', 'ada'],
      ['rotated', 'hand-over'],
      ['rotated', 'lend-ended'],
      ['credential-claimed', CUSTODIAN],
    ]);
    expect(account.events?.[1]?.details?.lendId).toBe(lent.id);
    await expectInRegistry(ended, whileOpen);
  });

  it('at `until`: the supplier is refused, the custodian is told and takes the new password once', async () => {
    const before = smtp.messages.length;
    const until = inSeconds(6);
    const lent = await lendNow(stack, sharedAccountId, 'Short Visit Ltd', until);
    const supplierPassword = lent.credential.password;
    expect(await binds(dn, supplierPassword)).toBe(true);
    const whileOpen = new Date().toISOString();

    const ended = await lendWhen(stack, lent.id, (l) => l.status === 'expired' && rotatedBack(l), 60_000);
    expect(ended.events.map((e) => e.type)).toEqual([
      'created',
      'provisioned',
      'expired',
      'credentials-rotated',
    ]);
    expect(Date.parse(ended.events[2]?.at ?? '')).toBeGreaterThanOrEqual(Date.parse(until));
    expect(await binds(dn, supplierPassword)).toBe(false);
    await waitForMail(before, 'carl@corp.example');
    const custodianPassword = await claimPassword(stack, sharedAccountId);
    expect(await binds(dn, custodianPassword)).toBe(true);
    expect((await claim(stack, sharedAccountId)).status).toBe(404);
    const entry = await readEntry(stack.slapd, dn);
    expect(entry?.pwdEndTime ?? []).toEqual([]);
    expect(entry?.pwdAccountLockedTime ?? []).toEqual([]);
    await expectInRegistry(ended, whileOpen);
  });

  it('a manual rotation by the custodian: the new password is theirs once, or thrown away if they prefer', async () => {
    expect((await claim(stack, sharedAccountId)).status, 'nothing waits after the last claim').toBe(404);

    // The lend or rotation that just ended may still be finishing (its notice delivered): a 409 then, to try again
    // shortly, as its detail says.
    const rotate = async (token: string) => {
      const path = `/v1/shared-accounts/${sharedAccountId}/rotate`;
      let answer = await stack.request('POST', path, token, {});
      for (const deadline = Date.now() + 15_000; answer.status === 409 && Date.now() < deadline;) {
        await sleep(500);
        answer = await stack.request('POST', path, token, {});
      }
      return answer;
    };
    const rotated = await rotate(LEND_TOKENS.custodian);
    expect(rotated.status, JSON.stringify(rotated.body)).toBe(202);
    await waitForWaitingPassword(sharedAccountId);
    // Someone else may not take it.
    expect((await claim(stack, sharedAccountId, TOKENS.requester)).status).toBe(403);
    const password = await claimPassword(stack, sharedAccountId);
    expect(await binds(dn, password)).toBe(true);
    expect((await claim(stack, sharedAccountId)).status).toBe(404);

    // Rotated again, the custodian resets it themselves: the waiting password is thrown away unseen.
    expect((await rotate(TOKENS.admin)).status).toBe(202);
    await waitForWaitingPassword(sharedAccountId);
    const discarded = await stack.request(
      'DELETE',
      `/v1/shared-accounts/${sharedAccountId}/credential`,
      LEND_TOKENS.custodian,
    );
    expect(discarded.status, JSON.stringify(discarded.body)).toBe(204);
    expect((await claim(stack, sharedAccountId)).status).toBe(404);
    expect(await binds(dn, password)).toBe(false);
    const types = ((await showSharedAccount(stack, sharedAccountId)).events ?? []).map((e) => e.type);
    expect(types.filter((t) => t === 'credential-claimed')).toHaveLength(3);
    expect(types.at(-1)).toBe('credential-discarded');
  });
});

describe('twenty lends of one shared account at once', () => {
  it('lends it once: exactly one 201 (or 202), nineteen 409s naming the holder and until when', async () => {
    const dn = await addStaffAccount(stack.slapd, 'accounting-service', 'Accounting-service-1!');
    const { id } = await registerSharedAccount(stack, 'ldap', dn);
    const until = inSeconds(3600);
    const answers = await Promise.all(
      Array.from({ length: 20 }, (_, i) => lend(stack, id, `Rival Accountants ${i + 1}`, until)),
    );
    const won = answers.filter((a) => a.status === 201 || a.status === 202);
    const refused = answers.filter((a) => a.status === 409);
    expect(won, JSON.stringify(answers.filter((a) => a.status !== 409).map((a) => a.body))).toHaveLength(1);
    expect(refused).toHaveLength(19);
    const winner = won[0]?.body as LendView & { credential?: { password: string } };
    for (const answer of refused) {
      expect(answer.body).toMatchObject({ holder: winner.supplier.organisation, until: winner.expiresAt });
    }

    // One lend in the registry, one hand-over rotation, and the winner's password is the one that signs in.
    const lends = await stack.request('GET', `/v1/shared-accounts/${id}/lends`, TOKENS.auditor);
    expect(lends.status, JSON.stringify(lends.body)).toBe(200);
    expect((lends.body.lends as { id: string }[]).map((l) => l.id)).toEqual([winner.id]);
    const shown = await lendWhen(stack, winner.id, (l) => l.status === 'active', 30_000);
    expect(shown.supplier.organisation).toBe(winner.supplier.organisation);
    const rotations = ((await showSharedAccount(stack, id)).events ?? []).filter((e) => e.type === 'rotated');
    expect(rotations.map((e) => e.details?.reason)).toEqual(['hand-over']);
    if (winner.credential) expect(await binds(dn, winner.credential.password)).toBe(true);
    expect(await binds(dn, 'Accounting-service-1!')).toBe(false);
  });
});

describe('a shared account rotated on schedule', () => {
  it('is rotated by the review once its interval has passed; the custodian takes the new password once', async () => {
    const original = 'Backup-operator-1!';
    const dn = await addStaffAccount(stack.slapd, 'backup-operator', original);
    const registered = await registerSharedAccount(stack, 'ldap', dn, { rotationIntervalDays: 90 });
    const { id } = registered;
    const overdue = async () => {
      const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
      expect(review.status, JSON.stringify(review.body)).toBe(200);
      return (review.body.accounts as { username: string; finding: string; action: string }[])
        .filter((a) => a.username === registered.account.username)
        .map((a) => [a.finding, a.action]);
    };
    expect(await overdue(), 'not due yet').toEqual([]);
    expect(await binds(dn, original)).toBe(true);

    // A quarter goes by: registered 91 days ago, never rotated since.
    registeredDaysAgo(id, 91);
    expect(await overdue()).toEqual([['rotation-overdue', 'rotation-started']]);
    await waitForWaitingPassword(id);
    expect(await binds(dn, original)).toBe(false);
    const password = await claimPassword(stack, id);
    expect(await binds(dn, password)).toBe(true);
    expect((await claim(stack, id)).status).toBe(404);
    const account = await showSharedAccount(stack, id);
    expect(Date.parse(account.lastRotatedAt ?? '')).toBeGreaterThan(Date.now() - 120_000);
    const trail = (account.events ?? []).map((e) => [e.type, e.details?.reason ?? e.actor]);
    expect(trail).toEqual([
      ['registered', 'ada'],
      ['rotated', 'scheduled'],
      ['credential-claimed', CUSTODIAN],
    ]);

    // Rotated: not due again for another 90 days.
    expect(await overdue()).toEqual([]);
    expect(await binds(dn, password)).toBe(true);
  });
});

/**
 * Moves a shared account's registration back in time, as the registry would hold it that many days later: a
 * rotation interval counts in whole days, and the test cannot wait them.
 */
function registeredDaysAgo(id: string, days: number): void {
  const db = new Database(join(stack.env.DATA_DIR as string, 'registry.sqlite'));
  try {
    const at = new Date(Date.now() - days * DAY).toISOString();
    const changed = db.prepare('UPDATE shared_accounts SET created_at = ? WHERE id = ?').run(at, id);
    expect(changed.changes).toBe(1);
  } finally {
    db.close();
  }
}

/** Waits for the first mail to `to` after the `before`th; answers it. */
async function waitForMail(before: number, to: string) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const mail = smtp.messages.slice(before).find((m) => m.to.includes(to));
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail to ${to}`);
    await sleep(250);
  }
}

/** Waits until a rotated password waits for the custodian (the rotation runs in its own workflow). */
async function waitForWaitingPassword(id: string): Promise<void> {
  const deadline = Date.now() + 30_000;
  while (!(await showSharedAccount(stack, id)).credentialWaiting) {
    if (Date.now() > deadline) throw new Error(`no password waits for the custodian of ${id}`);
    await sleep(250);
  }
}
