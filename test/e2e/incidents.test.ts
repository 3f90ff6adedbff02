import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_FIELDS, INCIDENT_RETENTION_YEARS, incidentWorkflowId } from '../../domain/incident.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import {
  allDoorsClosed,
  incidentWhen,
  openIncident,
  parseCsv,
  showIncident,
  type IncidentDetail,
  type OpenedIncident,
} from '../helpers/incident-api.js';
import { token } from '../helpers/kit.js';
import { addStaffAccount, listDNs, readEntry } from '../helpers/ldap.js';
import { claimPassword, inSeconds, registerSharedAccount } from '../helpers/shared-accounts.js';
import { signIn } from '../helpers/sign-in.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { CUSTODIAN, LEND_TOKENS, TestStack, TOKENS } from '../helpers/stack.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';

/**
 * The day a supplier is breached, end to end through the HTTP API on the real stack (Temporal, slapd, the Okta
 * fake, SMTP and webhook sinks): every door it holds — an OpenLDAP grant, an Okta grant, a lend of a shared
 * OpenLDAP account, a manual door — closed at once, the supplier blocked, and the Law 25 register entry pre-filled,
 * completed, kept and exported.
 */
const LOGIN_DOMAIN = 'suppliers.acme.test';
const ADMINS = 'it-team@client.example';
const REASON = 'Supplier reports ransomware on its technicians’ laptops';
let okta: OktaFake;
let smtp: SmtpSink;
let webhook: WebhookSink;
let stack: TestStack;

beforeAll(async () => {
  [okta, smtp, webhook] = await Promise.all([startOktaFake(), startSmtpSink(), startWebhookSink()]);
  stack = await TestStack.start({
    OKTA_ORG_URL: okta.url,
    OKTA_API_TOKEN: okta.apiToken,
    OKTA_LOGIN_DOMAIN: LOGIN_DOMAIN,
    SMTP_URL: smtp.url,
    WEBHOOK_URL: webhook.url,
    REVIEW_REPORT_TO: ADMINS,
    REVIEW_INTERVAL: '2h',
  });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await Promise.all([okta?.close(), smtp?.stop(), webhook?.stop()]);
});

const ldap = () => ({ kind: 'openldap', slapd: stack.slapd }) as const;
const oktaSignIn = () => ({ kind: 'okta', okta }) as const;

/** A grant as the API answers it, with the members these tests read. */
interface Grant {
  id: string;
  status: string;
  closedAt?: string;
  account: { username: string; externalId: string };
  credential?: { username: string; password: string };
  events?: { type: string; actor: string; details?: Record<string, string> }[];
}

async function grant(provider: string, supplierId: string): Promise<Grant> {
  const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider,
    supplierId,
    durationDays: 30,
    reason: 'quarterly maintenance',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as Grant;
}

async function showGrant(id: string): Promise<Grant> {
  const shown = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
  expect(shown.status, JSON.stringify(shown.body)).toBe(200);
  return shown.body as Grant;
}

/** The admins' notices of one kind in the entry's trail, by channel. */
const noticeChannels = (detail: IncidentDetail, notice: string): string[] =>
  detail.events
    .filter((e) => e.type === 'admins-notified' && e.details?.notice === notice)
    .map((e) => e.details?.channel ?? '')
    .sort();

/** Waits up to `ms` for a message or request that mentions the incident and the words asked. */
async function arrives<T>(items: () => T[], match: (item: T) => boolean, ms = 60_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const found = items().find(match);
    if (found !== undefined) return found;
    if (Date.now() > deadline) throw new Error(`nothing matching arrived: ${JSON.stringify(items())}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

describe('a supplier is breached: every door closed, the supplier blocked, the register entry written', () => {
  const legalName = `Réseaux Breached ${token()}`;
  const staffPassword = 'Known-to-the-team-1!';
  let supplierId: string;
  let ldapGrant: Grant;
  let oktaGrant: Grant;
  let lent: Grant & { credential: { username: string; password: string } };
  let sharedAccountId: string;
  let manualDoorId: string;
  let incidentId: string;
  let opened: OpenedIncident;
  let postedAt: number;

  it('starts with a supplier holding four doors: two grants, a lend and a manual door', async () => {
    // No contact address: Okta then hands out a password, as LDAP does, which the test tries after the incident.
    const created = await stack.request('POST', '/v1/suppliers', TOKENS.requester, {
      legalName,
      sponsor: { name: 'Sam Sponsor', email: 'sam@client.example' },
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    supplierId = created.body.id as string;

    ldapGrant = await grant('ldap', supplierId);
    oktaGrant = await grant('okta', supplierId);
    const dn = await addStaffAccount(stack.slapd, `site-admin-${token()}`, staffPassword);
    sharedAccountId = (await registerSharedAccount(stack, 'ldap', dn)).id;
    const lendAnswer = await stack.request(
      'POST',
      `/v1/shared-accounts/${sharedAccountId}/lends`,
      TOKENS.requester,
      {
        supplierId,
        until: inSeconds(3 * 86_400),
        reason: 'update the shop front',
      },
    );
    expect(lendAnswer.status, JSON.stringify(lendAnswer.body)).toBe(201);
    lent = lendAnswer.body as typeof lent;
    const door = await stack.request('POST', '/v1/manual-doors', TOKENS.requester, {
      supplierId,
      what: 'VPN profile on the supplier laptop',
      where: 'firewall admin, "Suppliers" profile list',
      custodian: { name: CUSTODIAN, email: 'carl@client.example' },
      durationDays: 30,
      reason: 'remote maintenance',
    });
    expect(door.status, JSON.stringify(door.body)).toBe(201);
    manualDoorId = door.body.id as string;

    // Every door is open: the handed-out passwords sign in (the grant's must first be changed, as handed out).
    expect(await signIn(ldap(), ldapGrant.account.externalId, ldapGrant.credential!.password)).not.toBe(
      'refused',
    );
    expect(await signIn(ldap(), lent.account.externalId, lent.credential.password)).toBe('ok');
    const oktaLogin = `${oktaGrant.account.username}@${LOGIN_DOMAIN}`;
    expect(okta.userByLogin(oktaLogin)?.status).not.toBe('DEPROVISIONED');
    expect(await signIn(oktaSignIn(), oktaLogin, oktaGrant.credential!.password)).not.toBe('refused');
  });

  it('refuses an incident discovered in the future or ending before it began, naming the field', async () => {
    const future = await openIncident(stack, supplierId, {
      reason: 'a date typed wrong',
      discoveredAt: inSeconds(86_400),
    });
    expect(future.status, JSON.stringify(future.body)).toBe(400);
    expect(JSON.stringify(future.body)).toContain('discoveredAt');
    const backwards = await openIncident(stack, supplierId, {
      reason: 'a period typed wrong',
      discoveredAt: inSeconds(-60),
      occurredFrom: inSeconds(-3600),
      occurredUntil: inSeconds(-7200),
    });
    expect(backwards.status, JSON.stringify(backwards.body)).toBe(400);
    expect(JSON.stringify(backwards.body)).toContain('occurredUntil');
    const auditor = await openIncident(
      stack,
      supplierId,
      { reason: 'x', discoveredAt: inSeconds(-60) },
      TOKENS.auditor,
    );
    expect(auditor.status).toBe(403);
    const unknown = await openIncident(stack, randomUUID(), {
      reason: 'x',
      discoveredAt: inSeconds(-60),
    });
    expect(unknown.status).toBe(404);
    // Nothing was opened, nothing closed, nobody blocked.
    const supplier = await stack.request('GET', `/v1/suppliers/${supplierId}`, TOKENS.auditor);
    expect(supplier.body.block).toBeUndefined();
    expect((await showGrant(ldapGrant.id)).status).toBe('active');
  });

  it('closes every door at once and answers what closed and what is still pending', async () => {
    postedAt = Date.now();
    const answer = await openIncident(stack, supplierId, {
      reason: REASON,
      discoveredAt: inSeconds(-3600),
    });
    expect(answer.status, JSON.stringify(answer.body)).toBe(201);
    opened = answer.body as OpenedIncident;
    incidentId = opened.incident.id;
    expect(opened.incident).toMatchObject({
      supplierId,
      supplierName: legalName,
      createdBy: 'ada',
      revision: 0,
    });
    // One door per thing the supplier held, each with the action that closes it.
    const doors = Object.fromEntries(opened.doors.map((d) => [d.doorId, d]));
    expect(doors[ldapGrant.id]).toMatchObject({ kind: 'account', provider: 'ldap', action: 'revoke' });
    expect(doors[oktaGrant.id]).toMatchObject({ kind: 'account', provider: 'okta', action: 'revoke' });
    expect(doors[lent.id]).toMatchObject({ kind: 'lend', provider: 'ldap', action: 'end-lend' });
    expect(doors[manualDoorId]).toMatchObject({ kind: 'manual', action: 'flag' });
    expect(opened.doors).toHaveLength(4);
    // What it says is closed is closed, the rest pending; the manual door waits for a person.
    for (const door of opened.doors) expect(door.status).toBe(door.closedAt ? 'closed' : 'pending');
    expect(opened.closed + opened.pending).toBe(4);
    expect(opened.closed).toBe(opened.doors.filter((d) => d.closedAt).length);
    // The answer waits for the doors the service closes itself, not for the one a person closes.
    expect(opened.closed, 'both grants and the lend closed in the answer').toBe(3);
    expect(doors[manualDoorId]?.status).toBe('pending');
    // No password of any door is in the answer.
    for (const secret of [ldapGrant.credential!.password, lent.credential.password])
      expect(JSON.stringify(answer.body)).not.toContain(secret);
  }, 60_000);

  it('revokes both grants and ends the lend: the handed-out passwords no longer sign in', async () => {
    const grantDoors = [ldapGrant.id, oktaGrant.id, lent.id];
    const detail = await incidentWhen(
      stack,
      incidentId,
      (d) => d.doors.filter((door) => grantDoors.includes(door.doorId)).every((door) => door.closedAt),
      60_000,
    );
    console.log(
      `incident: the three grant doors closed ${
        Math.max(...detail.doors.filter((d) => d.closedAt).map((d) => Date.parse(d.closedAt!))) - postedAt
      } ms after the POST`,
    );
    expect(await signIn(ldap(), ldapGrant.account.externalId, ldapGrant.credential!.password)).toBe(
      'refused',
    );
    expect((await readEntry(stack.slapd, ldapGrant.account.externalId))?.pwdAccountLockedTime).toBeDefined();
    const oktaLogin = `${oktaGrant.account.username}@${LOGIN_DOMAIN}`;
    expect(okta.userByLogin(oktaLogin)?.status).toBe('DEPROVISIONED');
    expect(await signIn(oktaSignIn(), oktaLogin, oktaGrant.credential!.password)).toBe('refused');
    expect(await signIn(ldap(), lent.account.externalId, lent.credential.password)).toBe('refused');
    // The lend's account is the team's own: not locked, its new password waits for its custodian.
    const custodians = await claimPassword(stack, sharedAccountId);
    expect(await signIn(ldap(), lent.account.externalId, custodians)).toBe('ok');

    // Each grant says who revoked it and why; each door closed at the grant's own closing time.
    for (const id of grantDoors) {
      const shown = await showGrant(id);
      expect(shown.status).toBe('revoked');
      expect(shown.closedAt).toBeDefined();
      expect(detail.doors.find((d) => d.doorId === id)?.closedAt).toBe(shown.closedAt);
      const revoked = shown.events?.find((e) => e.type === 'revoked');
      expect(revoked?.actor).toBe('ada');
      expect(revoked?.details?.reason).toBe(`incident ${incidentId}: ${REASON}`);
    }
  }, 90_000);

  it('flags the manual door for its custodian, and closes the incident once it is attested', async () => {
    const flagged = await stack.request('GET', `/v1/manual-doors/${manualDoorId}`, TOKENS.auditor);
    const flags = (flagged.body.events as { type: string; details?: Record<string, string> }[]).filter(
      (e) => e.type === 'incident-flagged',
    );
    expect(flags).toHaveLength(1);
    expect(flags[0]?.details?.incidentId).toBe(incidentId);
    expect(flagged.body.status).not.toBe('closed');
    const toCustodian = await arrives(
      () => smtp.messages,
      (m) => m.to.includes('carl@client.example') && m.text.includes(manualDoorId),
    );
    expect(toCustodian.text).toContain('VPN profile on the supplier laptop');
    // Still open until someone closes it by hand: the incident waits for it.
    expect((await showIncident(stack, incidentId)).incident.doors).toBe('closing');

    const attested = await stack.request(
      'POST',
      `/v1/manual-doors/${manualDoorId}/attest`,
      LEND_TOKENS.custodian,
      {
        note: 'Deleted the VPN profile',
      },
    );
    expect(attested.status, JSON.stringify(attested.body)).toBe(200);
    const closed = await incidentWhen(stack, incidentId, allDoorsClosed, 120_000);
    const manual = closed.doors.find((d) => d.doorId === manualDoorId);
    expect(manual?.closedAt).toBe(attested.body.closedAt);
    const last = Math.max(...closed.doors.map((d) => Date.parse(d.closedAt!)));
    expect(Date.parse(closed.incident.doorsClosedAt!)).toBe(last);
  }, 180_000);

  it('tells the admins by mail and webhook when it opens and when its last door closes', async () => {
    const detail = await incidentWhen(
      stack,
      incidentId,
      (d) => noticeChannels(d, 'doors-closed').length >= 2,
      90_000,
    );
    expect(noticeChannels(detail, 'opened')).toHaveLength(2);
    expect(noticeChannels(detail, 'doors-closed')).toHaveLength(2);
    const mails = smtp.messages.filter(
      (m) => m.to.includes(ADMINS) && JSON.stringify(m).includes(incidentId),
    );
    expect(mails.length, 'one mail on open, one once the doors are closed').toBeGreaterThanOrEqual(2);
    const hooks = webhook.requests.filter((r) => JSON.stringify(r.body).includes(incidentId));
    expect(hooks.length).toBeGreaterThanOrEqual(2);
    // The reason travels encrypted through Temporal, never in plaintext in the incident's history.
    expect(stack.rawHistory(incidentWorkflowId(incidentId))).not.toContain('ransomware');
  }, 120_000);

  it('pre-fills the register entry with the doors held during the period and each closing with its time', async () => {
    const detail = await showIncident(stack, incidentId);
    const held = Object.fromEntries(detail.heldDoors.map((d) => [d.doorId, d]));
    for (const id of [ldapGrant.id, oktaGrant.id, lent.id, manualDoorId]) {
      const door = detail.doors.find((d) => d.doorId === id);
      expect(held[id], `${id} held during the period`).toBeDefined();
      expect(held[id]?.until).toBe(door?.closedAt);
      expect(Date.parse(held[id]!.from)).toBeLessThan(postedAt);
      expect(door?.heldFrom).toBe(held[id]?.from);
    }
    expect(held[ldapGrant.id]).toMatchObject({
      kind: 'account',
      provider: 'ldap',
      name: ldapGrant.account.username,
    });
    expect(held[manualDoorId]).toMatchObject({ kind: 'manual', name: 'VPN profile on the supplier laptop' });
    const trail = detail.events.map((e) => e.type);
    expect(trail[0]).toBe('opened');
    expect(trail).toContain('supplier-blocked');
    expect(trail.filter((t) => t === 'door-close-requested')).toHaveLength(4);
    expect(trail.filter((t) => t === 'door-closed')).toHaveLength(4);
    expect(trail).toContain('doors-closed');
    const keep = new Date(detail.incident.discoveredAt);
    keep.setUTCFullYear(keep.getUTCFullYear() + INCIDENT_RETENTION_YEARS);
    expect(detail.keepUntil).toBe(keep.toISOString());
  });

  it('blocks the supplier: no new door of any kind, nothing made in the directory, a second incident 409', async () => {
    const supplier = await stack.request('GET', `/v1/suppliers/${supplierId}`, TOKENS.auditor);
    expect(supplier.body.block).toMatchObject({ incidentId, by: 'ada' });
    const before = await listDNs(stack.slapd);
    const grantsBefore = (await stack.allGrants()).length;

    const attempts = [
      stack.request('POST', '/v1/grants', TOKENS.requester, {
        provider: 'ldap',
        supplierId,
        durationDays: 7,
        reason: 'back to work',
      }),
      stack.request('POST', '/v1/grants', TOKENS.requester, {
        provider: 'ldap',
        kind: 'service',
        supplierId,
        durationDays: 7,
        reason: 'the nightly export again',
      }),
      stack.request('POST', `/v1/shared-accounts/${sharedAccountId}/lends`, TOKENS.requester, {
        supplierId,
        durationDays: 1,
        reason: 'the shop front again',
      }),
      stack.request('POST', '/v1/manual-doors', TOKENS.requester, {
        supplierId,
        what: 'a new VPN profile',
        where: 'firewall admin',
        custodian: { name: CUSTODIAN },
        durationDays: 7,
        reason: 'remote maintenance',
      }),
    ];
    for (const refused of await Promise.all(attempts)) {
      expect(refused.status, JSON.stringify(refused.body)).toBe(409);
      expect(refused.body.incidentId).toBe(incidentId);
      expect(refused.body.detail).toBe(
        `supplier ${legalName} is blocked by incident ${incidentId}; an admin must lift the block first`,
      );
    }
    expect(await listDNs(stack.slapd)).toEqual(before);
    expect((await stack.allGrants()).length).toBe(grantsBefore);
    expect(await signIn(ldap(), ldapGrant.account.externalId, ldapGrant.credential!.password)).toBe(
      'refused',
    );

    const again = await openIncident(stack, supplierId, { reason: 'again', discoveredAt: inSeconds(-60) });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body.incidentId).toBe(incidentId);
  });

  it('keeps every change admins make to the entry, with the values before and after', async () => {
    const first = await stack.request('PATCH', `/v1/incidents/${incidentId}`, TOKENS.admin, {
      personalInformation: 'Names and e-mail addresses of customers in the CRM',
      circumstances: 'A technician’s laptop was encrypted by ransomware; the VPN profile was on it',
      // From two days ago until just now: the doors were opened and closed within it.
      occurredFrom: inSeconds(-2 * 86_400),
      occurredUntil: inSeconds(-1),
      personsConcerned: 120,
      riskAssessment: 'Contact data only; phishing is the likely misuse',
      seriousRisk: false,
      measures: 'Every door of the supplier closed; the supplier blocked',
    });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body.incident).toMatchObject({ personsConcerned: 120, revision: 1 });
    const corrected = await stack.request('PATCH', `/v1/incidents/${incidentId}`, TOKENS.admin, {
      personsConcerned: 134,
      seriousRisk: true,
      commissionNotifiedAt: inSeconds(-60),
    });
    expect(corrected.status, JSON.stringify(corrected.body)).toBe(200);
    const auditor = await stack.request('PATCH', `/v1/incidents/${incidentId}`, TOKENS.auditor, {
      measures: 'x',
    });
    expect(auditor.status).toBe(403);

    const detail = await showIncident(stack, incidentId);
    expect(detail.incident).toMatchObject({ personsConcerned: 134, seriousRisk: true, revision: 2 });
    const updates = detail.events.filter((e) => e.type === 'updated');
    expect(updates).toHaveLength(2);
    expect(updates[0]?.actor).toBe('ada');
    expect(updates[0]?.changes?.personsConcerned).toEqual({ from: null, to: 120 });
    expect(updates[1]?.changes?.personsConcerned).toEqual({ from: 120, to: 134 });
    expect(updates[1]?.changes?.seriousRisk).toEqual({ from: false, to: true });
    expect(Object.keys(updates[1]?.changes ?? {}).sort()).toEqual(
      ['commissionNotifiedAt', 'personsConcerned', 'seriousRisk'].sort(),
    );
    // Held doors follow the period now known: all four were held during it.
    expect(detail.heldDoors.map((d) => d.doorId).sort()).toEqual(
      [ldapGrant.id, oktaGrant.id, lent.id, manualDoorId].sort(),
    );
  });

  it('records an incident about an internal account in the same register, closing nothing', async () => {
    const internal = await stack.request('POST', '/v1/incidents', TOKENS.admin, {
      reason: 'A staff mailbox forwarded customer mail outside',
      discoveredAt: inSeconds(-600),
      personsConcerned: 12,
    });
    expect(internal.status, JSON.stringify(internal.body)).toBe(201);
    const id = ((internal.body.incident ?? internal.body) as { id: string }).id;
    const detail = await showIncident(stack, id);
    expect(detail.incident.supplierId).toBeUndefined();
    expect(detail.incident.doors).toBe('none');
    expect(detail.doors).toEqual([]);
    expect(detail.heldDoors).toEqual([]);
    const listed = await stack.request('GET', '/v1/incidents', TOKENS.auditor);
    expect(listed.status, JSON.stringify(listed.body)).toBe(200);
    const ids = (listed.body.incidents as { id: string }[]).map((i) => i.id);
    expect(ids).toEqual(expect.arrayContaining([id, incidentId]));
    const ofSupplier = await stack.request('GET', `/v1/incidents?supplierId=${supplierId}`, TOKENS.auditor);
    expect((ofSupplier.body.incidents as { id: string }[]).map((i) => i.id)).toEqual([incidentId]);
  });

  it('exports the register as CSV with the Law 25 columns and as JSON, both parseable', async () => {
    const csv = await fetch(`${stack.apiUrl}/v1/incidents.csv`, {
      headers: { authorization: `Bearer ${TOKENS.auditor}` },
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const { columns, rows } = parseCsv(await csv.text());
    expect(columns).toEqual(expect.arrayContaining([...INCIDENT_FIELDS, 'doorsClosedAt', 'keepUntil']));
    const row = rows.find((r) => r.id === incidentId);
    expect(row, 'the incident in the CSV').toBeDefined();
    expect(row).toMatchObject({
      personsConcerned: '134',
      seriousRisk: 'true',
      circumstances: 'A technician’s laptop was encrypted by ransomware; the VPN profile was on it',
    });
    expect(Object.values(row ?? {}).join(' ')).toContain(legalName);
    expect(
      rows.some((r) => r.id !== incidentId && r.reason === 'A staff mailbox forwarded customer mail outside'),
    ).toBe(true);

    const json = await stack.request('GET', '/v1/incidents.json', TOKENS.auditor);
    expect(json.status).toBe(200);
    expect(Date.parse(json.body.exportedAt as string)).not.toBeNaN();
    const exported = (json.body.incidents as IncidentDetail[]).find((d) => d.incident.id === incidentId);
    expect(exported).toEqual(await showIncident(stack, incidentId));
    expect(exported?.doors.every((d) => d.closedAt)).toBe(true);

    const auditorOnly = await stack.request('GET', '/v1/incidents.json', TOKENS.requester);
    expect(auditorOnly.status).toBe(403);
  });

  it('lifts the block on an admin’s word, recorded on the incident; the supplier gets doors again', async () => {
    const noReason = await stack.request('DELETE', `/v1/suppliers/${supplierId}/block`, TOKENS.admin, {});
    expect(noReason.status).toBe(400);
    expect(JSON.stringify(noReason.body)).toContain('reason');
    const lifted = await stack.request('DELETE', `/v1/suppliers/${supplierId}/block`, TOKENS.admin, {
      reason: 'The supplier reinstalled its laptops; audit report received',
    });
    expect(lifted.status, JSON.stringify(lifted.body)).toBe(200);
    expect(lifted.body.id).toBe(supplierId);
    expect(lifted.body.block).toBeUndefined();
    const twice = await stack.request('DELETE', `/v1/suppliers/${supplierId}/block`, TOKENS.admin, {
      reason: 'again',
    });
    expect(twice.status).toBe(409);

    const trail = (await showIncident(stack, incidentId)).events;
    const liftedEvent = trail.find((e) => e.type === 'block-lifted');
    expect(liftedEvent).toMatchObject({
      actor: 'ada',
      details: { reason: 'The supplier reinstalled its laptops; audit report received' },
    });
    const again = await grant('ldap', supplierId);
    expect(again.status).toBe('active');
    expect(await signIn(ldap(), again.account.externalId, again.credential!.password)).not.toBe('refused');
  });
});
