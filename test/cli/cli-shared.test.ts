import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { token } from '../helpers/kit.js';
import { canBind } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { cli, grantIdIn, type CliRun } from './run-cli.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The CLI as one person; `args` are passed as they are. Audrey (an auditor) is the shared account's custodian. */
const as =
  (who: string) =>
  (...args: string[]): Promise<CliRun> =>
    cli(args, { apiUrl: stack.apiUrl, token: who });
const ada = as(TOKENS.admin);
const rita = as(TOKENS.requester);
const rob = as(TOKENS.requester2);
const audrey = as(TOKENS.auditor);

function expectOk(run: CliRun): CliRun {
  expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
  return run;
}

/** The site's admin account, made by hand long before supplier-access, with the password its custodian knows. */
async function staffAccount(password: string): Promise<string> {
  const uid = `site-admin-${token()}`;
  const dn = `uid=${uid},${stack.slapd.usersDN}`;
  const client = new Client({ url: stack.slapd.url });
  try {
    await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
    await client.add(dn, {
      objectClass: 'inetOrgPerson',
      uid,
      cn: 'Site admin',
      sn: 'Admin',
      userPassword: password,
    });
  } finally {
    await client.unbind();
  }
  return dn;
}

/**
 * An entry at the DN supplier-access binds with, as a directory where that account is an entry has (slapd's rootdn
 * needs none). Shared by the run's stacks: one may have made it already.
 */
async function bindAccountEntry(): Promise<void> {
  const client = new Client({ url: stack.slapd.url });
  try {
    await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
    await client.add(stack.slapd.bindDN, { objectClass: 'inetOrgPerson', cn: 'admin', sn: 'Service' });
  } catch (err) {
    if ((err as { code?: number }).code !== 68) throw err; // entryAlreadyExists
  } finally {
    await client.unbind();
  }
}

/** Waits until a password waits for the custodian (the rotation after a lend or on demand runs in the worker). */
async function passwordWaits(id: string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    const shown = JSON.parse(expectOk(await audrey('--json', 'shared', 'show', id)).stdout) as {
      credentialWaiting: boolean;
    };
    if (shown.credentialWaiting) return;
    await sleep(250);
  }
  throw new Error(`no password came to wait for the custodian of ${id}`);
}

/** The password `shared claim` printed. */
const passwordIn = (output: string) => /^\s*password\s{2,}(\S+)$/m.exec(output)?.[1] ?? '';

describe('shared accounts through the CLI, against the real service', () => {
  let id = '';
  let dn = '';

  it('registers an existing account; a second registration names the first, a requester may not', async () => {
    dn = await staffAccount('Known-to-audrey-1');
    const added = expectOk(
      await ada(
        'shared',
        'add',
        '--provider',
        'ldap',
        '--account',
        dn,
        '--label',
        'Website admin',
        '--custodian',
        'audrey',
        '--rotate-every-days',
        '90',
      ),
    );
    id = /^Shared account ([0-9a-f-]{36})$/m.exec(added.stdout)?.[1] ?? '';
    expect(id).not.toBe('');
    expect(added.stdout).toMatch(/custodian +audrey/);
    expect(added.stdout).toMatch(/rotation +every 90 days while not lent/);
    expect(added.stdout).toContain(`shared lend ${id}`);

    const again = await ada(
      'shared',
      'add',
      '--provider',
      'ldap',
      '--account',
      dn,
      '--label',
      'x',
      '--custodian',
      'a',
    );
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('(HTTP 409)');
    expect(again.stderr).toContain(`registered as shared account ${id}`);

    const nobody = await ada(
      'shared',
      'add',
      '--provider',
      'ldap',
      '--account',
      `uid=nobody-${token()},${stack.slapd.usersDN}`,
      '--label',
      'x',
      '--custodian',
      'a',
    );
    expect(nobody.code).toBe(1);
    expect(nobody.stderr).toContain('--account / account: must be the DN of an existing directory account');
    // Checked before the directory is asked anything.
    const never = await ada(
      'shared',
      'add',
      '--provider',
      'ldap',
      '--account',
      dn,
      '--label',
      'x',
      '--custodian',
      'a',
      '--rotate-every-days',
      '0',
    );
    expect(never.code).toBe(1);
    expect(never.stderr).toContain('--rotate-every-days / rotationIntervalDays: must be at least 1');

    // Lending the service's own bind account would rotate the service out of its directory.
    await bindAccountEntry();
    const own = stack.slapd.bindDN.toUpperCase().replace(/,/g, ', ');
    const ownAccount = await ada(
      'shared',
      'add',
      '--provider',
      'ldap',
      '--account',
      own,
      '--label',
      'x',
      '--custodian',
      'a',
    );
    expect(ownAccount.code).toBe(1);
    expect(ownAccount.stderr).toContain(
      '--account / account: must not be the account supplier-access itself binds with',
    );

    const refused = await rita(
      'shared',
      'add',
      '--provider',
      'ldap',
      '--account',
      dn,
      '--label',
      'x',
      '--custodian',
      'a',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(HTTP 403)');
    expect(expectOk(await audrey('shared', 'list', '--provider', 'ldap')).stdout).toContain(id);
  });

  it('lends it once, with its new password shown once; a second lend names the holder', async () => {
    expect((await rita('shared', 'lend', id, '--days', '3', '--reason', 'r')).code).toBe(2);
    const both = await rita(
      'shared',
      'lend',
      id,
      '--organisation',
      'X',
      '--until',
      '2099-01-01T00:00:00Z',
      '--days',
      '3',
      '--reason',
      'r',
    );
    expect(both.code).toBe(2);

    const lent = expectOk(
      await rita(
        'shared',
        'lend',
        id,
        '--organisation',
        'Vitrine Cli',
        '--days',
        '3',
        '--reason',
        'Theme upgrade',
      ),
    );
    const lendId = grantIdIn(lent.stdout);
    expect(lent.stdout).toContain('shown once');
    const password = passwordIn(lent.stdout);
    expect(await canBind(stack.slapd.url, dn, password)).toBe(true);
    expect(await canBind(stack.slapd.url, dn, 'Known-to-audrey-1')).toBe(false);

    const second = await rob(
      'shared',
      'lend',
      id,
      '--organisation',
      'Other Firm',
      '--days',
      '1',
      '--reason',
      'r',
    );
    expect(second.code).toBe(1);
    expect(second.stderr).toContain('(HTTP 409)');
    expect(second.stderr).toContain('Vitrine Cli');

    const shown = expectOk(await audrey('shared', 'show', id)).stdout;
    expect(shown).toMatch(new RegExp(`lent to +Vitrine Cli until \\S+ \\(lend ${lendId}\\)`));
    expect(shown).not.toContain(password);
    expect(expectOk(await audrey('shared', 'lends', id)).stdout).toContain(lendId);
    // The lend is a grant: the grant commands show it.
    expect(expectOk(await audrey('grant', 'show', lendId)).stdout).toContain(`Grant ${lendId} (active)`);

    const notTheirs = await rob('shared', 'return', id, '--reason', 'x');
    expect(notTheirs.code).toBe(1);
    expect(notTheirs.stderr).toContain('(HTTP 403)');
    const returned = expectOk(await rita('shared', 'return', id, '--reason', 'upgrade done'));
    expect(returned.stdout).toContain('Returned');
    expect(await canBind(stack.slapd.url, dn, password)).toBe(false);
  });

  it("hands the custodian the new password once, or throws it away unseen; rotates on the custodian's word", async () => {
    await passwordWaits(id);
    expect((await rob('shared', 'claim', id)).code).toBe(1);
    const claimed = expectOk(await audrey('shared', 'claim', id));
    expect(claimed.stdout).toContain('shown once');
    const password = passwordIn(claimed.stdout);
    expect(await canBind(stack.slapd.url, dn, password)).toBe(true);
    const twice = await audrey('shared', 'claim', id);
    expect(twice.code).toBe(1);
    expect(twice.stderr).toContain('(HTTP 404)');

    expect(expectOk(await audrey('shared', 'rotate', id)).stdout).toContain(`shared claim ${id}`);
    await passwordWaits(id);
    expect(expectOk(await audrey('shared', 'discard', id)).stdout).toContain('thrown away unseen');
    expect((await audrey('shared', 'claim', id)).stderr).toContain('(HTTP 404)');
    expect(await canBind(stack.slapd.url, dn, password)).toBe(false);

    const updated = expectOk(
      await ada('shared', 'update', id, '--label', 'Site admin', '--no-scheduled-rotation'),
    ).stdout;
    expect(updated).toMatch(/label +Site admin/);
    expect(updated).toMatch(/rotation +around lends only/);
    expect((await ada('shared', 'update', id, '--custodian-email', 'a@corp.example')).code).toBe(2);
  });

  it('right after a return, a rotation waits for the return rotation: refused as rotating, never as lent', async () => {
    expectOk(
      await rita('shared', 'lend', id, '--organisation', 'Vitrine Cli', '--days', '1', '--reason', 'again'),
    );
    expectOk(await rita('shared', 'return', id, '--reason', 'done'));
    const deadline = Date.now() + 60_000;
    let rotated: CliRun | undefined;
    while (Date.now() < deadline) {
      const answer = await audrey('shared', 'rotate', id);
      if (answer.code === 0) {
        rotated = answer;
        break;
      }
      expect(answer.stderr).toContain('the password is being rotated; try again shortly');
      await sleep(100);
    }
    expect(rotated, 'the rotation started once the return rotation was done').toBeDefined();
  });
});
