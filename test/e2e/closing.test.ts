import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

/**
 * A grant that expires while the directory is down: the workflow records the expiry at once but cannot close the
 * account until the directory is back. Until then the registry must not read as if the door were closed.
 */
let stack: TestStack;

beforeAll(async () => {
  // One test stops slapd: a slapd of its own.
  stack = await TestStack.start({}, { ownSlapd: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

type Shown = Record<string, unknown> & { events: { type: string; at: string }[] };

async function show(id: string): Promise<Shown> {
  const response = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as Shown;
}

/** Polls the grant until `done` holds; the machine is loaded, so the bound is generous. */
async function showWhen(id: string, done: (grant: Shown) => boolean, withinMs: number): Promise<Shown> {
  const deadline = Date.now() + withinMs;
  let grant = await show(id);
  while (!done(grant)) {
    if (Date.now() > deadline) throw new Error(`grant never got there: ${JSON.stringify(grant)}`);
    await sleep(500);
    grant = await show(id);
  }
  return grant;
}

async function activeAt(instant: string): Promise<string[]> {
  const response = await stack.request('GET', `/v1/grants?activeAt=${instant}`, TOKENS.auditor);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return (response.body.grants as { id: string }[]).map((g) => g.id);
}

async function csvRow(id: string): Promise<string> {
  const response = await fetch(`${stack.apiUrl}/v1/registry.csv`, {
    headers: { authorization: `Bearer ${TOKENS.auditor}` },
  });
  return (await response.text()).split('\n').find((line) => line.startsWith(id)) ?? '';
}

describe('a grant that expires while the directory is down', () => {
  it('reads as still open in the API, the CSV and activeAt until its account is disabled and rotated', async () => {
    const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
      provider: 'ldap',
      supplier: { organisation: 'Outage Optics' },
      expiresAt: new Date(Date.now() + 5000).toISOString(),
      reason: 'short job',
    });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const id = created.body.id as string;
    const dn = created.body.account.externalId as string;
    const password = created.body.credential.password as string;

    await stack.slapd.stop();
    let whileOpen: string;
    try {
      const ended = await showWhen(id, (g) => g.status === 'expired', 60_000);
      whileOpen = new Date().toISOString();
      expect(ended).toMatchObject({ status: 'expired', ending: 'expired', endedBy: 'supplier-access' });
      expect(ended.closing, 'an expired grant whose account is not closed yet').toBe(true);
      expect(ended).not.toHaveProperty('closedAt');
      expect(ended.events.map((e) => e.type)).not.toContain('disabled');
      expect(await activeAt(whileOpen)).toContain(id);
      // The last column is the grant's supplier id.
      expect(await csvRow(id)).toMatch(
        /,expired,supplier-access,expiry reached \([^)]*\),,,yes,[0-9a-f-]{36},account,$/,
      );
    } finally {
      await stack.slapd.start();
    }

    // The workflow retries every 10 s at most; give the loaded machine far more.
    const closed = await showWhen(id, (g) => g.closedAt !== undefined, 120_000);
    const rotated = closed.events.find((e) => e.type === 'credentials-rotated');
    expect(closed.events.map((e) => e.type)).toContain('disabled');
    expect(closed).toMatchObject({ status: 'expired', closing: false, closedAt: rotated?.at });
    expect(await canBind(stack.slapd.url, dn, password)).toBe(false);
    // Open at the instant it was open, closed now.
    expect(await activeAt(whileOpen)).toContain(id);
    expect(await activeAt(new Date().toISOString())).not.toContain(id);
    expect(await csvRow(id)).toMatch(new RegExp(`,${rotated?.at},no,[0-9a-f-]{36},account,$`));
  }, 240_000);
});
