import { execFileSync } from 'node:child_process';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { toolPath } from '../../src/local-stack/tools.js';
import { createLogger } from '../../src/logger.js';
import { reviewScheduleId } from '../../src/review-schedule.js';
import { startService } from '../../src/service.js';
import { canBind, readEntry } from '../helpers/ldap.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';

/**
 * The access review through the API, against a real slapd holding what a review exists to find: a hand-made
 * supplier-convention account nobody granted, and an expired account whose lock someone removed by hand.
 */
let stack: TestStack;
let smtp: SmtpSink;
let webhook: WebhookSink;

beforeAll(async () => {
  [smtp, webhook] = await Promise.all([startSmtpSink(), startWebhookSink()]);
  stack = await TestStack.start({
    SMTP_URL: smtp.url,
    WEBHOOK_URL: webhook.url,
    REVIEW_REPORT_TO: 'it-team@client.example',
    REVIEW_INTERVAL: '2h',
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([smtp?.stop(), webhook?.stop()]);
});

async function ldapClient() {
  const client = new Client({ url: stack.slapd.url });
  await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
  return client;
}

async function createGrant(organisation: string) {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation },
    durationDays: 30,
    reason: 'review walkthrough',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as {
    id: string;
    supplierId: string;
    account: { username: string; externalId: string };
  };
}

function schedules(): { scheduleId: string; interval: string }[] {
  const output = execFileSync(
    toolPath('temporal'),
    [
      'schedule',
      'list',
      '--address',
      stack.temporal.address,
      '--namespace',
      stack.namespace,
      '--output',
      'json',
    ],
    { encoding: 'utf8' },
  );
  const rows = (output.trim() ? JSON.parse(output) : []) as {
    scheduleId: string;
    info?: { spec?: { interval?: { interval?: string }[] } };
  }[];
  return rows.map((r) => ({
    scheduleId: r.scheduleId,
    interval: r.info?.spec?.interval?.[0]?.interval ?? '',
  }));
}

describe('the access review', () => {
  let covered: Awaited<ReturnType<typeof createGrant>>;
  let revived: Awaited<ReturnType<typeof createGrant>>;
  const handmadeDN = () => `uid=sup-shadow-it,${stack.slapd.usersDN}`;

  beforeAll(async () => {
    covered = await createGrant('Covered Cabling');
    revived = await createGrant('Revived Routers');
    const revoked = await stack.request('POST', `/v1/grants/${revived.id}/revoke`, TOKENS.admin, {
      reason: 'work done',
    });
    expect(revoked.status).toBe(200);
    const client = await ldapClient();
    try {
      // Someone "helps" the supplier back in: the lock is removed and a known password set.
      await client.modify(revived.account.externalId, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime' }) }),
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'userPassword', values: ['back-door-password'] }),
        }),
        new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdEndTime' }) }),
      ]);
      await client.add(handmadeDN(), {
        objectClass: 'inetOrgPerson',
        uid: 'sup-shadow-it',
        cn: 'made by hand',
        sn: 'Shadow IT',
        userPassword: 'shadow-password',
      });
    } finally {
      await client.unbind();
    }
    expect(await canBind(stack.slapd.url, revived.account.externalId, 'back-door-password')).toBe(true);
  }, 60_000);

  it('finds the orphan and the drift, closes the drift at once and reports both', async () => {
    const refused = await stack.request('POST', '/v1/reviews', TOKENS.auditor);
    expect(refused.status).toBe(403);

    const response = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(response.status, JSON.stringify(response.body)).toBe(200);
    const byName = Object.fromEntries(
      (response.body.accounts as { username: string }[]).map((a) => [a.username, a]),
    ) as Record<string, Record<string, unknown>>;
    expect(byName[covered.account.username]).toMatchObject({ finding: 'covered', coveredByGrant: true });
    expect(byName[revived.account.username]).toMatchObject({
      finding: 'drift',
      action: 'disabled-and-rotated',
      grantId: revived.id,
      grantStatus: 'revoked',
      coveredByGrant: false,
    });
    expect(byName['sup-shadow-it']).toMatchObject({
      finding: 'orphan',
      action: 'reported',
      coveredByGrant: false,
    });

    // The drifted account is locked again and the back-door password is gone; the orphan is left as it was.
    expect(await canBind(stack.slapd.url, revived.account.externalId, 'back-door-password')).toBe(false);
    expect((await readEntry(stack.slapd, revived.account.externalId))?.pwdAccountLockedTime).toEqual([
      '000001010000Z',
    ]);
    expect(await canBind(stack.slapd.url, handmadeDN(), 'shadow-password')).toBe(true);

    const trail = await stack.request('GET', `/v1/grants/${revived.id}`, TOKENS.auditor);
    const drift = (trail.body.events as { type: string; actor: string }[]).find(
      (e) => e.type === 'drift-corrected',
    );
    expect(drift?.actor).toBe('supplier-access');
  });

  it('serves the latest report to auditors, as JSON and CSV', async () => {
    const latest = await stack.request('GET', '/v1/reviews/latest', TOKENS.auditor);
    expect(latest.status).toBe(200);
    expect(latest.body.trigger).toBe('ada');
    expect(latest.body.providers).toEqual([
      expect.objectContaining({
        provider: 'ldap',
        accounts: 3,
        findings: expect.objectContaining({ drift: 1 }),
      }),
    ]);
    const csv = await fetch(`${stack.apiUrl}/v1/reviews/latest.csv`, {
      headers: { authorization: `Bearer ${TOKENS.auditor}` },
    });
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const lines = (await csv.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'provider,username,displayName,enabled,expiresAt,coveredByGrant,grantId,grantStatus,grantExpiresAt,finding,action,error,supplierId',
    );
    expect(lines.find((l) => l.startsWith('ldap,sup-shadow-it,'))).toMatch(/,no,,,,orphan,reported,,$/);
    // An account a grant made names that grant's supplier.
    const coveredRow = lines.find((l) => l.startsWith(`ldap,${covered.account.username},`));
    expect(covered.supplierId).toMatch(/^[0-9a-f-]{36}$/);
    expect(coveredRow?.endsWith(`,${covered.supplierId}`)).toBe(true);
    expect(lines).toHaveLength(4);
  });

  it('sends a summary through the notification channels when something was found', async () => {
    const [mail] = await smtp.waitFor(1, 20_000);
    expect(mail?.to).toEqual(['it-team@client.example']);
    expect(mail?.subject).toContain('2 account(s) need a look');
    expect(mail?.text).toContain('sup-shadow-it: orphan, reported');
    const [posted] = await webhook.waitFor(1, 20_000);
    expect(posted?.body.data.noteworthy).toBe(2);
  });

  it('registers one review schedule, however many times the API starts', async () => {
    const id = reviewScheduleId(stack.env.TEMPORAL_TASK_QUEUE as string);
    expect(schedules().filter((s) => s.scheduleId === id)).toEqual([{ scheduleId: id, interval: '7200s' }]);
    const second = await startService(
      loadConfig({ ...stack.env, REVIEW_INTERVAL: '3h' }),
      createLogger('silent'),
      'api',
    );
    await second.stop();
    // Still one schedule, now at the interval the latest start asked for.
    expect(schedules().filter((s) => s.scheduleId === id)).toEqual([{ scheduleId: id, interval: '10800s' }]);
  });
});

describe('an account re-enabled by hand after a later request for the supplier failed', () => {
  it('is drift on the grant that closed it: locked again and rotated, not an orphan left usable', async () => {
    const first = await createGrant('Relapsed Relays');
    const revoked = await stack.request('POST', `/v1/grants/${first.id}/revoke`, TOKENS.admin, {
      reason: 'work done',
    });
    expect(revoked.status).toBe(200);
    const client = await ldapClient();
    try {
      await client.modify(first.account.externalId, [
        new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdAccountLockedTime' }) }),
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'userPassword', values: ['relapse-password'] }),
        }),
        new Change({ operation: 'delete', modification: new Attribute({ type: 'pwdEndTime' }) }),
      ]);
    } finally {
      await client.unbind();
    }
    // Any requester asks again for the same supplier, naming a group that does not exist: the grant fails.
    const failed = await stack.request('POST', '/v1/grants', TOKENS.requester2, {
      provider: 'ldap',
      supplier: { organisation: 'Relapsed Relays' },
      durationDays: 30,
      reason: 'another try',
      groups: [`cn=no-such-group,${stack.slapd.groupsDN}`],
    });
    expect(failed.status, JSON.stringify(failed.body)).toBe(400);
    expect(await canBind(stack.slapd.url, first.account.externalId, 'relapse-password')).toBe(true);

    const review = await stack.request('POST', '/v1/reviews', TOKENS.admin);
    expect(review.status, JSON.stringify(review.body)).toBe(200);
    const row = (review.body.accounts as { username: string }[]).find(
      (a) => a.username === first.account.username,
    );
    expect(row).toMatchObject({
      finding: 'drift',
      action: 'disabled-and-rotated',
      grantId: first.id,
      grantStatus: 'revoked',
    });
    expect(await canBind(stack.slapd.url, first.account.externalId, 'relapse-password')).toBe(false);
    expect((await readEntry(stack.slapd, first.account.externalId))?.pwdAccountLockedTime).toEqual([
      '000001010000Z',
    ]);
  });
});
