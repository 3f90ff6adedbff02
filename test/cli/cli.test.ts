import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canBind } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { cli, cliProcess, fieldIn, grantIdIn, type CliRun } from './run-cli.js';
import { inDays } from '../helpers/kit.js';

let stack: TestStack;
let dir: string;

beforeAll(async () => {
  // One test stops slapd: a slapd of its own.
  stack = await TestStack.start({}, { ownSlapd: true });
  dir = mkdtempSync(join(tmpdir(), 'supplier-access-cli-'));
}, 120_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

/**
 * The CLI as one person, the stack's URL and their token standing in for the environment. `words` is split
 * on spaces (flags and simple values); `args` are passed as they are (values with spaces).
 */
function as(token: string) {
  return (words: string, ...args: string[]): Promise<CliRun> =>
    cli([...words.split(' '), ...args], { apiUrl: stack.apiUrl, token });
}
const rita = as(TOKENS.requester);
const alice = as(TOKENS.approver);
const ada = as(TOKENS.admin);
const audrey = as(TOKENS.auditor);

function expectOk(run: CliRun): CliRun {
  expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
  return run;
}

/** `grant show --json`, parsed. */
async function shown(id: string): Promise<Record<string, any>> {
  return JSON.parse(expectOk(await audrey(`grant show ${id} --json`)).stdout) as Record<string, any>;
}

/**
 * Waits until the registry shows the grant provisioned: the registry is written by the workflow's activities,
 * and a read right after a `201` has been seen to come before that write.
 */
async function settled(id: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  for (;;) {
    const grant = await shown(id);
    if (grant.events.some((e: { type: string }) => e.type === 'provisioned')) return;
    if (Date.now() > deadline)
      throw new Error(`grant ${id} is not provisioned in the registry: ${grant.status}`);
    await sleep(100);
  }
}

/** A group in the directory for `--group` (LDAP groups are named by their DN). */
async function newGroup(name: string): Promise<string> {
  const dn = `cn=${name},${stack.slapd.groupsDN}`;
  const client = new Client({ url: stack.slapd.url });
  await client.bind(stack.slapd.bindDN, stack.slapd.bindPassword);
  // groupOfNames needs a member: the bind DN stands in until the supplier joins.
  await client.add(dn, { objectClass: 'groupOfNames', cn: name, member: stack.slapd.bindDN });
  await client.unbind();
  return dn;
}

describe('a grant through the CLI, against the real service', () => {
  let id: string;
  let externalId: string;
  let password: string;

  it('creates a grant and prints its one-time credential, flagged as shown once', async () => {
    const run = expectOk(
      await rita(
        'grant create --provider ldap --days 7 --contact-email support@quillon.example --ticket OPS-7',
        ...['--organisation', 'Quillon Walkthrough Ltd', '--reason', 'replace the boiler controller'],
      ),
    );
    id = grantIdIn(run.stdout);
    expect(run.stdout).toContain(`Grant ${id} (active)`);
    expect(fieldIn(run.stdout, 'username')).toBe('sup-quillon-walkthrough-ltd');
    expect(fieldIn(run.stdout, 'ticket')).toBe('OPS-7');
    expect(run.stdout).toContain('shown once');
    externalId = fieldIn(run.stdout, 'external id');
    password = fieldIn(run.stdout, 'password');
    expect(await canBind(stack.slapd.url, externalId, password)).toBe(true);

    // It was handed out with the 201: asking for it again is refused.
    const again = await rita(`grant credential ${id}`);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/^error: .*already handed out.*\(HTTP 409\)$/m);
  });

  it('shows the grant with its event trail, and never the password', async () => {
    await settled(id);
    const run = expectOk(await audrey(`grant show ${id}`));
    expect(run.stdout).toContain(`Grant ${id} (active)`);
    expect(fieldIn(run.stdout, 'organisation')).toBe('Quillon Walkthrough Ltd');
    expect(run.stdout).toMatch(/^\s+\S+Z\s+created\s+rita\b/m);
    expect(run.stdout).toMatch(/^\s+\S+Z\s+provisioned\s+/m);
    expect(run.stdout).not.toContain(password);
  });

  it('extends with four eyes: rita asks, rita may not approve, alice approves', async () => {
    const newExpiry = inDays(14);
    const asked = expectOk(
      await rita(`grant extend ${id} --expires-at ${newExpiry} --reason`, 'parts delayed'),
    );
    expect(asked.stdout).toContain('(extension-requested)');
    expect(fieldIn(asked.stdout, 'pending extension')).toContain(`to ${newExpiry}, asked by rita`);

    const self = await rita(`grant approve ${id}`);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain('(HTTP 403)');

    const approved = expectOk(await alice(`grant approve ${id} --reason`, 'checked with the site'));
    expect(approved.stdout).toContain(`now expires at ${newExpiry}`);
    const grant = await shown(id);
    expect(grant.expiresAt).toBe(newExpiry);
    expect(grant.events.find((e: { type: string }) => e.type === 'extension-approved').actor).toBe('alice');
  });

  it('rejects an extension and keeps the expiry (alice)', async () => {
    const before = await shown(id);
    expectOk(await rita(`grant extend ${id} --expires-at ${inDays(20)} --reason`, 'even more'));
    const rejected = expectOk(await alice(`grant reject ${id} --reason`, 'not justified'));
    expect(rejected.stdout).toContain(`still expires at ${before.expiresAt}`);
  });

  it('shortens (rita): the grant expires earlier, and a later expiry is refused naming the flag', async () => {
    const earlier = inDays(10);
    const run = expectOk(await rita(`grant shorten ${id} --expires-at ${earlier} --reason`, 'contract ends'));
    expect(run.stdout).toContain(`Shortened: the grant now expires at ${earlier}.`);
    const grant = await shown(id);
    expect(grant.expiresAt).toBe(earlier);
    expect(grant.events.find((e: { type: string }) => e.type === 'expiry-shortened').actor).toBe('rita');

    const later = await rita(`grant shorten ${id} --expires-at ${inDays(30)} --reason`, 'more time');
    expect(later.code).toBe(1);
    expect(later.stderr).toContain('--expires-at');
    expect((await shown(id)).expiresAt).toBe(earlier);
  });

  it('lists the registry with filters, one page at a time or all of them', async () => {
    const created = await rita(
      `grant create --provider ldap --expires-at ${inDays(3)} --reason second --organisation`,
      'Quillon Second Supplier',
    );
    const second = grantIdIn(expectOk(created).stdout);
    await settled(second);
    const filters = '--organisation quillon --provider ldap';
    const table = expectOk(await audrey(`grant list ${filters} --status active,extension-requested`));
    expect(table.stdout).toMatch(/^ID\s+PROVIDER\s+USERNAME\s+ORGANISATION\s+STATUS\s+EXPIRES AT\s+ENDED$/m);
    const row = `^${id}\\s+ldap\\s+sup-quillon-walkthrough-ltd\\s+Quillon Walkthrough Ltd\\s+active\\s+\\S+Z$`;
    expect(table.stdout).toMatch(new RegExp(row, 'm'));
    expect(table.stdout).toContain(second);

    expect(expectOk(await audrey(`grant list ${filters} --status revoked`)).stdout).not.toContain(id);
    const soon = expectOk(await audrey(`grant list ${filters} --expires-before ${inDays(5)}`));
    expect(soon.stdout).toContain(second);
    expect(soon.stdout).not.toContain(id);

    // One page of one: the newest (the second grant), and how to go on.
    const page = expectOk(await audrey(`grant list ${filters} --limit 1`));
    expect(page.stdout).toContain(second);
    const cursor = /--cursor (\S+)/.exec(page.stdout)?.[1];
    expect(cursor, page.stdout).toBeDefined();
    const next = expectOk(await audrey(`grant list ${filters} --limit 1 --cursor ${cursor}`));
    expect(next.stdout).toContain(id);

    const all = JSON.parse(expectOk(await audrey(`grant list ${filters} --limit 1 --all --json`)).stdout);
    expect(all.map((g: { id: string }) => g.id)).toEqual([second, id]);
  });

  it('revokes (ada): the account is locked and its password no longer binds', async () => {
    const run = expectOk(await ada(`grant revoke ${id} --reason`, 'work finished early'));
    expect(run.stdout).toContain('Revoked: sup-quillon-walkthrough-ltd is locked');
    expect(run.stdout).toContain(`Grant ${id} (revoked)`);
    expect(await canBind(stack.slapd.url, externalId, password)).toBe(false);
  });

  it('exports the registry as CSV, the closed grant included', async () => {
    const csv = expectOk(await audrey('registry export')).stdout;
    const line = csv.split(/\r?\n/).find((l) => l.includes(id));
    expect(line, csv).toBeDefined();
    expect(line).toContain('sup-quillon-walkthrough-ltd');

    const file = join(dir, 'registry.csv');
    const written = expectOk(await audrey(`registry export --output ${file}`));
    expect(written.stdout).toContain(`Wrote the registry to ${file}`);
    expect(readFileSync(file, 'utf8')).toBe(csv);
  });

  it('runs an access review (ada) and shows the latest to anyone, as a table or CSV', async () => {
    const refused = await audrey('review run');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(HTTP 403)');
    const run = expectOk(await ada('review run --all'));
    expect(run.stdout).toMatch(/ldap: \d+ accounts/);
    expect(run.stdout).toMatch(/sup-quillon-walkthrough-ltd +no +none +closed +none/);
    const latest = expectOk(await audrey('review latest --all')).stdout;
    expect(latest).toContain('sup-quillon-walkthrough-ltd');
    const csv = expectOk(await audrey('review latest --csv')).stdout;
    expect(csv.split(/\r?\n/)[0]).toBe(
      'provider,username,displayName,enabled,expiresAt,coveredByGrant,grantId,grantStatus,grantExpiresAt,finding,action,error,supplierId',
    );
    const report = JSON.parse(expectOk(await audrey('--json review latest')).stdout) as { id: string };
    expect(expectOk(await audrey(`review show ${report.id}`)).stdout).toContain(`Review ${report.id}`);
  });
});

describe('the CLI on other answers', () => {
  it('prints the API JSON as-is with --json, wherever the flag is', async () => {
    const groups = [await newGroup('printers'), await newGroup('scanners')];
    const run = await rita(
      `--json grant create --provider ldap --days 2 --reason json --group ${groups[0]} --group ${groups[1]}`,
      ...['--organisation', 'Json Output GmbH'],
    );
    const created = JSON.parse(expectOk(run).stdout);
    expect(created.status).toBe('active');
    expect(created.groups).toEqual(groups);
    expect(created.credential.username).toBe('sup-json-output-gmbh');
    await settled(created.id);
    const grant = await shown(created.id);
    expect(grant.events.map((e: { type: string }) => e.type)).toEqual(['created', 'provisioned']);
    expect(grant.credential).toBeUndefined();

    const listed = JSON.parse(
      expectOk(await audrey('grant list --json --organisation', 'json output')).stdout,
    );
    expect(listed.map((g: { id: string }) => g.id)).toEqual([created.id]);
  });

  it('prints the field and the rule of a 400 next to the flag to change, and exits 1', async () => {
    const run = await rita('grant create --provider ldap --days 365 --reason r --organisation', '   ');
    expect(run.code).toBe(1);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^error: .*\(HTTP 400\)$/m);
    expect(run.stderr).toContain('  --organisation / supplier.organisation: must not be empty\n');
    expect(run.stderr).toContain('  --days / durationDays: must be at most MAX_GRANT_DAYS (90)\n');
  });

  it('exits 1 on a 401 and never echoes the token', async () => {
    const wrong = 'not-the-right-token-7f3a9c';
    const fromEnv = await cli(['grant', 'list'], { apiUrl: stack.apiUrl, token: wrong });
    const fromFlag = await cli(['--token', wrong, 'grant', 'show', id0], { apiUrl: stack.apiUrl });
    for (const run of [fromEnv, fromFlag]) {
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('(HTTP 401)');
      expect(run.stdout + run.stderr).not.toContain(wrong);
    }
  });

  it('takes --token and --api-url over the environment', async () => {
    const run = await cli(['grant', 'show', id0, '--token', TOKENS.auditor, '--api-url', stack.apiUrl], {
      apiUrl: 'http://127.0.0.1:9',
      token: 'stale-token-0123456789',
    });
    // Reached, with the flag's token: the grant does not exist (404), which is neither 401 nor unreachable.
    expect(run.code).toBe(1);
    expect(run.stderr).toContain('(HTTP 404)');
  });

  it('says the account is still being created on a 202, and how to fetch the credential later', async () => {
    await stack.slapd.stop();
    let id: string;
    try {
      const run = await rita(
        'grant create --provider ldap --days 2 --reason outage --organisation',
        'Patient Pipes',
      );
      id = grantIdIn(expectOk(run).stdout);
      expect(run.stdout).toContain(`Grant ${id} (provisioning)`);
      expect(run.stdout).toContain('still being created');
      expect(run.stdout).toContain(`  supplier-access grant credential ${id}\n`);
      expect(run.stdout).not.toContain('password');
    } finally {
      await stack.slapd.start();
    }
    let claimed = await rita(`grant credential ${id}`);
    // Provisioning resumes on the workflow's next retry: ask again while it is on its way.
    for (let i = 0; i < 10 && claimed.stdout.includes('still being created'); i++)
      claimed = await rita(`grant credential ${id}`);
    expect(expectOk(claimed).stdout).toContain(`Grant ${id} (active)`);
    expect(claimed.stdout).toContain('shown once');
    const [dn, secret] = [fieldIn(claimed.stdout, 'external id'), fieldIn(claimed.stdout, 'password')];
    expect(await canBind(stack.slapd.url, dn, secret)).toBe(true);
  });

  it('reads SUPPLIER_ACCESS_URL and SUPPLIER_ACCESS_TOKEN when run as a process', async () => {
    const run = await cliProcess(['grant', 'list', '--json', '--limit', '1'], {
      SUPPLIER_ACCESS_URL: stack.apiUrl,
      SUPPLIER_ACCESS_TOKEN: TOKENS.auditor,
    });
    expect(run.code, run.stderr).toBe(0);
    expect(JSON.parse(run.stdout)).toHaveLength(1);
  });
});

/** A grant id that exists nowhere. */
const id0 = '00000000-0000-4000-8000-000000000000';

describe('a service credential through the CLI', () => {
  it('grant create --kind service prints the integration secret once, and it binds with no change asked', async () => {
    const run = expectOk(
      await rita(
        'grant create --provider ldap --days 7 --kind service',
        ...['--organisation', 'Quillon Integrations Ltd', '--reason', 'nightly stock export'],
      ),
    );
    const id = grantIdIn(run.stdout);
    expect(fieldIn(run.stdout, 'username')).toBe('sup-quillon-integrations-ltd-svc');
    expect(run.stdout).toContain('shown once');
    const secret = fieldIn(run.stdout, 'password');
    expect(await canBind(stack.slapd.url, fieldIn(run.stdout, 'external id'), secret)).toBe(true);
    expect((await shown(id)).door).toBe('service');

    const refused = await rita(
      'grant create --provider ldap --days 7 --kind robot',
      ...['--organisation', 'Quillon Integrations Ltd', '--reason', 'nightly stock export'],
    );
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toContain('--kind');
  });
});
