import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { supplierKey } from '../../domain/naming.js';
import { listDNs, readEntry } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { cli, grantIdIn, type CliRun } from './run-cli.js';

let stack: TestStack;
let work: string;

beforeAll(async () => {
  // The opening waits for its doors up to this long: one LDAP grant closes in well under it.
  stack = await TestStack.start({ API_ANSWER_WITHIN: '30s' });
  work = mkdtempSync(join(tmpdir(), 'cli-incidents-'));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (work) rmSync(work, { recursive: true, force: true });
});

/** The CLI as one person; `args` are passed as they are. */
const as =
  (token: string) =>
  (...args: string[]): Promise<CliRun> =>
    cli(args, { apiUrl: stack.apiUrl, token });
const rita = as(TOKENS.requester);
const ada = as(TOKENS.admin);
const audrey = as(TOKENS.auditor);

function expectOk(run: CliRun): CliRun {
  expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
  return run;
}

/** A refusal for a blocked supplier: exit 1, the incident named, and how to lift the block. */
function expectBlocked(run: CliRun, incidentId: string, supplierId: string): void {
  expect(run.code, run.stdout).toBe(1);
  expect(run.stderr).toContain(
    `is blocked by incident ${incidentId}; an admin must lift the block first (HTTP 409)`,
  );
  expect(run.stderr).toContain(`supplier-access incident show ${incidentId}`);
  expect(run.stderr).toContain(`supplier-access supplier unblock ${supplierId} --reason <text>`);
}

interface OpenedDoor {
  kind: string;
  action: string;
  status: string;
  closedAt?: string;
  doorId: string;
}

describe('a breached supplier through the CLI, against the real service', () => {
  const legalName = 'Incident Cli Plomberie inc.';
  const key = supplierKey(legalName);
  let supplierId: string;
  let grantId: string;
  let incidentId: string;

  it('opens the incident: the grant is revoked, the manual door flagged, the supplier blocked', async () => {
    const added = expectOk(await rita('supplier', 'add', '--legal-name', legalName, '--sponsor-name', 'Sam'));
    supplierId = /^Supplier ([0-9a-f-]{36})$/m.exec(added.stdout)?.[1] ?? '';
    const granted = expectOk(
      await rita(
        'grant',
        'create',
        '--provider',
        'ldap',
        '--supplier',
        supplierId,
        '--days',
        '7',
        '--reason',
        'Boiler',
      ),
    );
    grantId = grantIdIn(granted.stdout);
    expectOk(
      await rita(
        'manual',
        'add',
        '--supplier',
        supplierId,
        '--what',
        'Zapier connection',
        '--where',
        'zapier.com',
        '--custodian',
        'carl',
        '--days',
        '10',
        '--reason',
        'CRM import',
      ),
    );

    const discoveredAt = new Date(Date.now() - 60_000).toISOString();
    const started = Date.now();
    const opened = expectOk(
      await ada(
        '--json',
        'incident',
        'open',
        supplierId,
        '--reason',
        'Ransomware',
        '--discovered-at',
        discoveredAt,
      ),
    );
    const answer = JSON.parse(opened.stdout) as {
      incident: { id: string; doors: string };
      doors: OpenedDoor[];
      closed: number;
      pending: number;
    };
    incidentId = answer.incident.id;
    const byKind = Object.fromEntries(answer.doors.map((d) => [d.kind, d]));
    expect(byKind.account).toMatchObject({ doorId: grantId, action: 'revoke', status: 'closed' });
    expect(Date.parse(byKind.account!.closedAt ?? '')).not.toBeNaN();
    // A manual door is flagged to its custodian; it stays open until someone attests it closed.
    expect(byKind.manual).toMatchObject({ action: 'flag', status: 'pending' });
    expect(answer).toMatchObject({ closed: 1, pending: 1 });
    // The answer came once the grant closed: it does not wait out API_ANSWER_WITHIN (30 s) for a person to attest
    // the manual door.
    expect(Date.now() - started).toBeLessThan(20_000);

    // The account is locked in the directory itself.
    const dns = await listDNs(stack.slapd);
    const dn = dns.find((d) => d.startsWith(`uid=sup-${key}`));
    expect(dn, dns.join('\n')).toBeDefined();
    expect((await readEntry(stack.slapd, dn!))?.pwdAccountLockedTime).toEqual(['000001010000Z']);
    const shown = expectOk(await audrey('supplier', 'show', supplierId));
    expect(shown.stdout).toMatch(/revoked/);
  }, 120_000);

  it('refuses every new door for the blocked supplier and leaves nothing behind', async () => {
    const before = (await stack.allGrants()).length;
    expectBlocked(
      await rita(
        'grant',
        'create',
        '--provider',
        'ldap',
        '--supplier',
        supplierId,
        '--kind',
        'service',
        '--days',
        '7',
        '--reason',
        'Integration',
      ),
      incidentId,
      supplierId,
    );
    expectBlocked(
      await rita(
        'grant',
        'create',
        '--provider',
        'ldap',
        '--organisation',
        legalName.toUpperCase(),
        '--days',
        '7',
        '--reason',
        'x',
      ),
      incidentId,
      supplierId,
    );
    expectBlocked(
      await rita(
        'manual',
        'add',
        '--supplier',
        supplierId,
        '--what',
        'Webhook',
        '--where',
        'host.example',
        '--custodian',
        'carl',
        '--days',
        '3',
        '--reason',
        'x',
      ),
      incidentId,
      supplierId,
    );
    // No service account was made in the directory, no grant recorded, no workflow started.
    expect((await listDNs(stack.slapd)).filter((dn) => dn.includes(`${key}-svc`))).toEqual([]);
    expect((await stack.allGrants()).length).toBe(before);
    expect(stack.listWorkflows(`WorkflowType = 'grantWorkflow'`)).toHaveLength(1);
  }, 120_000);

  it('shows, completes, lists and exports the register entry; only auditors and admins read it', async () => {
    const updated = expectOk(
      await ada('incident', 'update', incidentId, '--persons-concerned', '12', '--serious-risk', 'yes'),
    );
    expect(updated.stdout).toContain('Incident updated.');
    expect(updated.stdout).toMatch(/persons concerned\s+12/);
    expect(updated.stdout).toMatch(
      /updated\s+ada\s+personsConcerned: \(unknown\) -> 12; seriousRisk: \(unknown\) -> true/,
    );
    const cleared = expectOk(await ada('incident', 'update', incidentId, '--clear', 'seriousRisk'));
    expect(cleared.stdout).toMatch(/seriousRisk: true -> \(unknown\)/);

    const shown = expectOk(await audrey('incident', 'show', incidentId));
    expect(shown.stdout).toMatch(/Doors it closes/);
    expect(shown.stdout).toMatch(/account\s+sup-\S+\s+ldap\s+revoke\s+closed/);
    expect(shown.stdout).toMatch(/Doors held during the period/);
    expect(shown.stdout).toMatch(/supplier-blocked\s+ada/);
    expect(shown.stdout).toMatch(/revision\s+2/);

    expect(expectOk(await audrey('incident', 'list', '--supplier', supplierId)).stdout).toContain(incidentId);
    const refused = await rita('incident', 'list');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(HTTP 403)');

    const file = join(work, 'incidents.json');
    expectOk(await audrey('incident', 'export', '--format', 'json', '--out', file, '--supplier', supplierId));
    const exported = JSON.parse(readFileSync(file, 'utf8')) as { incidents: { incident: { id: string } }[] };
    expect(exported.incidents.map((d) => d.incident.id)).toEqual([incidentId]);
    const csv = expectOk(await audrey('incident', 'export'));
    expect(csv.stdout.split('\n')[0]).toMatch(/^id,supplierId,supplier,reason,discoveredAt,/);
    expect(csv.stdout).toContain(incidentId);

    const internal = expectOk(
      await ada(
        'incident',
        'create',
        '--reason',
        'Clerk account abused',
        '--discovered-at',
        new Date().toISOString(),
      ),
    );
    expect(internal.stdout).toMatch(/supplier\s+\(internal\)/);
  }, 120_000);

  it('an admin lifts the block; the supplier may have doors again', async () => {
    const denied = await rita('supplier', 'unblock', supplierId, '--reason', 'over');
    expect(denied.code).toBe(1);
    const lifted = expectOk(await ada('supplier', 'unblock', supplierId, '--reason', 'Audit passed'));
    expect(lifted.stdout).toContain('Block lifted.');
    const door = expectOk(
      await rita(
        'manual',
        'add',
        '--supplier',
        supplierId,
        '--what',
        'Webhook',
        '--where',
        'host.example',
        '--custodian',
        'carl',
        '--days',
        '3',
        '--reason',
        'new contract',
      ),
    );
    expect(door.stdout).toMatch(/^Manual door /m);
    const again = await ada('supplier', 'unblock', supplierId, '--reason', 'again');
    expect(again.stderr).toContain(`supplier ${legalName} is not blocked (HTTP 409)`);
  }, 120_000);
});
