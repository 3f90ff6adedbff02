import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, DAY, HOUR } from '../registry/grants.js';
import { ACME, BETA, ids, REQUESTER, startDoorsApp, zapier, type DoorsApp } from './doors-fixture.js';

/** `GET /v1/doors`: one answer for every kind of door, by supplier, at an instant; and its CSV. */
describe('the open-doors answer', () => {
  let doors: DoorsApp;

  beforeAll(async () => {
    doors = await startDoorsApp();
  });
  afterAll(async () => {
    await doors?.close();
  });

  const get = (url: string, token: string | undefined = REQUESTER) =>
    doors.app.inject({ method: 'GET', url, headers: token ? { authorization: `Bearer ${token}` } : {} });

  it('answers every open account grant, lend and manual door now, by supplier, with totals per kind', async () => {
    const answer = await get('/v1/doors');
    expect(answer.statusCode, answer.body).toBe(200);
    const body = answer.json();
    expect(body.activeAt).toBe(at(DAY));
    expect(body.totals).toEqual({ account: 2, lend: 1, service: 0, manual: 1, total: 4 });
    expect(body.suppliers.map((s: { supplier: string }) => s.supplier)).toEqual([
      'Acme Supplies inc.',
      'Béta Conseil',
    ]);
    const [acme, beta] = body.suppliers;
    expect(acme.totals).toEqual({ account: 1, lend: 1, service: 0, manual: 0, total: 2 });
    expect(acme.doors.map((d: { kind: string; id: string }) => [d.kind, d.id])).toEqual([
      ['account', ids.account],
      ['lend', ids.lend],
    ]);
    expect(beta.totals).toEqual({ account: 1, lend: 0, service: 0, manual: 1, total: 2 });
    expect(beta.doors).toContainEqual(
      expect.objectContaining({
        kind: 'manual',
        id: ids.manual,
        what: zapier.what,
        where: zapier.where,
        custodian: 'carol',
        until: zapier.until,
        supplierId: BETA,
      }),
    );
    // The revoked grant's account was closed: not a door any more.
    expect(JSON.stringify(body)).not.toContain(ids.closed);
  });

  it('answers for an instant in the past, and for one supplier', async () => {
    const past = await get(`/v1/doors?activeAt=${encodeURIComponent(at(2 * HOUR))}`);
    expect(past.statusCode, past.body).toBe(200);
    expect(past.json().totals).toEqual({ account: 2, lend: 1, service: 0, manual: 1, total: 4 });
    expect(JSON.stringify(past.json())).toContain(ids.closed);
    expect(JSON.stringify(past.json())).not.toContain(ids.later);

    const beta = await get(`/v1/doors?supplierId=${BETA}`);
    expect(beta.json().totals).toEqual({ account: 1, lend: 0, service: 0, manual: 1, total: 2 });
    expect(beta.json().suppliers).toHaveLength(1);
  });

  it('gives one CSV row per open door', async () => {
    const answer = await get('/v1/doors.csv');
    expect(answer.statusCode, answer.body).toBe(200);
    expect(answer.headers['content-type']).toContain('text/csv');
    expect(answer.headers['content-disposition']).toContain('supplier-access-doors-');
    const lines = answer.body.trim().split('\n');
    expect(lines[0]).toBe(
      'supplierId,supplier,kind,id,provider,account,what,where,custodian,status,since,until,requestedBy',
    );
    expect(lines).toHaveLength(5);
    expect(lines.find((l) => l.includes(ids.manual))).toContain('manual');
    expect(lines.find((l) => l.includes(ids.lend))).toContain(`${ACME},Acme Supplies inc.,lend`);
  });

  it('refuses a malformed instant or supplier id, naming the field, and a caller without a token', async () => {
    const bad = await get('/v1/doors?activeAt=yesterday&supplierId=acme');
    expect(bad.statusCode).toBe(400);
    expect(
      bad
        .json()
        .errors.map((e: { field: string }) => e.field)
        .sort(),
    ).toEqual(['activeAt', 'supplierId']);
    expect((await get('/v1/doors', '')).statusCode).toBe(401);
  });
});
