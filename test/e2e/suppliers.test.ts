import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toGeneralizedTime } from '../../providers/ldap/syntax.js';
import { inDays } from '../helpers/kit.js';
import { readEntry } from '../helpers/ldap.js';
import { startSmtpSink, type ReceivedMail, type SmtpSink } from '../helpers/smtp-sink.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

let stack: TestStack;
let smtp: SmtpSink;

beforeAll(async () => {
  smtp = await startSmtpSink();
  stack = await TestStack.start({ SMTP_URL: smtp.url });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  await smtp?.stop();
});

const fields = (body: { errors?: { field: string }[] }) => (body.errors ?? []).map((e) => e.field);

describe('a supplier through the HTTP API, against the real stack', () => {
  let supplierId: string;
  let first: { id: string; account: { username: string } } = { id: '', account: { username: '' } };
  let second = { id: '', account: { externalId: '' } };

  it('registers the supplier and grants it access by its id', async () => {
    const created = await stack.request('POST', '/v1/suppliers', TOKENS.requester, {
      legalName: 'Straße & Söhne',
      contactEmails: ['werkstatt@strasse.example'],
      sponsor: { name: 'Sam Sponsor', email: 'sam@corp.example' },
      contractEnd: inDays(30),
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    supplierId = created.body.id;

    const granted = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplierId,
      durationDays: 7,
      reason: 'boiler maintenance',
    });
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    expect(granted.body).toMatchObject({
      supplierId,
      supplier: { organisation: 'Straße & Söhne', contactEmail: 'werkstatt@strasse.example' },
      status: 'active',
    });
    expect(granted.body.credential.username).toBe(granted.body.account.username);
    first = granted.body as typeof first;
  });

  it('finds the same supplier for another spelling of its name: one live grant, as before', async () => {
    const again = await stack.request('POST', '/v1/grants', TOKENS.requester2, {
      provider: 'ldap',
      supplier: { organisation: 'Strasse & Söhne' },
      durationDays: 7,
      reason: 'a second pair of hands',
    });
    expect(again.status, JSON.stringify(again.body)).toBe(409);
    expect(again.body.liveGrantId).toBe(first.id);
    // Still one supplier of that name.
    const listed = await stack.request('GET', '/v1/suppliers?name=sohne', TOKENS.auditor);
    expect(listed.body.suppliers.map((s: { id: string }) => s.id)).toEqual([supplierId]);
  });

  it('refuses a grant or an extension past the contract end, naming the field', async () => {
    const tooLong = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplierId,
      expiresAt: inDays(45),
      reason: 'past the contract',
    });
    expect(tooLong.status).toBe(400);
    expect(fields(tooLong.body)).toEqual(['expiresAt']);
    expect(tooLong.body.detail).toContain('contract end');
    const extension = await stack.request('POST', `/v1/grants/${first.id}/extensions`, TOKENS.requester, {
      expiresAt: inDays(31),
      reason: 'overran',
    });
    expect(extension.status).toBe(400);
    expect(fields(extension.body)).toEqual(['expiresAt']);
    const grant = await stack.request('GET', `/v1/grants/${first.id}`, TOKENS.auditor);
    expect(grant.body.status).toBe('active');
  });

  it('after the first grant ends, grants the supplier again by name; the supplier shows both, newest first', async () => {
    const revoked = await stack.request('POST', `/v1/grants/${first.id}/revoke`, TOKENS.admin, {
      reason: 'job done',
    });
    expect(revoked.status, JSON.stringify(revoked.body)).toBe(200);
    const regrant = await stack.request('POST', '/v1/grants', TOKENS.requester2, {
      provider: 'ldap',
      supplier: { organisation: 'Strasse & Söhne', contactEmail: 'buero@strasse.example' },
      durationDays: 7,
      reason: 'next visit',
    });
    expect(regrant.status, JSON.stringify(regrant.body)).toBe(201);
    expect(regrant.body).toMatchObject({
      supplierId,
      supplier: { organisation: 'Strasse & Söhne', contactEmail: 'buero@strasse.example' },
      account: { username: first.account.username },
    });
    second = regrant.body as typeof second;

    const shown = await stack.request('GET', `/v1/suppliers/${supplierId}`, TOKENS.auditor);
    expect(shown.status).toBe(200);
    expect(shown.body).toMatchObject({ legalName: 'Straße & Söhne', key: 'strasse-and-sohne' });
    const grants = shown.body.grants.map((g: { id: string; status: string }) => [g.id, g.status]);
    expect(grants).toEqual([
      [second.id, 'active'],
      [first.id, 'revoked'],
    ]);
    const filtered = await stack.request('GET', `/v1/grants?supplierId=${supplierId}`, TOKENS.auditor);
    expect(filtered.body.grants.map((g: { id: string }) => g.id)).toEqual([second.id, first.id]);
  });

  it('moves the contract end earlier: the live grant past it is shortened, the sponsor told, a new grant past it refused', async () => {
    const before = smtp.messages.length;
    const moved = await stack.request('PATCH', `/v1/suppliers/${supplierId}`, TOKENS.requester, {
      contractEnd: inDays(5),
    });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    const shown = await stack.request('GET', `/v1/suppliers/${supplierId}`, TOKENS.auditor);
    expect(shown.body.contractEnd).toBe(moved.body.contractEnd);

    // The live grant ran 7 days; it now ends with the contract, in the registry and in the directory.
    const grant = await stack.request('GET', `/v1/grants/${second.id}`, TOKENS.auditor);
    expect(grant.body.expiresAt).toBe(moved.body.contractEnd);
    const shortened = grant.body.events.find((e: { type: string }) => e.type === 'expiry-shortened');
    expect(shortened).toMatchObject({ actor: 'rita', details: { expiresAt: moved.body.contractEnd } });
    const entry = await readEntry(stack.slapd, second.account.externalId);
    expect(entry?.pwdEndTime?.[0]).toBe(toGeneralizedTime(moved.body.contractEnd));

    // The sponsor and the supplier's contacts are told, with the new expiry (reminders may arrive meanwhile).
    const isNotice = (m: ReceivedMail) => m.subject.includes('now ends earlier');
    for (let seen = before + 1; !smtp.messages.slice(before).some(isNotice); seen++)
      await smtp.waitFor(seen, 30_000);
    const notice = smtp.messages.slice(before).find(isNotice);
    expect(notice?.to).toEqual(expect.arrayContaining(['sam@corp.example', 'buero@strasse.example']));
    expect(notice?.text).toContain(moved.body.contractEnd.slice(0, 10));

    const refused = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplierId,
      durationDays: 7,
      reason: 'past the new end',
    });
    expect(refused.status).toBe(400);
    expect(fields(refused.body)).toEqual(['durationDays']);
  });

  it('registers a supplier on the fly from a grant by name, with the requester as its sponsor', async () => {
    const granted = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplier: { organisation: 'Łódź Sp. z o.o.', contactEmail: 'biuro@lodz.example' },
      durationDays: 3,
      reason: 'network survey',
    });
    expect(granted.status, JSON.stringify(granted.body)).toBe(201);
    const shown = await stack.request('GET', `/v1/suppliers/${granted.body.supplierId}`, TOKENS.auditor);
    expect(shown.body).toMatchObject({
      legalName: 'Łódź Sp. z o.o.',
      key: 'lodz-sp-z-oo',
      contactEmails: ['biuro@lodz.example'],
      sponsor: { name: 'rita' },
      createdBy: 'rita',
      grants: [{ id: granted.body.id }],
    });
    expect(shown.body.sponsor.email).toBeUndefined();
  });

  it('exports the supplier id of every grant in the registry CSV', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/registry.csv?supplierId=${supplierId}`, {
      headers: { authorization: `Bearer ${TOKENS.auditor}` },
    });
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]?.split(',').at(-3)).toBe('supplierId');
    expect(lines.slice(1).map((l) => [l.split(',')[0], l.split(',').at(-3)])).toEqual([
      [second.id, supplierId],
      [first.id, supplierId],
    ]);
  });
});
