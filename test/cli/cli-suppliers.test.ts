import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inDays } from '../helpers/kit.js';
import { TestStack, TOKENS } from '../helpers/stack.js';
import { cli, grantIdIn, type CliRun } from './run-cli.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The CLI as one person; `args` are passed as they are. */
const as =
  (token: string) =>
  (...args: string[]): Promise<CliRun> =>
    cli(args, { apiUrl: stack.apiUrl, token });
const rita = as(TOKENS.requester);
const audrey = as(TOKENS.auditor);

function expectOk(run: CliRun): CliRun {
  expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
  return run;
}

describe('suppliers through the CLI, against the real service', () => {
  let supplierId: string;

  it('registers a supplier and says how to grant it access; another spelling names the registered one', async () => {
    const added = expectOk(
      await rita(
        'supplier',
        'add',
        '--legal-name',
        'Ørsted Cli A/S',
        '--sponsor-name',
        'Sam Sponsor',
        '--sponsor-email',
        'sam@corp.example',
        '--contact-email',
        'drift@orsted.example',
        '--contract-end',
        inDays(30),
      ),
    );
    supplierId = /^Supplier ([0-9a-f-]{36})$/m.exec(added.stdout)?.[1] ?? '';
    expect(supplierId).not.toBe('');
    expect(added.stdout).toMatch(/key +orsted-cli-a-s/);
    expect(added.stdout).toContain(`grant create --supplier ${supplierId}`);

    const again = await rita('supplier', 'add', '--legal-name', 'ORSTED CLI A/S', '--sponsor-name', 'Sam');
    expect(again.code).toBe(1);
    expect(again.stderr).toContain('(HTTP 409)');
    expect(again.stderr).toContain(`grant create --supplier ${supplierId}`);

    const refused = await audrey('supplier', 'add', '--legal-name', 'Auditor Firm', '--sponsor-name', 'A');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('(HTTP 403)');
  });

  it('grants the supplier by --supplier, lists its grants, and shows it with them', async () => {
    const created = expectOk(
      await rita(
        'grant',
        'create',
        '--provider',
        'ldap',
        '--supplier',
        supplierId,
        '--days',
        '3',
        '--reason',
        'wind',
      ),
    );
    const grantId = grantIdIn(created.stdout);
    expect(created.stdout).toMatch(new RegExp(`supplier +${supplierId}`));

    const listed = expectOk(await audrey('--json', 'grant', 'list', '--supplier', supplierId)).stdout;
    expect((JSON.parse(listed) as { id: string }[]).map((g) => g.id)).toEqual([grantId]);

    const shown = expectOk(await audrey('supplier', 'show', supplierId)).stdout;
    expect(shown).toMatch(/legal name +Ørsted Cli A\/S/);
    expect(shown).toMatch(/sponsor +Sam Sponsor <sam@corp.example>/);
    expect(shown).toContain('Grants');
    expect(shown).toMatch(new RegExp(`${grantId} +ldap +\\S+ +Ørsted Cli A/S +active`));

    const found = expectOk(await audrey('supplier', 'list', '--name', 'orsted cli')).stdout;
    expect(found).toMatch(/^ID +LEGAL NAME +SPONSOR +CONTRACT END$/m);
    expect(found).toContain(supplierId);
  });

  it('moves the contract end; a grant past it is then refused, naming the flag', async () => {
    const end = inDays(2);
    const updated = expectOk(
      await rita('supplier', 'update', supplierId, '--contract-end', end, '--notes', 'short'),
    );
    expect(updated.stdout).toContain('Supplier updated.');
    const shown = JSON.parse(expectOk(await audrey('--json', 'supplier', 'show', supplierId)).stdout) as {
      contractEnd: string;
      notes: string;
    };
    expect(shown).toMatchObject({ contractEnd: end, notes: 'short' });

    const refused = await rita(
      'grant',
      'create',
      '--provider',
      'ldap',
      '--supplier',
      supplierId,
      '--days',
      '5',
      '--reason',
      'x',
    );
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/--days \/ durationDays: must not be after the supplier's contract end/);

    const cleared = expectOk(await rita('--json', 'supplier', 'update', supplierId, '--clear-notes'));
    expect(JSON.parse(cleared.stdout)).not.toHaveProperty('notes');
  });
});
