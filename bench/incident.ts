/**
 * Closing every door of a breached supplier (docs/operations.md, "Figures"): one supplier holding N doors on local
 * OpenLDAP — its account grant, its service credential and lends of N - 2 shared accounts (a supplier holds one
 * account grant and one service credential per provider, so the rest are lends) — then
 * `POST /v1/suppliers/{id}/incident`, and the time from the POST to the last door closed: as the register records
 * it (the doors' `closedAt`) and as the API first showed it. Target: 50 doors in at most 5 s.
 * Real servers: a Temporal dev server, slapd, the API in this process and one worker process.
 *
 *   npx tsx bench/incident.ts [--doors 50]
 */
import { parseArgs } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { allDoorsClosed, showIncident, type OpenedIncident } from '../test/helpers/incident-api.js';
import { addStaffAccount, canBind } from '../test/helpers/ldap.js';
import { CUSTODIAN, TestStack, TOKENS } from '../test/helpers/stack.js';

const { values } = parseArgs({ options: { doors: { type: 'string', default: '50' } } });
const doors = Number(values.doors);
if (!Number.isInteger(doors) || doors < 3) throw new Error(`bad --doors: ${values.doors} (at least 3)`);
const TARGET_MS = 5000;

/** Answers the body of a 201, or stops the benchmark with what the API said. */
async function create(stack: TestStack, path: string, body: unknown): Promise<Record<string, any>> {
  const response = await stack.request('POST', path, TOKENS.requester, body);
  if (response.status !== 201)
    throw new Error(`${path}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body;
}

/** Runs `task(i)` for i in [0, n), `width` at a time. */
async function pool(n: number, width: number, task: (i: number) => Promise<void>): Promise<void> {
  let next = 0;
  const run = async () => {
    while (next < n) await task(next++);
  };
  await Promise.all(Array.from({ length: width }, run));
}

/** The supplier and its doors; answers the supplier's id and each lend's DN with the password handed out. */
async function holdDoors(stack: TestStack): Promise<{ supplierId: string; lent: [string, string][] }> {
  const supplier = await create(stack, '/v1/suppliers', {
    legalName: 'Breached Integrator Inc.',
    sponsor: { name: 'Sam Sponsor', email: 'sam@corp.example' },
  });
  const supplierId = supplier.id as string;
  const grant = { provider: 'ldap', supplierId, durationDays: 30, reason: 'managed services contract' };
  await create(stack, '/v1/grants', grant);
  await create(stack, '/v1/grants', { ...grant, kind: 'service' });
  const lent: [string, string][] = [];
  await pool(doors - 2, 8, async (i) => {
    const dn = await addStaffAccount(stack.slapd, `shared-${i}`, `Known-to-the-team-${i}!`);
    const shared = await stack.request('POST', '/v1/shared-accounts', TOKENS.admin, {
      provider: 'ldap',
      account: dn,
      label: `Shared account ${i}`,
      custodian: { name: CUSTODIAN },
    });
    if (shared.status !== 201) throw new Error(`shared account ${i}: ${JSON.stringify(shared.body)}`);
    const lend = await create(stack, `/v1/shared-accounts/${shared.body.id}/lends`, {
      supplierId,
      durationDays: 30,
      reason: 'managed services contract',
    });
    lent.push([dn, lend.credential.password as string]);
  });
  return { supplierId, lent };
}

const seconds = (ms: number) => `${(ms / 1000).toFixed(2)} s`;

const stack = await TestStack.start({ REVIEW_INTERVAL: '2h' });
try {
  const setUp = Date.now();
  const { supplierId, lent } = await holdDoors(stack);
  console.log(`${doors} doors of one supplier on OpenLDAP set up in ${seconds(Date.now() - setUp)}`);

  const postedAt = Date.now();
  const answer = await stack.request('POST', `/v1/suppliers/${supplierId}/incident`, TOKENS.admin, {
    reason: 'Supplier reports a breach of its remote-access tooling',
    discoveredAt: new Date(postedAt - 60_000).toISOString(),
  });
  const answeredAt = Date.now();
  if (answer.status !== 201) throw new Error(`incident: ${answer.status} ${JSON.stringify(answer.body)}`);
  const opened = answer.body as OpenedIncident;
  if (opened.doors.length !== doors)
    throw new Error(`the incident names ${opened.doors.length} doors, not ${doors}`);

  let detail = await showIncident(stack, opened.incident.id);
  while (!allDoorsClosed(detail) && Date.now() - postedAt < 120_000) {
    await sleep(50);
    detail = await showIncident(stack, opened.incident.id);
  }
  const seenAt = Date.now();
  const closings = detail.doors
    .filter((d) => d.closedAt !== undefined)
    .map((d) => Date.parse(d.closedAt as string) - postedAt)
    .sort((a, b) => a - b);
  const last = closings.at(-1) ?? NaN;
  const stillBinding = (
    await Promise.all(lent.map(([dn, password]) => canBind(stack.slapd.url, dn, password)))
  ).filter(Boolean).length;

  console.log(
    `answer: ${answer.status} after ${seconds(answeredAt - postedAt)}, ${opened.closed} closed, ${opened.pending} pending`,
  );
  console.log(
    `doors closed ${closings.length}/${doors}: first ${seconds(closings[0] ?? NaN)}, ` +
      `median ${seconds(closings[Math.floor(closings.length / 2)] ?? NaN)}, last ${seconds(last)} after the POST`,
  );
  console.log(`the API showed every door closed ${seconds(seenAt - postedAt)} after the POST`);
  console.log(`lent passwords still binding: ${stillBinding}/${lent.length}`);
  console.log(
    `POST → last door closed: ${seconds(last)} (target ≤ ${seconds(TARGET_MS)}): ${last <= TARGET_MS ? 'met' : 'MISSED'}`,
  );
  if (!(last <= TARGET_MS) || stillBinding > 0 || closings.length !== doors) process.exitCode = 1;
} finally {
  await stack.stop();
}
