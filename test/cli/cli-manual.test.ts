import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CUSTODIAN, LEND_TOKENS, TestStack, TOKENS } from '../helpers/stack.js';
import { cli, type CliRun } from './run-cli.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const as =
  (who: string) =>
  (...args: string[]): Promise<CliRun> =>
    cli(args, { apiUrl: stack.apiUrl, token: who });
const rita = as(TOKENS.requester);
const rob = as(TOKENS.requester2);
const audrey = as(TOKENS.auditor);
const carl = as(LEND_TOKENS.custodian);

function expectOk(run: CliRun): CliRun {
  expect(run.code, `stdout:\n${run.stdout}\nstderr:\n${run.stderr}`).toBe(0);
  return run;
}

describe('manual doors through the CLI', () => {
  it('adds a door, lists and shows it, and its custodian attests it closed', async () => {
    const added = expectOk(
      await rita(
        'manual',
        'add',
        '--organisation',
        'Hooked Hosting',
        '--what',
        'Deploy webhook at the hosting provider',
        '--where',
        'hosting.example, project "shop"',
        '--custodian',
        CUSTODIAN,
        '--days',
        '14',
        '--reason',
        'Deploys during the launch',
      ),
    );
    const id = /Manual door ([0-9a-f-]{36})/.exec(added.stdout)?.[1];
    expect(id, added.stdout).toBeTruthy();
    expect(added.stdout).toContain(`supplier-access manual attest ${id}`);

    const listed = expectOk(await audrey('manual', 'list', '--status', 'open'));
    expect(listed.stdout).toContain(id);
    expect(listed.stdout).toContain('Deploy webhook at the hosting provider');

    const refused = await rob('manual', 'attest', id!, '--note', 'not mine');
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain(`custodian (${CUSTODIAN}) or an admin`);

    const attested = expectOk(await carl('manual', 'attest', id!, '--note', 'Deleted the webhook'));
    expect(attested.stdout).toContain('Attested closed.');
    expect(attested.stdout).toMatch(/status\s+closed/);

    const shown = expectOk(await audrey('manual', 'show', id!));
    expect(shown.stdout).toMatch(/note\s+Deleted the webhook/);
    expect(shown.stdout).toMatch(/attested-closed\s+carl\s+note=Deleted the webhook/);
    expect(expectOk(await audrey('manual', 'list', '--status', 'open')).stdout).not.toContain(id);

    const bad = await rita(
      'manual',
      'add',
      '--organisation',
      'X',
      '--what',
      'w',
      '--where',
      'w',
      '--custodian',
      'c',
      '--days',
      '400',
      '--reason',
      'r',
    );
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('durationDays');
  }, 120_000);
});
