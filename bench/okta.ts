/**
 * Okta deprovisioning under its rate limits (docs/operations.md): N accounts deprovisioned at once (disable,
 * then rotate) through ONE provider instance, against the Okta fake with the budget Okta publishes for the
 * endpoints this hits (600 requests a minute per endpoint bucket: create/list users, update user by id and
 * lifecycle calls, groups; 75 concurrent requests per org). Targets: no 429, and done within 1.1× the budget's
 * theoretical minimum (the busiest bucket's requests at its rate).
 *
 *   npx tsx bench/okta.ts [--accounts 1000] [--per-minute 600] [--window-ms 60000] [--latency-ms 0]
 *
 * The full scale spends many minutes waiting for the budget; `--window-ms 6000` shrinks Okta's minute tenfold
 * (600 requests per 6 s) with the provider told the same, which keeps every ratio.
 */
import { parseArgs } from 'node:util';
import { createOktaProvider } from '../providers/okta/index.js';
import type { IdentityProvider } from '../providers/types.js';
import type { AccountRef } from '../domain/account.js';
import { startOktaFake, type OktaFake } from '../test/fakes/okta/index.js';

const { values } = parseArgs({
  options: {
    accounts: { type: 'string', default: '1000' },
    'per-minute': { type: 'string', default: '600' },
    'window-ms': { type: 'string', default: '60000' },
    'latency-ms': { type: 'string', default: '0' },
  },
});
const accounts = Number(values.accounts);
const perWindow = Number(values['per-minute']);
const windowMs = Number(values['window-ms']);
const latencyMs = Number(values['latency-ms']);
for (const [name, value] of Object.entries({ accounts, perWindow, windowMs, latencyMs })) {
  if (!Number.isFinite(value) || value < 0) throw new Error(`bad --${name}: ${value}`);
}

const DOMAIN = 'suppliers.example.test';
const LIFTED = 1_000_000;

function provider(fake: OktaFake, requestsPerMinute: number, groups: string[]): IdentityProvider {
  return createOktaProvider({
    orgUrl: fake.url,
    apiToken: fake.apiToken,
    loginDomain: DOMAIN,
    groups,
    rateLimit: { requestsPerMinute, windowMs, maxConcurrent: 20 },
  });
}

async function newGroup(fake: OktaFake): Promise<string> {
  const res = await fetch(`${fake.url}/api/v1/groups`, {
    method: 'POST',
    headers: { Authorization: `SSWS ${fake.apiToken}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ profile: { name: 'Bench suppliers' } }),
  });
  return String(((await res.json()) as { id: unknown }).id);
}

/** N password accounts in a group, each with a live session: what deprovisioning has to undo. */
async function createAccounts(fake: OktaFake, group: string): Promise<AccountRef[]> {
  const creator = provider(fake, LIFTED, [group]);
  const expiresAt = new Date(Date.now() + 86_400_000).toISOString();
  try {
    const refs = await Promise.all(
      Array.from({ length: accounts }, async (_, i) => {
        const organisation = `Bench Supplier ${i}`;
        const { account } = await creator.createAccount({
          username: `sup-bench-${i}`,
          organisation,
          displayName: `${organisation} (supplier)`,
          grantId: `grant-bench-${i}`,
          expiresAt,
          groups: [],
        });
        fake.createSession(account.externalId);
        return account;
      }),
    );
    return refs;
  } finally {
    await creator.close();
  }
}

function check(fake: OktaFake, refs: AccountRef[], group: string): string[] {
  const problems: string[] = [];
  for (const ref of refs) {
    const user = fake.users.get(ref.externalId);
    if (user?.status !== 'DEPROVISIONED') problems.push(`${ref.username} is ${user?.status}`);
    if (fake.sessionsOf(ref.externalId).length > 0) problems.push(`${ref.username} kept a session`);
    if (fake.groups.get(group)?.members.has(ref.externalId)) problems.push(`${ref.username} kept its group`);
  }
  return problems;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const fake = await startOktaFake({
    rateLimit: { limit: LIFTED, windowMs },
    concurrencyLimit: 75,
    latencyMs,
  });
  try {
    const group = await newGroup(fake);
    const refs = await createAccounts(fake, group);

    fake.setRateLimit(perWindow, windowMs);
    const since = fake.requests.length;
    const okta = provider(fake, perWindow, []);
    const started = performance.now();
    await Promise.all(
      refs.map(async (ref) => {
        await okta.disableAccount(ref);
        await okta.rotateCredentials(ref);
      }),
    );
    const elapsed = performance.now() - started;
    await okta.close();

    const requests = fake.requests.slice(since);
    const perBucket = new Map<string, number>();
    for (const r of requests) perBucket.set(r.bucket, (perBucket.get(r.bucket) ?? 0) + 1);
    const minimum = Math.max(...[...perBucket.values()].map((n) => (n / perWindow) * windowMs));
    // With fixed windows the first window's budget can go at once: n requests need ceil(n / L) windows, and
    // the first one costs no waiting. No client can beat this.
    const floor = Math.max(...[...perBucket.values()].map((n) => (Math.ceil(n / perWindow) - 1) * windowMs));
    const problems = check(fake, refs, group);

    const scale =
      windowMs === 60_000
        ? "Okta's one-minute window"
        : `${windowMs} ms window (${60_000 / windowMs}x faster than Okta's minute)`;
    console.log(
      `scale: ${accounts} accounts, ${perWindow} requests per ${scale} per bucket, latency ${latencyMs} ms`,
    );
    console.log(`requests made: ${requests.length}`);
    for (const [bucket, n] of [...perBucket].sort((a, b) => b[1] - a[1])) console.log(`  ${bucket}: ${n}`);
    console.log(`theoretical minimum (busiest bucket at the budget's rate): ${seconds(minimum)}`);
    console.log(`actual: ${seconds(elapsed)}`);
    console.log(`ratio: ${(elapsed / minimum).toFixed(3)} (target <= 1.1)`);
    console.log(
      `(fixed-window floor, the first window spent at once: ${seconds(floor)}; actual / floor ${(elapsed / Math.max(floor, 1)).toFixed(3)})`,
    );
    console.log(`429 answers: ${fake.count429()} (target 0)`);
    console.log(
      `accounts left usable: ${problems.length}${problems.length ? ` (${problems.slice(0, 5).join('; ')})` : ''}`,
    );
    if (fake.count429() > 0 || elapsed / minimum > 1.1 || problems.length > 0) process.exitCode = 1;
  } finally {
    await fake.close();
  }
}

await main();
