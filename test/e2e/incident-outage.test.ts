import { afterAll, beforeAll, expect, it } from 'vitest';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import {
  allDoorsClosed,
  incidentWhen,
  openIncident,
  showIncident,
  type IncidentDetail,
  type OpenedIncident,
} from '../helpers/incident-api.js';
import { token } from '../helpers/kit.js';
import { addStaffAccount } from '../helpers/ldap.js';
import { inSeconds, registerSharedAccount } from '../helpers/shared-accounts.js';
import { signIn } from '../helpers/sign-in.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';

/**
 * A supplier is breached while its OpenLDAP directory is down: the Okta door closes at once, the directory's doors
 * wait for it alone, close when it returns, and the register entry records when they really closed. The stack has
 * a slapd of its own, which the test stops.
 */
const LOGIN_DOMAIN = 'suppliers.acme.test';
const ADMINS = 'it-team@client.example';
let okta: OktaFake;
let smtp: SmtpSink;
let webhook: WebhookSink;
let stack: TestStack;

beforeAll(async () => {
  [okta, smtp, webhook] = await Promise.all([startOktaFake(), startSmtpSink(), startWebhookSink()]);
  stack = await TestStack.start(
    {
      OKTA_ORG_URL: okta.url,
      OKTA_API_TOKEN: okta.apiToken,
      OKTA_LOGIN_DOMAIN: LOGIN_DOMAIN,
      SMTP_URL: smtp.url,
      WEBHOOK_URL: webhook.url,
      REVIEW_REPORT_TO: ADMINS,
      REVIEW_INTERVAL: '2h',
      // The answer need not wait for a directory that is down: it says what is still pending.
      API_ANSWER_WITHIN: '5s',
    },
    { ownSlapd: true },
  );
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([okta?.close(), smtp?.stop(), webhook?.stop()]);
});

interface Grant {
  id: string;
  account: { username: string; externalId: string };
  credential: { username: string; password: string };
}

async function created(path: string, body: Record<string, unknown>): Promise<Grant> {
  const answer = await stack.request('POST', path, TOKENS.requester, body);
  expect(answer.status, JSON.stringify(answer.body)).toBe(201);
  return answer.body as Grant;
}

const closedAt = (detail: IncidentDetail, doorId: string): string | undefined =>
  detail.doors.find((d) => d.doorId === doorId)?.closedAt;

const doorsClosedNotices = (detail: IncidentDetail) =>
  detail.events.filter((e) => e.type === 'admins-notified' && e.details?.notice === 'doors-closed');

it('delays only the doors of the directory that is down; they close when it returns, and the entry says when', async () => {
  const supplier = await stack.request('POST', '/v1/suppliers', TOKENS.requester, {
    legalName: `Outage Breached ${token()}`,
    sponsor: { name: 'Sam Sponsor', email: 'sam@client.example' },
  });
  expect(supplier.status, JSON.stringify(supplier.body)).toBe(201);
  const supplierId = supplier.body.id as string;
  const reason = 'quarterly maintenance';
  const ldapGrant = await created('/v1/grants', { provider: 'ldap', supplierId, durationDays: 30, reason });
  const oktaGrant = await created('/v1/grants', { provider: 'okta', supplierId, durationDays: 30, reason });
  const dn = await addStaffAccount(stack.slapd, `site-admin-${token()}`, 'Known-to-the-team-1!');
  const shared = await registerSharedAccount(stack, 'ldap', dn);
  const lent = await created(`/v1/shared-accounts/${shared.id}/lends`, {
    supplierId,
    until: inSeconds(86_400),
    reason: 'update the shop front',
  });
  const ldapDoors = [ldapGrant.id, lent.id];

  await stack.slapd.stop();
  let restartedAt = Number.POSITIVE_INFINITY;
  try {
    const answer = await openIncident(stack, supplierId, {
      reason: 'Supplier reports stolen admin credentials',
      discoveredAt: inSeconds(-600),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    const opened = answer.body as OpenedIncident;
    const incidentId = opened.incident.id;
    // The directory's doors are pending in the answer: nothing could close them.
    for (const id of ldapDoors) expect(opened.doors.find((d) => d.doorId === id)?.status).toBe('pending');
    expect(opened.pending).toBeGreaterThanOrEqual(2);

    // The Okta door closes meanwhile; the directory's doors stay open, the entry still closing, no last notice.
    const oktaClosed = await incidentWhen(
      stack,
      incidentId,
      (d) => closedAt(d, oktaGrant.id) !== undefined,
      60_000,
    );
    expect(okta.userByLogin(`${oktaGrant.account.username}@${LOGIN_DOMAIN}`)?.status).toBe('DEPROVISIONED');
    await new Promise((resolve) => setTimeout(resolve, 3000));
    const waiting = await showIncident(stack, incidentId);
    for (const id of ldapDoors) expect(closedAt(waiting, id), `${id} still pending`).toBeUndefined();
    expect(waiting.incident.doors).toBe('closing');
    expect(waiting.incident.doorsClosedAt).toBeUndefined();
    expect(doorsClosedNotices(waiting)).toEqual([]);
    expect(closedAt(oktaClosed, oktaGrant.id)).toBeDefined();

    restartedAt = Date.now();
    await stack.slapd.start();
    const closed = await incidentWhen(stack, incidentId, allDoorsClosed, 180_000, 500);
    const backAfter = Math.max(...ldapDoors.map((id) => Date.parse(closedAt(closed, id)!))) - restartedAt;
    console.log(`incident with the directory down: its doors closed ${backAfter} ms after it returned`);
    for (const id of ldapDoors) expect(Date.parse(closedAt(closed, id)!)).toBeGreaterThan(restartedAt);
    expect(Date.parse(closedAt(closed, oktaGrant.id)!)).toBeLessThan(restartedAt);
    const last = Math.max(...closed.doors.map((d) => Date.parse(d.closedAt!)));
    expect(Date.parse(closed.incident.doorsClosedAt!)).toBe(last);
    // The held doors say the same: each door held until its real closing.
    for (const id of ldapDoors)
      expect(closed.heldDoors.find((d) => d.doorId === id)?.until).toBe(closedAt(closed, id));

    const ldap = { kind: 'openldap', slapd: stack.slapd } as const;
    expect(await signIn(ldap, ldapGrant.account.externalId, ldapGrant.credential.password)).toBe('refused');
    expect(await signIn(ldap, lent.account.externalId, lent.credential.password)).toBe('refused');

    // Then, and only then, the admins hear the last door is closed, by mail and webhook.
    const told = await incidentWhen(stack, incidentId, (d) => doorsClosedNotices(d).length >= 2, 90_000);
    for (const notice of doorsClosedNotices(told)) expect(Date.parse(notice.at)).toBeGreaterThanOrEqual(last);
    expect(
      smtp.messages.filter((m) => m.to.includes(ADMINS) && JSON.stringify(m).includes(incidentId)).length,
    ).toBeGreaterThanOrEqual(2);
    expect(
      webhook.requests.filter((r) => JSON.stringify(r.body).includes(incidentId)).length,
    ).toBeGreaterThanOrEqual(2);
  } finally {
    if (restartedAt === Number.POSITIVE_INFINITY) await stack.slapd.start();
  }
}, 360_000);
