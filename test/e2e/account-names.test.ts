import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapProvider } from '../../providers/ldap/index.js';
import { canBind, readEntry } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import type { GrantRecord } from '../../src/registry/types.js';
import { grantRecord } from '../registry/grants.js';
import { migrateThrough } from '../registry/backends.js';
import { insertGrantAs0004 } from '../registry/legacy.js';

/**
 * Two long names that today's release cut to one account name: the same 53 first characters and the same
 * 24-bit hash (found by trying numbers until two met).
 */
const LONG_NAMES = [
  'Consolidated Northern Industrial Maintenance and Refrigeration Services Branch 1676',
  'Consolidated Northern Industrial Maintenance and Refrigeration Services Branch 2539',
] as const;
const LONG_NAMES_LEGACY_ACCOUNT = 'sup-consolidated-northern-industrial-maintenance-and-refr-6d42c7';

/** Two more such names; the first one's grant is in the registry today's release left, revoked. */
const LEGACY_LONG_NAMES = [
  'Associated Southern Agricultural Machinery and Irrigation Equipment Dealers Cooperative 9',
  'Associated Southern Agricultural Machinery and Irrigation Equipment Dealers Cooperative 5050',
] as const;
const LEGACY_LONG_GRANT = grantRecord({
  id: '00000000-0000-4000-8000-00000000a002',
  workflowId: 'grant-ldap-sup-associated-southern-agricultural-machinery-and-irriga-5a628c',
  organisation: LEGACY_LONG_NAMES[0],
  displayName: `${LEGACY_LONG_NAMES[0]} (supplier)`,
  username: 'sup-associated-southern-agricultural-machinery-and-irriga-5a628c',
  groups: [],
  createdAt: '2026-01-06T09:00:00.000Z',
  expiresAt: '2026-02-06T09:00:00.000Z',
});

/** "Ørsted A/S" as today's release named its account: the Ø dropped. */
const ORSTED_LEGACY_ACCOUNT = 'sup-rsted-a-s';
const ORSTED_LEGACY_GRANT = grantRecord({
  id: '00000000-0000-4000-8000-00000000a001',
  workflowId: `grant-ldap-${ORSTED_LEGACY_ACCOUNT}`,
  organisation: 'Ørsted A/S',
  displayName: 'Ørsted A/S (supplier)',
  username: ORSTED_LEGACY_ACCOUNT,
  groups: [],
  createdAt: '2026-01-05T09:00:00.000Z',
  expiresAt: '2026-02-05T09:00:00.000Z',
});

let stack: TestStack;
let dir: string;

/** A registry as today's release leaves it: Ørsted's grant and a long name's, on their old names, revoked. */
async function legacyRegistry(file: string): Promise<void> {
  const db = new Kysely<any>({ dialect: new SqliteDialect({ database: new SQLite(file) }) });
  try {
    await migrateThrough(db, '0004-closed-at');
    await insertGrantAs0004(db, ORSTED_LEGACY_GRANT, 'revoked');
    await insertGrantAs0004(db, LEGACY_LONG_GRANT, 'revoked');
  } finally {
    await db.destroy();
  }
}

/** A legacy grant's account as today's release left it in the directory: made for it, then locked and rotated. */
async function legacyAccount(grant: GrantRecord): Promise<string> {
  const { url, bindDN, bindPassword, usersDN, groupsDN } = stack.slapd;
  const ldap = createLdapProvider({ url, bindDN, bindPassword, usersDN, groupsDN });
  try {
    const { account } = await ldap.createAccount({
      username: grant.username,
      organisation: grant.organisation,
      displayName: grant.displayName,
      grantId: grant.id,
      expiresAt: new Date(Date.now() + 86_400_000).toISOString(),
      groups: [],
    });
    await ldap.disableAccount(account);
    await ldap.rotateCredentials(account);
    return account.externalId;
  } finally {
    await ldap.close();
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'account-names-'));
  const file = join(dir, 'registry.sqlite');
  await legacyRegistry(file);
  stack = await TestStack.start({ DATABASE_URL: `sqlite:${file}` });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  rmSync(dir, { recursive: true, force: true });
});

function grant(organisation: string) {
  return stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: 'support@example.com' },
    durationDays: 3,
    reason: 'replace the boiler controller',
  });
}

async function granted(organisation: string) {
  const response = await grant(organisation);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body;
}

async function revoke(id: string) {
  const response = await stack.request('POST', `/v1/grants/${id}/revoke`, TOKENS.admin, {
    reason: 'work finished',
  });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
}

const locked = (entry: Record<string, string[]> | null) =>
  entry?.pwdAccountLockedTime?.[0] === '000001010000Z';

describe('account names through the HTTP API', () => {
  it('names accounts after the transliterated name, with no letter dropped', async () => {
    const [lodz, ss] = await Promise.all([granted('Łódź Sp. z o.o.'), granted('ß GmbH')]);
    expect(lodz.account.username).toBe('sup-lodz-sp-z-oo');
    expect(ss.account.username).toBe('sup-ss-gmbh');
  });

  it('gives "A&B", "A+B" and "A.B. Plumbing", asked for at once, three accounts of their own', async () => {
    const names = ['A&B Plumbing', 'A+B Plumbing', 'A.B. Plumbing'];
    const grants = await Promise.all(names.map(granted));
    expect(grants.map((g) => g.account.username as string)).toEqual([
      'sup-a-and-b-plumbing',
      'sup-a-plus-b-plumbing',
      'sup-ab-plumbing',
    ]);
    expect(new Set(grants.map((g) => g.account.externalId as string)).size).toBe(3);
    for (const g of grants) {
      expect(await canBind(stack.slapd.url, g.account.externalId, g.credential.password)).toBe(true);
      expect((await readEntry(stack.slapd, g.account.externalId))?.description).toEqual([
        `supplier-access grant ${g.id}`,
      ]);
    }
  });

  it('keeps one live grant per supplier whatever the spelling: "Strasse & Söhne" is refused while "Straße & Söhne" is live', async () => {
    const first = await granted('Straße & Söhne');
    const again = await grant('Strasse & Söhne');
    expect(again.status).toBe(409);
    expect(again.body.liveGrantId).toBe(first.id);
  });

  it('keeps the account name a supplier had before, and gives an unrelated supplier that spelt it so a name of its own', async () => {
    const legacyDn = await legacyAccount(ORSTED_LEGACY_GRANT);
    // Asked for at once: "Rsted A/S" is not Ørsted, though today's release named both sup-rsted-a-s.
    const [orsted, rsted] = await Promise.all([grant('Ørsted A/S'), grant('Rsted A/S')]);
    expect(orsted.status, JSON.stringify(orsted.body)).toBe(201);
    expect(rsted.status, JSON.stringify(rsted.body)).toBe(201);

    // Ørsted comes back to its own account, taken over from its closed grant.
    expect(orsted.body.account).toMatchObject({ username: ORSTED_LEGACY_ACCOUNT, externalId: legacyDn });
    expect(await canBind(stack.slapd.url, legacyDn, orsted.body.credential.password)).toBe(true);
    // Rsted gets another name and another entry, never Ørsted's.
    expect(rsted.body.account.username).not.toBe(ORSTED_LEGACY_ACCOUNT);
    expect(rsted.body.account.username).toMatch(/^sup-rsted-a-s-/);
    expect(rsted.body.account.externalId).not.toBe(legacyDn);
    expect(await canBind(stack.slapd.url, legacyDn, rsted.body.credential.password)).toBe(false);
    expect(
      await canBind(stack.slapd.url, rsted.body.account.externalId, rsted.body.credential.password),
    ).toBe(true);
  });

  it("never hands a supplier the account another supplier's revoked grant left, however long their names", async () => {
    const first = await granted(LONG_NAMES[0]);
    await revoke(first.id);
    expect(locked(await readEntry(stack.slapd, first.account.externalId))).toBe(true);

    const second = await granted(LONG_NAMES[1]);
    expect(second.account.externalId).not.toBe(first.account.externalId);
    expect(second.account.username).not.toBe(first.account.username);
    for (const g of [first, second]) {
      expect(g.account.username).not.toBe(LONG_NAMES_LEGACY_ACCOUNT);
      expect(g.account.username.length).toBeLessThanOrEqual(64);
    }
    // The first supplier's account stays closed, and still names the first supplier's grant.
    const firstEntry = await readEntry(stack.slapd, first.account.externalId);
    expect(locked(firstEntry)).toBe(true);
    expect(firstEntry?.description).toEqual([`supplier-access grant ${first.id}`]);
    expect(await canBind(stack.slapd.url, first.account.externalId, second.credential.password)).toBe(false);

    // The first supplier's own next grant does take its account back.
    const back = await granted(LONG_NAMES[0]);
    expect(back.account).toMatchObject({
      username: first.account.username,
      externalId: first.account.externalId,
    });
  });

  it("never hands a supplier the account that another supplier's revoked grant of today's release left under a shared name", async () => {
    const legacyDn = await legacyAccount(LEGACY_LONG_GRANT);
    const other = await granted(LEGACY_LONG_NAMES[1]);
    expect(other.account.externalId).not.toBe(legacyDn);
    expect(other.account.username).not.toBe(LEGACY_LONG_GRANT.username);
    const legacyEntry = await readEntry(stack.slapd, legacyDn);
    expect(locked(legacyEntry)).toBe(true);
    expect(legacyEntry?.description).toEqual([`supplier-access grant ${LEGACY_LONG_GRANT.id}`]);

    // The supplier the name was made for keeps it, and its next grant takes its account back.
    const own = await granted(LEGACY_LONG_NAMES[0]);
    expect(own.account).toMatchObject({ username: LEGACY_LONG_GRANT.username, externalId: legacyDn });
    expect(await canBind(stack.slapd.url, legacyDn, own.credential.password)).toBe(true);
  });
});
