import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { DAY, inDays } from '../helpers/kit.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

async function createGrant(organisation: string, days: number) {
  const response = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'registry-contact@example.com' },
    expiresAt: inDays(days),
    reason: 'registry walkthrough',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as {
    id: string;
    supplierId: string;
    account: { username: string };
    createdAt: string;
  };
}

async function ids(query: string): Promise<string[]> {
  const response = await stack.request('GET', `/v1/grants?${query}`, TOKENS.auditor);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return (response.body.grants as { id: string }[]).map((g) => g.id);
}

/** Visibility is eventually consistent: polls a query until it returns what is expected. */
async function eventuallyListed(query: string, expected: string[]) {
  const deadline = Date.now() + 20_000;
  let seen: string[] = [];
  while (Date.now() < deadline) {
    seen = stack.listWorkflows(query).map((w) => w.workflowId);
    if (expected.every((id) => seen.includes(id))) return stack.listWorkflows(query);
    await sleep(250);
  }
  throw new Error(`query ${query} listed ${seen.join(', ')}; expected ${expected.join(', ')}`);
}

describe('the registry through the API', () => {
  let electricite: Awaited<ReturnType<typeof createGrant>>;
  let acme: Awaited<ReturnType<typeof createGrant>>;
  let zeta: Awaited<ReturnType<typeof createGrant>>;
  let beforeAny: string;
  let whileAllLive: string;
  let revokeAnswer: Record<string, unknown>;

  beforeAll(async () => {
    beforeAny = new Date(Date.now() - 1000).toISOString();
    electricite = await createGrant('Électricité Côté', 10);
    acme = await createGrant('Acme Routers Ltd', 20);
    zeta = await createGrant('Zeta 100% Networks', 30);
    whileAllLive = new Date().toISOString();
    await sleep(20);
    const revoked = await stack.request('POST', `/v1/grants/${acme.id}/revoke`, TOKENS.admin, {
      reason: 'contract ended early',
    });
    expect(revoked.status).toBe(200);
    revokeAnswer = revoked.body;
  }, 60_000);

  it('filters by status, provider, organisation and expiry', async () => {
    expect(await ids('status=active')).toEqual([zeta.id, electricite.id]);
    expect(await ids('status=revoked,expired')).toEqual([acme.id]);
    expect(await ids('provider=ldap&status=active,revoked')).toEqual([zeta.id, acme.id, electricite.id]);
    // Case and diacritics do not matter, and a % is a percent sign, not a wildcard.
    expect(await ids('organisation=ELECTRICITE')).toEqual([electricite.id]);
    expect(await ids('organisation=100%25')).toEqual([zeta.id]);
    expect(await ids(`expiresBefore=${inDays(15)}`)).toEqual([electricite.id]);
    expect(await ids(`expiresAfter=${inDays(15)}&expiresBefore=${inDays(25)}`)).toEqual([acme.id]);
  });

  it('answers who had access at a given instant', async () => {
    expect(await ids(`activeAt=${beforeAny}`)).toEqual([]);
    expect(await ids(`activeAt=${whileAllLive}`)).toEqual([zeta.id, acme.id, electricite.id]);
    // Now the revoked grant is gone; in 15 days only the grant still planned to run is left.
    expect(await ids(`activeAt=${new Date().toISOString()}`)).toEqual([zeta.id, electricite.id]);
    expect(await ids(`activeAt=${inDays(15)}`)).toEqual([zeta.id]);
  });

  it('pages with a cursor, newest first, without gaps or repeats', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const response = await stack.request(
        'GET',
        `/v1/grants?limit=1${cursor ? `&cursor=${cursor}` : ''}`,
        TOKENS.auditor,
      );
      expect(response.status).toBe(200);
      expect(response.body.grants).toHaveLength(1);
      seen.push(response.body.grants[0].id);
      cursor = response.body.nextCursor;
    } while (cursor);
    expect(seen).toEqual([zeta.id, acme.id, electricite.id]);
  });

  it('refuses malformed filters naming the parameter and the rule', async () => {
    const cases: [string, string][] = [
      ['status=sleeping', 'status'],
      ['provider=okta', 'provider'],
      ['activeAt=yesterday', 'activeAt'],
      ['limit=0', 'limit'],
      ['limit=501', 'limit'],
      ['cursor=not-a-cursor', 'cursor'],
      ['colour=blue', 'colour'],
    ];
    for (const [query, field] of cases) {
      const response = await stack.request('GET', `/v1/grants?${query}`, TOKENS.auditor);
      expect(response.status, query).toBe(400);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
      expect(
        response.body.errors.map((e: { field: string }) => e.field),
        query,
      ).toContain(field);
    }
  });

  it('shows the event trail with the actor and the time of each event', async () => {
    const shown = await stack.request('GET', `/v1/grants/${acme.id}`, TOKENS.auditor);
    const trail = shown.body.events as { type: string; actor: string; at: string; details?: any }[];
    expect(trail.map((e) => [e.type, e.actor])).toEqual([
      ['created', 'rita'],
      ['provisioned', 'supplier-access'],
      ['revoked', 'ada'],
      ['disabled', 'supplier-access'],
      ['credentials-rotated', 'supplier-access'],
    ]);
    expect(trail[2]?.details?.reason).toBe('contract ended early');
    for (const event of trail) expect(Date.parse(event.at)).toBeGreaterThan(Date.parse(beforeAny));
  });

  it('says when and how a revoked grant ended wherever its expiry is shown', async () => {
    const shown = await stack.request('GET', `/v1/grants/${acme.id}`, TOKENS.auditor);
    const trail = shown.body.events as { type: string; at: string }[];
    const at = (type: string) => trail.find((e) => e.type === type)?.at;
    const ended = {
      status: 'revoked',
      // The expiry that was planned stays; the account closed at the revocation, not then.
      expiresAt: expect.stringMatching(/Z$/),
      endedAt: at('revoked'),
      ending: 'revoked',
      endedBy: 'ada',
      endReason: 'contract ended early',
      closedAt: at('credentials-rotated'),
      closing: false,
    };
    expect(Date.parse(shown.body.expiresAt)).toBeGreaterThan(Date.parse(shown.body.endedAt) + 19 * DAY);
    expect(shown.body).toMatchObject(ended);
    const [listed] = (await stack.request('GET', '/v1/grants?status=revoked', TOKENS.auditor)).body.grants;
    expect(listed).toMatchObject(ended);
    expect(revokeAnswer).toMatchObject(ended);
    // A live grant has not ended: none of these.
    const live = (await stack.request('GET', `/v1/grants/${zeta.id}`, TOKENS.auditor)).body;
    for (const field of ['endedAt', 'ending', 'endedBy', 'endReason', 'closedAt', 'closing']) {
      expect(live).not.toHaveProperty(field);
    }
  });

  it('exports every grant as CSV, with how each ended, who ended it and why', async () => {
    const response = await fetch(`${stack.apiUrl}/v1/registry.csv`, {
      headers: { authorization: `Bearer ${TOKENS.auditor}` },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = (await response.text()).trim().split('\n');
    expect(lines[0]).toBe(
      'id,organisation,provider,username,status,requestedBy,reason,ticket,createdAt,provisionedAt,' +
        'expiresAt,endedAt,ending,endedBy,endReason,extensionsApproved,closedAt,closing,supplierId,door,' +
        'sharedAccountId',
    );
    expect(lines).toHaveLength(4);
    const acmeRow = lines.find((l) => l.startsWith(acme.id)) ?? '';
    expect(acmeRow).toContain(',Acme Routers Ltd,ldap,sup-acme-routers-ltd,revoked,rita,');
    const shown = await stack.request('GET', `/v1/grants/${acme.id}`, TOKENS.auditor);
    const { endedAt, closedAt, supplierId } = shown.body as {
      endedAt: string;
      closedAt: string;
      supplierId: string;
    };
    expect(acmeRow).toContain(`,${endedAt},revoked,ada,contract ended early,,${closedAt},no,${supplierId}`);
    const zetaRow = lines.find((l) => l.startsWith(zeta.id)) ?? '';
    expect(zetaRow).toMatch(new RegExp(`,active,.*,,,,,,,${zeta.supplierId},account,$`));
    // No contact e-mail in the export: it answers who had access, not how to reach them.
    expect(lines.join('\n')).not.toContain('registry-contact@example.com');
  });

  it('sets search attributes operators can filter on in the Temporal UI, with no e-mail in them', async () => {
    const workflowId = `grant-ldap-${acme.account.username}`;
    const [row] = await eventuallyListed(
      `SupplierAccessStatus = 'revoked' AND SupplierAccessOrganisation = 'Acme Routers Ltd'`,
      [workflowId],
    );
    expect(row?.searchAttributes).toMatchObject({
      SupplierAccessProvider: 'ldap',
      SupplierAccessOrganisation: 'Acme Routers Ltd',
      SupplierAccessAccount: 'sup-acme-routers-ltd',
      SupplierAccessStatus: 'revoked',
    });
    const live = await eventuallyListed(
      `SupplierAccessProvider = 'ldap' AND SupplierAccessStatus = 'active' AND SupplierAccessExpiresAt < '${inDays(15)}'`,
      [`grant-ldap-${electricite.account.username}`],
    );
    expect(live.map((w) => w.workflowId)).toEqual([`grant-ldap-${electricite.account.username}`]);
    const all = stack.listWorkflows(`SupplierAccessProvider = 'ldap'`);
    expect(all).toHaveLength(3);
    const values = JSON.stringify(all.map((w) => w.searchAttributes));
    expect(values).not.toContain('registry-contact@example.com');
    expect(values).not.toContain('registry walkthrough');
  });
});
