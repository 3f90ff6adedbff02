import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { lstatSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { projectRoot } from '../../src/local-stack/tools.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/service.js';
import { prebuiltBundleEnv } from '../helpers/shared-servers.js';

const dataDir = mkdtempSync(join(tmpdir(), 'supplier-access-embedded-'));
const TOKEN = 'embedded-admin-token-0123456789';
const APPROVER = 'embedded-approver-token-012345';
const env = {
  DATA_DIR: dataDir,
  PORT: '0',
  API_TOKENS: `ada:admin:${TOKEN},alice:approver:${APPROVER}`,
  ...prebuiltBundleEnv(),
};
let service: RunningService | undefined;

afterAll(async () => {
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(service!.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

it('runs on its embedded defaults and keeps grants, accounts and timers across a restart', async () => {
  service = await startService(loadConfig(env), createLogger('silent'));
  expect(service.temporal.embedded).toBe(true);
  expect(service.ldap?.url).toMatch(/^ldap:\/\/127\.0\.0\.1:\d+/);

  const created = await call('POST', '/v1/grants', {
    provider: 'ldap',
    supplier: { organisation: 'Survives Restarts SARL' },
    durationDays: 30,
    reason: 'firewall upgrade',
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await service.stop();
  service = undefined;

  service = await startService(loadConfig(env), createLogger('silent'));
  const shown = await call('GET', `/v1/grants/${id}`);
  expect(shown.status).toBe(200);
  expect(shown.body.status).toBe('active');
  expect(shown.body.account.username).toBe('sup-survives-restarts-sarl');

  // The sleeping workflow is still there to take messages, and the account still in the directory.
  const extended = await call('POST', `/v1/grants/${id}/extensions`, {
    expiresAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
    reason: 'more work',
  });
  expect(extended.status).toBe(202);
  const approved = await call('POST', `/v1/grants/${id}/extensions/approve`, {}, APPROVER);
  expect(approved.status).toBe(200);
  const revoked = await call('POST', `/v1/grants/${id}/revoke`, { reason: 'done' });
  expect(revoked.status).toBe(200);
  expect(revoked.body.status).toBe('revoked');

  // The registry outlives the workflow and the process: after another restart the closed grant is still listed,
  // and the export says who approved the extension, who revoked the grant and why.
  await service.stop();
  service = undefined;
  service = await startService(loadConfig(env), createLogger('silent'));
  const listed = await call('GET', '/v1/grants?status=revoked&organisation=survives');
  expect(listed.body.grants.map((g: { id: string }) => g.id)).toEqual([id]);
  const csv = await (
    await fetch(`${service.apiUrl}/v1/registry.csv`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  const row = csv.split('\n').find((line) => line.startsWith(id)) ?? '';
  expect(row).toContain('Survives Restarts SARL');
  expect(row).toMatch(/,revoked,ada,done,/);
  expect(row).toMatch(/alice approved until /);
}, 180_000);

/** `src/main.ts` as `scripts/start.sh` runs it, in a process of its own, with its output collected. */
interface ServiceProcess {
  child: ChildProcess;
  output: () => string;
  /** The banner as printed, once the service is up. */
  banner: string;
}

async function startProcess(dir: string, extraEnv: Record<string, string> = {}): Promise<ServiceProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: projectRoot(),
    env: {
      ...withoutTokens(process.env),
      DATA_DIR: dir,
      PORT: '0',
      LOG_LEVEL: 'info',
      ...prebuiltBundleEnv(),
      ...extraEnv,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const banner = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the service did not start:\n${output}`)), 90_000);
    const check = () => {
      const match = /\n[^\n]*supplier-access is running[\s\S]*?\n\n/.exec(output);
      if (!match) return;
      clearTimeout(timer);
      child.stdout?.off('data', check);
      resolve(match[0]);
    };
    child.stdout?.on('data', check);
    child.once('exit', (code) => reject(new Error(`the service exited with ${code}:\n${output}`)));
  });
  return { child, output: () => output, banner };
}

/** The environment with no API_TOKENS: the service then generates its admin token. */
function withoutTokens(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const rest = { ...env };
  delete rest.API_TOKENS;
  return rest;
}

/** SIGTERM, as Ctrl-C or a service manager stops it; resolves with the exit code, or the signal that ended it. */
async function stopProcess(
  service: ServiceProcess,
  signal: NodeJS.Signals = 'SIGTERM',
): Promise<number | string | null> {
  const exited = new Promise<number | string | null>((resolve) =>
    service.child.once('exit', (code, ended) => resolve(code ?? ended)),
  );
  service.child.kill(signal);
  return exited;
}

function isRunning(service: ServiceProcess): boolean {
  return service.child.exitCode === null && service.child.signalCode === null;
}

/** Processes whose command line names `text` (read from /proc, so it sees orphans too). */
function processesNaming(text: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(text);
      } catch {
        return false;
      }
    })
    .map(Number);
}

function modeOf(path: string): string {
  return (statSync(path).mode & 0o777).toString(8);
}

/** Every file and folder under `dir` that a group or other users may read, write or enter. */
function openToOthers(dir: string): string[] {
  const open: string[] = [];
  for (const entry of readdirSync(dir, { recursive: true, encoding: 'utf8' })) {
    const path = join(dir, entry);
    try {
      if (lstatSync(path).mode & 0o077) open.push(`${entry} ${modeOf(path)}`);
    } catch {
      // Gone meanwhile (a lock or journal file): nothing to check.
    }
  }
  return open;
}

describe('started as a program', () => {
  const dirs: string[] = [];
  const running: ServiceProcess[] = [];
  const freshDir = () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'supplier-access-program-')), 'data');
    dirs.push(dirname(dir));
    return dir;
  };
  afterAll(async () => {
    for (const service of running) if (isRunning(service)) await stopProcess(service, 'SIGKILL');
    for (const dir of dirs) {
      for (const pid of processesNaming(dir)) process.kill(pid, 'SIGKILL');
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('keeps its data dir to its owner, keeps the generated admin token, and stops with no error', async () => {
    const dir = freshDir();
    const first = await startProcess(dir);
    running.push(first);

    // Contact e-mails (personal information) live in the registry: nobody but the owner may read it.
    expect(modeOf(dir)).toBe('700');
    expect(modeOf(join(dir, 'registry.sqlite'))).toBe('600');
    expect(modeOf(join(dir, 'admin-token'))).toBe('600');
    expect(openToOthers(dir)).toEqual([]);

    // The banner says where the token is and shows a command that needs it, and works as printed.
    const token = readFileSync(join(dir, 'admin-token'), 'utf8').trim();
    expect(first.banner).toContain(join(dir, 'admin-token'));
    expect(first.banner).not.toContain(token);
    const example = /try:\s+(curl .*)/.exec(first.banner)?.[1] ?? '';
    expect(example).not.toContain('/healthz');
    const tried = await promisify(execFile)('bash', ['-c', `${example} -s -o /dev/null -w '%{http_code}'`]);
    expect(tried.stdout).toBe('200');

    // The banner's Temporal CLI command works as printed, and so does the README's codec example through it:
    // the history of a grant, decrypted by the API's codec endpoint.
    const apiUrl = /API:\s+(http:\/\/\S+)/.exec(first.banner)?.[1] ?? '';
    const created = await fetch(`${apiUrl}/v1/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'ldap',
        supplier: { organisation: 'Histoire Lisible SENC' },
        durationDays: 7,
        reason: 'read the history',
      }),
    });
    expect(created.status).toBe(201);
    const cli = /Temporal CLI:\s+(.*)/.exec(first.banner)?.[1] ?? '';
    const listed = await promisify(execFile)('bash', ['-c', cli], { cwd: projectRoot() });
    expect(listed.stdout).toContain('grant-ldap-sup-histoire-lisible-senc');
    const shown = await promisify(execFile)(
      'scripts/temporal',
      [
        'workflow',
        'show',
        '--detailed',
        '-w',
        'grant-ldap-sup-histoire-lisible-senc',
        '--codec-endpoint',
        `${apiUrl}/codec`,
        '--codec-auth',
        `Bearer ${token}`,
      ],
      { cwd: projectRoot(), env: { ...process.env, DATA_DIR: dir } },
    );
    expect(shown.stdout).toContain('Histoire Lisible SENC');

    // Not on a terminal: JSON lines, one per event, for a log collector.
    expect(first.output()).toMatch(/^\{.*"msg":"embedded Temporal dev server started"/m);

    // Clean stop: exit 0 and no error line in the log.
    expect(await stopProcess(first)).toBe(0);
    expect(errorLines(first.output())).toEqual([]);

    // The same token after a restart, so scripts and open terminals keep working.
    const second = await startProcess(dir);
    running.push(second);
    expect(readFileSync(join(dir, 'admin-token'), 'utf8').trim()).toBe(token);
    const url = /API:\s+(http:\/\/\S+)/.exec(second.banner)?.[1];
    const again = await fetch(`${url}/v1/grants`, { headers: { authorization: `Bearer ${token}` } });
    expect(again.status).toBe(200);
    expect(await stopProcess(second, 'SIGINT')).toBe(0);
    expect(errorLines(second.output())).toEqual([]);
  }, 240_000);

  it('with LOG_FORMAT=pretty, prints readable lines and the banner last, on its own', async () => {
    // Bundling at start, as the service does by default: its log lines are part of what this checks.
    const service = await startProcess(freshDir(), { LOG_FORMAT: 'pretty', WORKFLOW_BUNDLE_PATH: '' });
    running.push(service);
    const atStart = service.output();
    // Up to the banner: what the terminal shows when the service is ready.
    const beforeBanner = atStart.slice(0, atStart.indexOf(service.banner));
    expect(atStart.trimEnd().endsWith(service.banner.trimEnd())).toBe(true);
    expect(beforeBanner).toMatch(/INFO.*embedded Temporal dev server started/);
    expect(beforeBanner).toMatch(/INFO.*slapd started/);
    expect(atStart.split('\n').filter((line) => line.startsWith('{'))).toEqual([]);
    // The worker's bundler statistics (dozens of lines) stay out of it; its one-line summary remains.
    expect(beforeBanner).not.toContain('workflow-bundle-');
    expect(beforeBanner).toMatch(/Workflow bundle created/);
    expect(await stopProcess(service)).toBe(0);
    expect(service.output()).not.toMatch(/ERROR|shutdown step failed/);
  }, 240_000);

  it('after a kill -9, a restart and a clean stop leave no Temporal server behind', async () => {
    const dir = freshDir();
    const crashed = await startProcess(dir);
    running.push(crashed);
    const orphans = processesNaming(join(dir, 'temporal', 'temporal.sqlite'));
    expect(orphans).toHaveLength(1);
    expect(processesNaming(join(dir, 'ldap', 'slapd.conf'))).toHaveLength(1);
    await stopProcess(crashed, 'SIGKILL');
    // SIGKILL runs no exit handler: the dev server it started is still running, without its owner.
    expect(processesNaming(join(dir, 'temporal', 'temporal.sqlite'))).toEqual(orphans);

    const restarted = await startProcess(dir);
    running.push(restarted);
    const servers = processesNaming(join(dir, 'temporal', 'temporal.sqlite'));
    expect(servers).toHaveLength(1);
    expect(await stopProcess(restarted)).toBe(0);
    expect(processesNaming(join(dir, 'temporal', 'temporal.sqlite'))).toEqual([]);
    // The embedded slapd of the killed process, likewise.
    expect(processesNaming(join(dir, 'ldap', 'slapd.conf'))).toEqual([]);
    expect(errorLines(restarted.output())).toEqual([]);
  }, 240_000);
});

/** JSON log lines at level error (50) or above. */
function errorLines(output: string): string[] {
  return output
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .filter((line) => (JSON.parse(line) as { level: number }).level >= 50);
}
