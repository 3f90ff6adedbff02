import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { at, HOUR } from '../registry/grants.js';
import { ACME, BETA, ids, REQUESTER, startDoorsApp, type DoorsApp } from '../api/doors-fixture.js';
import { cli } from './run-cli.js';

/** `doors` and `doors --csv` over HTTP, against the API over a registry with doors of every kind. */
describe('the open doors through the CLI', () => {
  let doors: DoorsApp;
  let apiUrl: string;

  beforeAll(async () => {
    doors = await startDoorsApp();
    apiUrl = await doors.app.listen({ host: '127.0.0.1', port: 0 });
  });
  afterAll(async () => {
    await doors?.close();
  });

  const run = (...args: string[]) => cli(args, { apiUrl, token: REQUESTER });

  it('prints the totals, then each supplier with its account grant, lend and manual door', async () => {
    const { code, stdout, stderr } = await run('doors');
    expect(code, stderr).toBe(0);
    expect(stdout).toMatch(/^4 door\(s\) open at .* \(2 account, 1 lend, 0 service, 1 manual\)$/m);
    expect(stdout).toContain(`Acme Supplies inc. (${ACME}): 1 account, 1 lend, 0 service, 0 manual`);
    expect(stdout).toContain(`Béta Conseil (${BETA}): 1 account, 0 lend, 0 service, 1 manual`);
    expect(stdout).toMatch(new RegExp(`lend +${ids.lend} +ldap webadmin +active`));
    expect(stdout).toContain('Zapier connection to the CRM at zapier.com, team workspace (custodian carol)');
  });

  it('answers for an instant and a supplier, and as CSV one row per door', async () => {
    const past = await run('doors', '--active-at', at(2 * HOUR), '--supplier', BETA);
    expect(past.code, past.stderr).toBe(0);
    expect(past.stdout).toContain(ids.closed);
    expect(past.stdout).not.toContain(ids.later);
    expect(past.stdout).not.toContain('Acme');

    const csv = await run('doors', '--csv');
    expect(csv.code, csv.stderr).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^supplierId,supplier,kind,id,/);
    expect(lines).toHaveLength(5);
    expect(csv.stdout).toContain(`${BETA},Béta Conseil,manual,${ids.manual}`);
  });

  it('names the field of a malformed instant', async () => {
    const bad = await run('doors', '--active-at', 'yesterday');
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('activeAt');
  });
});
