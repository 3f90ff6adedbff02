/**
 * Access review at scale: one provider's review of 10,000 supplier accounts in a throwaway OpenLDAP, end to end
 * (`reviewProvider`: list, load the grants, classify, save every row, correct what must be). Target ≤ 60 s.
 * Most accounts are covered by a live grant; some are closed, some drifted (usable after their grant ended),
 * some have a hand-changed expiry, some are orphans. Prints the findings and the time of a first review (which
 * corrects) and of a second one (which finds everything corrected).
 *
 *   npx tsx bench/review.ts [--accounts 10000] [--postgres]
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from 'ldapts';
import { createReviewActivities } from '../activities/review.js';
import { createLdapProvider } from '../providers/ldap/index.js';
import { toGeneralizedTime } from '../providers/ldap/syntax.js';
import { startLocalSlapd, type LocalSlapd } from '../src/local-stack/slapd.js';
import { createLogger } from '../src/logger.js';
import { openRegistry } from '../src/registry/store.js';
import type { RegistryStore } from '../src/registry/types.js';
import { startPostgres, type LocalPostgres } from '../test/helpers/postgres.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '10000' },
    postgres: { type: 'boolean', default: false },
  },
});
const total = Number(values.accounts);
const DAY = 86_400_000;
const LOCK = '000001010000Z';

/** Every account's part in the benchmark, by its number: 2 % orphans, 1 % drift, 5 % closed, 1 % mismatch. */
type Kind = 'covered' | 'orphan' | 'drift' | 'closed' | 'mismatch';
function kindOf(i: number): Kind {
  const k = i % 100;
  if (k < 2) return 'orphan';
  if (k < 3) return 'drift';
  if (k < 8) return 'closed';
  if (k < 9) return 'mismatch';
  return 'covered';
}

interface Seeded {
  username: string;
  kind: Kind;
  grantId: string;
  expiresAt: string;
}

function seedList(): Seeded[] {
  const live = new Date(Math.floor((Date.now() + 30 * DAY) / 1000) * 1000).toISOString();
  const ended = new Date(Math.floor((Date.now() - DAY) / 1000) * 1000).toISOString();
  return Array.from({ length: total }, (_, i) => {
    const kind = kindOf(i);
    const expiresAt = kind === 'drift' || kind === 'closed' ? ended : live;
    return { username: `sup-bench-${String(i).padStart(5, '0')}`, kind, grantId: randomUUID(), expiresAt };
  });
}

/** The entries, 16 connections at a time, straight through ldapts: what the provider's createAccount writes. */
async function fillDirectory(slapd: LocalSlapd, seeded: Seeded[]): Promise<void> {
  let next = 0;
  const lane = async (): Promise<void> => {
    const client = new Client({ url: slapd.url, timeout: 30_000 });
    await client.bind(slapd.bindDN, slapd.bindPassword);
    try {
      while (next < seeded.length) {
        const s = seeded[next++] as Seeded;
        const endTime =
          s.kind === 'mismatch' ? new Date(Date.parse(s.expiresAt) + 7 * DAY).toISOString() : s.expiresAt;
        await client.add(`uid=${s.username},${slapd.usersDN}`, {
          objectClass: ['inetOrgPerson'],
          uid: s.username,
          cn: `${s.username} (supplier)`,
          sn: s.username,
          o: s.username,
          description: s.kind === 'orphan' ? 'made by hand' : `supplier-access grant ${s.grantId}`,
          userPassword: randomUUID(),
          ...(s.kind === 'orphan' ? {} : { pwdEndTime: toGeneralizedTime(endTime) }),
          ...(s.kind === 'closed' ? { pwdAccountLockedTime: LOCK } : {}),
        });
      }
    } finally {
      await client.unbind();
    }
  };
  await Promise.all(Array.from({ length: 16 }, lane));
}

/** The grants, as their workflows left them: live ones active, drifted and closed ones expired. */
async function fillRegistry(registry: RegistryStore, slapd: LocalSlapd, seeded: Seeded[]): Promise<void> {
  const createdAt = new Date(Date.now() - 40 * DAY).toISOString();
  for (const s of seeded) {
    if (s.kind === 'orphan') continue;
    const event = { grantId: s.grantId, actor: 'supplier-access', at: createdAt };
    await registry.insertGrant(
      {
        id: s.grantId,
        workflowId: `grant-ldap-${s.username}`,
        provider: 'ldap',
        organisation: s.username,
        username: s.username,
        displayName: `${s.username} (supplier)`,
        status: 'provisioning',
        expiresAt: s.expiresAt,
        reason: 'benchmark',
        groups: [],
        requestedBy: 'rita',
        createdAt,
        door: 'account',
      },
      { ...event, seq: 0, type: 'created' },
    );
    const externalId = `uid=${s.username},${slapd.usersDN}`;
    await registry.recordEvent({
      ...event,
      seq: 1,
      type: 'provisioned',
      patch: { status: 'active', externalId },
    });
    if (s.kind !== 'drift' && s.kind !== 'closed') continue;
    await registry.recordEvent({
      ...event,
      seq: 2,
      type: 'expired',
      at: s.expiresAt,
      patch: { status: 'expired', endedAt: s.expiresAt },
    });
  }
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'bench-review-'));
  let postgres: LocalPostgres | undefined;
  let slapd: LocalSlapd | undefined;
  try {
    slapd = await startLocalSlapd({ dataDir: join(dir, 'ldap') });
    postgres = values.postgres ? await startPostgres() : undefined;
    const registry = await openRegistry({ databaseUrl: postgres?.url, dataDir: dir });
    const ldap = createLdapProvider({ ...slapd, dialect: 'openldap' });
    const seeded = seedList();
    let t = performance.now();
    await Promise.all([fillDirectory(slapd, seeded), fillRegistry(registry, slapd, seeded)]);
    console.log(
      `seeded ${total} accounts and their grants in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );

    const review = createReviewActivities({
      providers: new Map([['ldap', ldap]]),
      registry,
      logger: createLogger('error'),
    });
    // The first review corrects the drift and the expiries; the second finds them corrected (the steady state
    // of an hourly review).
    for (const which of ['first', 'second']) {
      const reviewId = randomUUID();
      await review.startReview({ reviewId, trigger: 'benchmark', startedAt: new Date().toISOString() });
      t = performance.now();
      const input = { reviewId, provider: 'ldap' as const, prefix: 'sup-', disableOrphans: false };
      const summary = await review.reviewProvider(input);
      const seconds = (performance.now() - t) / 1000;
      console.log(
        `${which} review: ${summary.accounts} accounts in ${seconds.toFixed(1)} s   (target ≤ 60 s)`,
      );
      console.log(
        `  findings: ${JSON.stringify(summary.findings)}${summary.error ? `  error: ${summary.error}` : ''}`,
      );
    }

    // Where the time goes: the directory listing alone, warm, for comparison.
    t = performance.now();
    const listed = await ldap.listAccounts('sup-');
    console.log(
      `listAccounts alone: ${listed.length} accounts in ${((performance.now() - t) / 1000).toFixed(1)} s`,
    );
    await ldap.close();
    await registry.close();
  } finally {
    await slapd?.stop();
    await postgres?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
