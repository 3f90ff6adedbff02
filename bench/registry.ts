/**
 * Registry listing at scale (docs/operations.md: filtered `GET /v1/grants` at 10,000 grants, p95 ≤ 100 ms).
 * Fills a registry with N grants and their event trails (a year of grants over three providers, most of them
 * closed), serves the real API over HTTP, and times filtered listings the way an auditor runs them.
 *
 *   npx tsx bench/registry.ts [--grants 10000] [--requests 50] [--postgres]
 *
 * `--postgres` runs against a throwaway PostgreSQL (the Debian package, as in the tests) instead of SQLite.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { Client } from '@temporalio/client';
import type { ProviderName } from '../domain/account.js';
import { buildApp } from '../src/api/app.js';
import { TokenAuthenticator } from '../src/api/auth.js';
import { GrantService } from '../src/api/grant-service.js';
import { createLogger } from '../src/logger.js';
import { openRegistry } from '../src/registry/store.js';
import type { RegistryStore } from '../src/registry/types.js';
import { startPostgres } from '../test/helpers/postgres.js';

const { values } = parseArgs({
  options: {
    grants: { type: 'string', default: '10000' },
    requests: { type: 'string', default: '50' },
    postgres: { type: 'boolean', default: false },
  },
});
const total = Number(values.grants);
const requests = Number(values.requests);
const DAY = 86_400_000;
const PROVIDERS: ProviderName[] = ['ldap', 'okta', 'entra'];
const WORDS = ['Électricité', 'Plomberie', 'Réseaux', 'Acme', 'Nordique', 'Côté', 'Informatique', 'Sécurité'];
const TOKEN = 'bench-auditor-token-0123456789';

function organisation(i: number): string {
  return `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} ${i % 2500} inc.`;
}

/** A year of grants: created at a steady pace, 1–90 days long, the past ones expired or revoked. */
async function fill(registry: RegistryStore, now: number): Promise<void> {
  for (let i = 0; i < total; i++) {
    const id = randomUUID();
    const created = now - 365 * DAY + Math.floor((i / total) * 365 * DAY);
    const expires = created + (1 + (i % 90)) * DAY;
    const provider = PROVIDERS[i % 3] as ProviderName;
    const username = `sup-bench-${i}`;
    const at = (ms: number) => new Date(ms).toISOString();
    await registry.insertGrant(
      {
        id,
        workflowId: `grant-${provider}-${username}`,
        provider,
        organisation: organisation(i),
        username,
        displayName: `${organisation(i)} (supplier)`,
        status: 'provisioning',
        expiresAt: at(expires),
        reason: 'benchmark',
        groups: [],
        requestedBy: 'rita',
        createdAt: at(created),
        door: 'account',
      },
      { grantId: id, seq: 0, type: 'created', at: at(created), actor: 'rita' },
    );
    const event = { grantId: id, actor: 'supplier-access' };
    await registry.recordEvent({
      ...event,
      seq: 1,
      type: 'provisioned',
      at: at(created + 1000),
      patch: { status: 'active', externalId: username },
    });
    const revoked = i % 10 === 0;
    const end = revoked ? created + (expires - created) / 2 : expires;
    if (end > now) continue;
    const ending = revoked ? 'revoked' : 'expired';
    await registry.recordEvent({
      ...event,
      ...(revoked ? { actor: 'ada', details: { reason: 'done early' } } : {}),
      seq: 2,
      type: ending,
      at: at(end),
      patch: { status: ending, endedAt: at(end) },
    });
    await registry.recordEvent({ ...event, seq: 3, type: 'disabled', at: at(end + 500) });
    await registry.recordEvent({ ...event, seq: 4, type: 'credentials-rotated', at: at(end + 900) });
  }
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'supplier-access-bench-registry-'));
  const postgres = values.postgres ? await startPostgres() : undefined;
  const registry = await openRegistry({ dataDir: dir, databaseUrl: postgres?.url });
  const now = Date.now();
  const fillStart = performance.now();
  await fill(registry, now);
  console.log(
    `filled ${total} grants (${values.postgres ? 'PostgreSQL' : 'SQLite'}) in ${((performance.now() - fillStart) / 1000).toFixed(1)} s`,
  );

  // The listing never talks to Temporal: the client is created lazily and never connects.
  const service = new GrantService({
    client: new Client(),
    registry,
    taskQueue: 'bench',
    accountPrefix: 'sup-',
    maxGrantDays: 90,
    usernameLimits: new Map(),
  });
  const app = await buildApp({
    authenticator: new TokenAuthenticator([{ name: 'audrey', roles: ['auditor'], token: TOKEN }]),
    service,
    registry,
    policy: { providers: PROVIDERS, maxGrantDays: 90 },
    logger: createLogger('silent'),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  const iso = (ms: number) => new Date(ms).toISOString();
  const firstPage = (await (
    await fetch(`${url}/v1/grants?limit=100`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).json()) as { nextCursor: string };
  const queries: Record<string, (i: number) => string> = {
    'newest 100': () => 'limit=100',
    'second page (cursor)': () => `limit=100&cursor=${firstPage.nextCursor}`,
    'status=active': () => 'status=active',
    'provider=okta & status=expired,revoked': () => 'provider=okta&status=expired,revoked',
    'organisation = one supplier (any case)': (i) =>
      `organisation=${encodeURIComponent(organisation(i * 13).toUpperCase())}`,
    'organisation contains "cote" (many)': () => 'organisation=cote',
    'activeAt (a past day) & provider=ldap': (i) => `activeAt=${iso(now - (i % 300) * DAY)}&provider=ldap`,
    'expires in a 7-day window': (i) =>
      `expiresAfter=${iso(now - (i % 300) * DAY)}&expiresBefore=${iso(now - (i % 300) * DAY + 7 * DAY)}`,
  };
  const all: number[] = [];
  console.log(`\n${'query'.padEnd(42)} ${'p50 ms'.padStart(8)} ${'p95 ms'.padStart(8)}  grants/page`);
  for (const [name, query] of Object.entries(queries)) {
    const times: number[] = [];
    let returned = 0;
    for (let i = 0; i < requests; i++) {
      const started = performance.now();
      const response = await fetch(`${url}/v1/grants?${query(i)}`, {
        headers: { authorization: `Bearer ${TOKEN}` },
      });
      const body = (await response.json()) as { grants: unknown[] };
      times.push(performance.now() - started);
      if (response.status !== 200)
        throw new Error(`${name}: HTTP ${response.status} ${JSON.stringify(body)}`);
      returned += body.grants.length;
    }
    times.sort((a, b) => a - b);
    all.push(...times);
    console.log(
      `${name.padEnd(42)} ${percentile(times, 50).toFixed(1).padStart(8)} ${percentile(times, 95).toFixed(1).padStart(8)}  ${(returned / requests).toFixed(0)}`,
    );
  }
  all.sort((a, b) => a - b);
  const p95 = percentile(all, 95);
  console.log(
    `\nall ${all.length} filtered listings over ${total} grants: p50 ${percentile(all, 50).toFixed(1)} ms, p95 ${p95.toFixed(1)} ms (target p95 ≤ 100 ms: ${p95 <= 100 ? 'met' : 'NOT met'})`,
  );
  await app.close();
  await registry.close();
  await postgres?.stop();
  rmSync(dir, { recursive: true, force: true });
}

await main();
