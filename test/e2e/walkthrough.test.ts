import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../../src/local-stack/tools.js';

/**
 * The README's walkthrough, run as a newcomer would type it: the service started with the README's tokens,
 * then its commands in a shell, from the project folder. Only the port (8080 may be taken here) and the data
 * dir (a throwaway one instead of `.data/`) differ.
 */
const root = projectRoot();
const readme = readFileSync(join(root, 'README.md'), 'utf8');
const start = readme.indexOf('## Walkthrough');
const walkthrough = readme.slice(start, readme.indexOf('\n## ', start + 1));
const [startBlock = '', commands = '', lendCommands = '', incidentCommands = ''] = [
  ...walkthrough.matchAll(/```sh\n([\s\S]*?)```/g),
].map((m) => m[1]);
const dataDir = join(mkdtempSync(join(tmpdir(), 'supplier-access-walkthrough-')), 'data');
let service: ChildProcess | undefined;

afterAll(async () => {
  if (service && service.exitCode === null && service.signalCode === null) {
    const exited = new Promise((resolve) => service!.once('exit', resolve));
    service.kill('SIGTERM');
    await exited;
  }
  rmSync(join(dataDir, '..'), { recursive: true, force: true });
});

async function startAsTheReadmeSays(): Promise<string> {
  const tokens = /API_TOKENS='([^']+)'/.exec(startBlock)?.[1];
  expect(startBlock).toContain('bash scripts/start.sh');
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: root,
    env: { ...process.env, API_TOKENS: tokens, DATA_DIR: dataDir, PORT: '0' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  service = child;
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 90_000);
    child.stdout?.on('data', () => {
      const url = /API:\s+(http:\/\/\S+)[\s\S]*worker:/.exec(output)?.[1];
      if (!url) return;
      clearTimeout(timer);
      resolve(url);
    });
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}:\n${output}`)));
  });
}

it('runs as written: grant, directory entry, four eyes, revoke, event trail, decrypted history, a lend, an incident', async () => {
  const apiUrl = await startAsTheReadmeSays();
  expect(commands).toContain('API=http://127.0.0.1:8080\n');
  expect(lendCommands).toContain('/lends');
  expect(incidentCommands).toContain('/incident');
  // The lend's and the incident's commands continue in the same terminal, with the variables of the first ones.
  const script = `${commands}\n${lendCommands}\n${incidentCommands}`
    .replace('API=http://127.0.0.1:8080\n', `API=${apiUrl}\n`)
    .replaceAll('.data/', `${dataDir}/`);
  const { stdout } = await promisify(execFile)('bash', ['-c', `set -euo pipefail\n${script}`], {
    cwd: root,
    env: { ...process.env, DATA_DIR: dataDir },
    maxBuffer: 16 * 1024 * 1024,
  });

  // 1: the grant, with its one-time password. 2: the entry in the directory, with its expiry.
  expect(stdout).toMatch(/"credential":\{"username":"sup-plomberie-cote-and-fils-inc","password":/);
  expect(stdout).toMatch(/^uid: sup-plomberie-cote-and-fils-inc$/m);
  expect(stdout).toMatch(/^pwdEndTime: \d{14}Z$/m);
  // 3: the four-eyes rule itself refuses bob, who holds the approver role, not a missing role.
  expect(stdout).toContain('approved by someone other than the person who requested it');
  expect(stdout).not.toMatch(/may not approve here/);
  // 4, 5: revoked, with who did what.
  expect(stdout).toMatch(/"status":"revoked"/);
  expect(stdout).toMatch(/"extension-approved"[^}]*"actor":"alice"/);
  // 6: the history through the codec endpoint shows what Temporal only holds encrypted.
  expect(stdout).toContain('Replace the boiler controller');
  // 7–11: the shared account's password changed before the hand-over and at the return; the custodian's claim
  // answers once, the second time with a problem; the lend is in the registry.
  expect(stdout).toContain('the old password: refused');
  expect(stdout).toMatch(/^dn:uid=site-admin,ou=staff,dc=supplier-access,dc=local$/m);
  expect(stdout).toContain("the supplier's password: refused");
  expect(stdout.match(/"credential":\{"username":"site-admin","password":/g)).toHaveLength(2);
  expect(stdout).toMatch(/"door":"lend"/);
  // 12–18: the incident closes the new grant and flags the manual door, the supplier is blocked, the entry is
  // completed and exported with the register's columns.
  expect(stdout).toMatch(/"action":"revoke"/);
  expect(stdout).toMatch(/"action":"flag"/);
  expect(stdout).toMatch(/is blocked by incident [^;]+; an admin must lift the block first/);
  expect(stdout).toMatch(/"personsConcerned":40/);
  expect(stdout).toMatch(/^[^\n]*personalInformation[^\n]*personsConcerned[^\n]*$/m);
  // Nothing is left in the repository.
  for (const file of [
    'grant.json',
    'registry.csv',
    'shared.json',
    'lend.json',
    'door.json',
    'incident.json',
    'incidents.csv',
    'incidents.json',
  ])
    expect(existsSync(join(root, file)), file).toBe(false);
}, 300_000);
