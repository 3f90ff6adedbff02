import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { addStaffAccount } from '../helpers/ldap.js';
import {
  claim,
  claimPassword,
  inSeconds,
  lendNow,
  lendWhen,
  registerSharedAccount,
  rotatedBack,
  showSharedAccount,
} from '../helpers/shared-accounts.js';
import { signsIn } from '../helpers/sign-in.js';
import { TestStack } from '../helpers/stack.js';

/**
 * A lend whose return falls while the worker is dead and the directory is down: the return rotation waits for
 * both, then happens once, and the password the custodian gets is the one the directory took.
 *
 * Timeline: the lend runs until T (a few seconds after the hand-over); right after the hand-over the worker is
 * SIGKILLed and slapd stops; T passes; a new worker starts into the outage (the lend ends, its rotation retries
 * against the dead directory) and is killed in turn; slapd comes back; a third worker finishes the return.
 */
let stack: TestStack;

beforeAll(async () => {
  // It stops the directory: a slapd of its own. The worker is this stack's own process on the shared Temporal.
  stack = await TestStack.start({ REVIEW_INTERVAL: '2h' }, { ownSlapd: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
}, 60_000);

it('returns a lend through a worker crash and a directory outage: the supplier is refused, the custodian signs in', async () => {
  const dn = await addStaffAccount(stack.slapd, 'site-admin', 'Site-admin-original-1!');
  const { id } = await registerSharedAccount(stack, 'ldap', dn);
  const until = inSeconds(8);
  const lent = await lendNow(stack, id, 'Outage Web Agency', until);
  const supplierPassword = lent.credential.password;
  expect(await signsIn({ kind: 'openldap', slapd: stack.slapd }, dn, supplierPassword)).toBe(true);

  await stack.killWorker();
  await stack.slapd.stop();
  try {
    await sleep(Math.max(0, Date.parse(until) - Date.now()) + 2000);
    // A worker comes up into the outage: the lend ends, its return rotation retries against the dead directory.
    await stack.startWorker();
    const ended = await lendWhen(stack, lent.id, (l) => l.status === 'expired', 60_000);
    expect(ended.events.map((e) => e.type)).not.toContain('credentials-rotated');
    expect(ended.closedAt, 'not closed while the password could not be changed').toBeUndefined();
    expect((await claim(stack, id)).status, 'nothing for the custodian before the rotation').toBe(404);
    await sleep(3000);
    await stack.killWorker();
  } finally {
    await stack.slapd.start();
  }
  await stack.startWorker();

  // Capped backoff is 10 s; the loaded machine gets far more.
  const closed = await lendWhen(stack, lent.id, rotatedBack, 120_000);
  expect(closed.status).toBe('expired');
  expect(closed.events.map((e) => e.type)).toEqual([
    'created',
    'provisioned',
    'expired',
    'credentials-rotated',
  ]);
  expect(closed.closedAt).toBe(closed.events.at(-1)?.at);
  expect(await signsIn({ kind: 'openldap', slapd: stack.slapd }, dn, supplierPassword)).toBe(false);

  const custodianPassword = await claimPassword(stack, id);
  expect(await signsIn({ kind: 'openldap', slapd: stack.slapd }, dn, custodianPassword)).toBe(true);
  expect((await claim(stack, id)).status).toBe(404);
  // Each rotation recorded once, however often the return was retried.
  const rotations = ((await showSharedAccount(stack, id)).events ?? []).filter((e) => e.type === 'rotated');
  expect(rotations.map((e) => e.details?.reason)).toEqual(['hand-over', 'lend-ended']);
  // Neither password in the logs of any of the three workers or the API, nor readable in the lend's history.
  const history = stack.rawHistory(`shared-account-${id}`);
  for (const password of [supplierPassword, custodianPassword]) {
    expect(stack.workerOutput).not.toContain(password);
    expect(stack.apiOutput).not.toContain(password);
    expect(history).not.toContain(password);
    expect(history).not.toContain(Buffer.from(password).toString('base64'));
  }
}, 300_000);
