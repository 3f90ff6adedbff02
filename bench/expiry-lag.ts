/**
 * Expiry lag and deprovisioning throughput on local OpenLDAP (docs/operations.md, "Figures"):
 *   - N grants expiring in the same second: expiry instant → account locked, p50/p95/p99/max (target p99 ≤ 2 s);
 *   - deprovisioning rate against the rate of bare LDAP modifications on the same server (target ≥ 50 %).
 * Real servers: a Temporal dev server, slapd, the API in this process and one worker process.
 *
 *   npx tsx bench/expiry-lag.ts [--grants 1000] [--lead-seconds 90] [--workers 1] [--explain]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { Attribute, Change, Client, PresenceFilter } from 'ldapts';
import { TestStack } from '../test/helpers/stack.js';
import { createGrants } from './grants.js';

const { values } = parseArgs({
  options: {
    explain: { type: 'boolean', default: false },
    workers: { type: 'string', default: '1' },
    grants: { type: 'string', default: '1000' },
    'lead-seconds': { type: 'string', default: '90' },
  },
});
const grants = Number(values.grants);
const leadMs = Number(values['lead-seconds']) * 1000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? NaN;
}

/** Polls the directory for locked entries and notes when each was first seen locked. */
async function watchLocks(
  stack: TestStack,
  dns: Set<string>,
  deadline: number,
): Promise<Map<string, number>> {
  const seen = new Map<string, number>();
  const client = new Client({ url: stack.slapd.url });
  await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
  try {
    while (seen.size < dns.size && Date.now() < deadline) {
      const { searchEntries } = await client.search(stack.slapd.usersDN, {
        scope: 'one',
        filter: new PresenceFilter({ attribute: 'pwdAccountLockedTime' }),
        attributes: ['dn'],
        paged: { pageSize: 1000 },
      });
      const now = Date.now();
      for (const entry of searchEntries)
        if (dns.has(entry.dn) && !seen.has(entry.dn)) seen.set(entry.dn, now);
      await sleep(25);
    }
  } finally {
    await client.unbind();
  }
  return seen;
}

/** Bare LDAP: the same number of single-entry modifications, 16 at a time, as fast as slapd takes them. */
async function bareModifyRate(stack: TestStack, dns: string[]): Promise<number> {
  const clients = await Promise.all(
    Array.from({ length: 16 }, async () => {
      const c = new Client({ url: stack.slapd.url });
      await c.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
      return c;
    }),
  );
  let next = 0;
  const started = performance.now();
  await Promise.all(
    clients.map(async (client) => {
      while (next < dns.length) {
        const dn = dns[next++] as string;
        await client.modify(dn, [
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'title', values: [`bench ${next}`] }),
          }),
        ]);
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  await Promise.all(clients.map((c) => c.unbind()));
  return dns.length / seconds;
}

async function main(): Promise<void> {
  const stack = await TestStack.start({ LOG_LEVEL: 'warn' });
  try {
    for (let i = 1; i < Number(values.workers); i++) await stack.startWorker();
    const expiry = Math.ceil((Date.now() + leadMs) / 1000) * 1000;
    const expiresAt = new Date(expiry).toISOString();
    const createStart = Date.now();
    const dns = await createGrants(stack, {
      from: 0,
      to: grants,
      organisation: (i) => `Bench Supplier ${i}`,
      expiresAt,
      reason: 'expiry lag benchmark',
    });
    console.log(
      `created ${dns.length} grants in ${((Date.now() - createStart) / 1000).toFixed(1)} s, all expiring at ${expiresAt}`,
    );
    if (Date.now() > expiry - 2000) throw new Error('creation took too long: raise --lead-seconds');

    await sleep(expiry - Date.now() - 1000);
    const seen = await watchLocks(stack, new Set(dns), expiry + 120_000);
    const lags = [...seen.values()].map((t) => t - expiry).sort((a, b) => a - b);
    const last = lags[lags.length - 1] ?? NaN;
    console.log(`locked ${seen.size}/${dns.length} accounts`);
    console.log(
      `expiry lag (ms): p50 ${percentile(lags, 50)}  p95 ${percentile(lags, 95)}  p99 ${percentile(lags, 99)}  max ${last}   (target p99 ≤ 2000)`,
    );
    if (process.argv.includes('--explain')) {
      const slowest = [...seen.entries()].sort((a, b) => b[1] - a[1])[0]?.[0] ?? '';
      const username = /^uid=([^,]+)/.exec(slowest)?.[1] ?? '';
      const history = JSON.parse(stack.rawHistory(`grant-ldap-${username}`)) as {
        events: { eventTime: string; eventType: string }[];
      };
      for (const e of history.events.slice(-12)) console.log(`  ${e.eventTime}  ${e.eventType}`);
    }
    const deprovisionRate = seen.size / (Math.max(last, 1) / 1000);
    const bareRate = await bareModifyRate(stack, dns);
    console.log(
      `deprovisioning: ${deprovisionRate.toFixed(0)} accounts/s; bare LDAP modify: ${bareRate.toFixed(0)}/s; ratio ${(deprovisionRate / bareRate).toFixed(2)}   (target ≥ 0.50)`,
    );
  } finally {
    await stack.stop();
  }
}

await main();
