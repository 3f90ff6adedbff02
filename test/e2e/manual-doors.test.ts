import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTODIAN, LEND_TOKENS, TestStack, TOKENS } from '../helpers/stack.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';

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
    // A door of half a minute, its custodian reminded 20 seconds before its end: the whole life in real time.
    REMINDER_LEAD: '20s',
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([smtp?.stop(), webhook?.stop()]);
});

/** Polls until `check` holds, every half second, for at most `ms` (a loaded machine may lag). */
async function eventually<T>(read: () => Promise<T>, check: (value: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await read();
    if (check(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

const open = async (at: string) => {
  const answer = await stack.request(
    'GET',
    `/v1/manual-doors?activeAt=${encodeURIComponent(at)}`,
    TOKENS.auditor,
  );
  return (answer.body.manualDoors as { id: string }[]).map((d) => d.id);
};

describe('a manual door, end to end', () => {
  it('is recorded, its custodian reminded, escalated to admins once overdue, counted while open, and closed when attested', async () => {
    const until = new Date(Date.now() + 30_000).toISOString();
    const created = await stack.request('POST', '/v1/manual-doors', TOKENS.requester, {
      supplier: { organisation: 'Zapped Logistics' },
      what: 'Zapier connection to the CRM',
      where: 'zapier.com, team workspace "Sales"',
      custodian: { name: CUSTODIAN, email: 'carl@client.example' },
      until,
      reason: 'Lead import during the CRM migration',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const door = created.body as { id: string; supplierId: string; status: string; createdAt: string };
    expect(door.status).toBe('open');
    const openedAt = door.createdAt;

    // The custodian is reminded 20 s before the end, by e-mail.
    const reminder = await eventually(
      async () => smtp.messages.find((m) => m.subject.startsWith('Close by') && m.text.includes(door.id)),
      (m) => m !== undefined,
    );
    expect(reminder?.to).toEqual(['carl@client.example']);
    expect(reminder?.subject).toContain('Zapier connection to the CRM');

    // Past its end: overdue, and the admins (REVIEW_REPORT_TO) are told by e-mail and webhook.
    const overdue = await eventually(
      async () => (await stack.request('GET', `/v1/manual-doors/${door.id}`, TOKENS.auditor)).body,
      (body) => (body.events as { type: string }[]).some((e) => e.type === 'escalated'),
      90_000,
    );
    expect(overdue.status).toBe('overdue');
    const escalation = smtp.messages.find((m) => m.subject.startsWith('Overdue') && m.text.includes(door.id));
    expect(escalation?.to).toEqual(['it-team@client.example']);
    expect(
      webhook.requests.some(
        (r) => r.body?.data?.manualDoorId === door.id && r.body.data.notice === 'escalation',
      ),
    ).toBe(true);
    expect(await open(new Date().toISOString())).toContain(door.id);
    const supplierPage = await stack.request('GET', `/v1/suppliers/${door.supplierId}`, TOKENS.auditor);
    expect((supplierPage.body.manualDoors as { id: string }[]).map((d) => d.id)).toEqual([door.id]);

    // Someone else cannot attest it; its custodian can, with a note, and that is recorded.
    const byOther = await stack.request('POST', `/v1/manual-doors/${door.id}/attest`, TOKENS.requester2, {});
    expect(byOther.status).toBe(403);
    const attested = await stack.request(
      'POST',
      `/v1/manual-doors/${door.id}/attest`,
      LEND_TOKENS.custodian,
      {
        note: 'Deleted the Zap and revoked its CRM token',
      },
    );
    expect(attested.status, JSON.stringify(attested.body)).toBe(200);
    expect(attested.body).toMatchObject({ status: 'closed', closedBy: CUSTODIAN });
    const shown = await stack.request('GET', `/v1/manual-doors/${door.id}`, TOKENS.auditor);
    const trail = (shown.body.events as { type: string; actor: string }[]).map((e) => [e.type, e.actor]);
    expect(trail[0]).toEqual(['created', 'rita']);
    expect(trail).toContainEqual(['reminder-sent', 'supplier-access']);
    expect(trail).toContainEqual(['escalated', 'supplier-access']);
    expect(trail.at(-1)).toEqual(['attested-closed', CUSTODIAN]);

    // Counted while it was open, not after it was closed.
    expect(await open(openedAt)).toContain(door.id);
    expect(await open(new Date(Date.now() + 1000).toISOString())).not.toContain(door.id);
    const again = await stack.request('POST', `/v1/manual-doors/${door.id}/attest`, TOKENS.admin, {});
    expect(again.status).toBe(409);
  }, 180_000);
});
