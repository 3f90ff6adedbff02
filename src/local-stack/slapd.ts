import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { chmod, mkdir, readFile, writeFile } from 'node:fs/promises';
import type { Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client, NoSuchObjectError } from 'ldapts';
import { stopOrphanedServer } from './pidfile.js';
import { slapdConf, type ConfLayout } from './slapd-conf.js';
import { Supervisor, type SupervisorLogger } from './supervisor.js';
import { MissingToolError, freePort, stopChild } from './tools.js';

const SLAPD = '/usr/sbin/slapd';
const READY_TIMEOUT_MS = 10_000;
const STOP_TIMEOUT_MS = 10_000;
/** Long enough for a supplier's tool between two requests, short enough to end a forgotten session. */
export const DEFAULT_IDLE_TIMEOUT_S = 300;

export interface LocalSlapdOptions {
  dataDir: string;
  /** 0 or absent: pick a free port. */
  port?: number;
  /** Default `dc=supplier-access,dc=local`. */
  suffix?: string;
  /** Connections idle this long are closed by slapd; default 300 (docs/operations.md). */
  idleTimeoutSeconds?: number;
  /** Where starts, stops and restarts after a crash are logged. */
  logger?: SupervisorLogger | undefined;
}

/** A running slapd owned by this process, with the DNs and the root credentials to use it. */
export interface LocalSlapd {
  url: string;
  port: number;
  suffix: string;
  bindDN: string;
  bindPassword: string;
  usersDN: string;
  groupsDN: string;
  /** slapd's process id, or undefined while it is down. */
  readonly pid: number | undefined;
  /** Sends SIGTERM and waits for slapd to exit; it stays down until `start`. */
  stop(): Promise<void>;
  /**
   * Starts slapd again on the same port and data, after `stop`. Between the two, a slapd that exits by itself
   * (a crash, a kill) is restarted the same way, and the restart logged.
   */
  start(): Promise<void>;
}

interface Layout extends ConfLayout {
  confFile: string;
  ownerFile: string;
}

/**
 * Starts a throwaway OpenLDAP (Debian slapd 2.5) with the ppolicy overlay, for local use and tests. The data
 * lives in `dataDir`: the same directory gives back the same entries and the same root password.
 */
export async function startLocalSlapd(opts: LocalSlapdOptions): Promise<LocalSlapd> {
  if (!existsSync(SLAPD)) throw new MissingToolError('slapd is not installed: run scripts/setup.sh first');
  const suffix = opts.suffix ?? 'dc=supplier-access,dc=local';
  const dataDir = resolve(opts.dataDir);
  // slapd.conf has no escaping for these, so refuse rather than write a config that means something else.
  if (!/^[A-Za-z]+=[A-Za-z0-9-]+(,[A-Za-z]+=[A-Za-z0-9-]+)*$/.test(suffix))
    throw new Error(`unsupported suffix ${suffix}`);
  if (
    opts.idleTimeoutSeconds !== undefined &&
    !(Number.isInteger(opts.idleTimeoutSeconds) && opts.idleTimeoutSeconds > 0)
  )
    throw new Error(`idleTimeoutSeconds must be a whole number of seconds above 0`);
  if (/["\\\n]/.test(dataDir)) throw new Error(`unsupported characters in dataDir ${dataDir}`);
  const layout: Layout = {
    dataDir,
    confFile: join(dataDir, 'slapd.conf'),
    pidFile: join(dataDir, 'slapd.pid'),
    ownerFile: join(dataDir, 'slapd.owner'),
    suffix,
    rootDN: `cn=admin,${suffix}`,
    idleTimeoutSeconds: opts.idleTimeoutSeconds ?? DEFAULT_IDLE_TIMEOUT_S,
  };
  await mkdir(join(dataDir, 'db'), { recursive: true });
  const bindPassword = await adminPassword(dataDir);
  await writeFile(layout.confFile, slapdConf(layout, bindPassword), { mode: 0o600 });
  const port = opts.port || (await freePort());
  const url = `ldap://127.0.0.1:${port}/`;
  const log = (msg: string): void => opts.logger?.info({ url, dataDir }, msg);

  // The same supervisor serves the service and the tests: a slapd that dies comes back on its port and data.
  const supervisor = new Supervisor({
    name: 'slapd',
    context: { url, dataDir },
    logger: opts.logger,
    stopTimeoutMs: STOP_TIMEOUT_MS,
    launch: async () => {
      // A slapd left on this data by a process that died would share the database with the new one.
      await stopOrphanedServer(layout, layout.confFile, STOP_TIMEOUT_MS);
      return launch(layout, url, bindPassword);
    },
  });
  const start = async (): Promise<void> => {
    if (supervisor.pid !== undefined) return;
    await supervisor.start();
    log('slapd started');
  };
  const stop = async (): Promise<void> => {
    if (supervisor.pid === undefined) return supervisor.stop();
    await supervisor.stop();
    log('slapd stopped');
  };

  await start();
  await ensureInitialEntries(url, layout, bindPassword);
  return {
    url,
    port,
    suffix,
    bindDN: layout.rootDN,
    bindPassword,
    usersDN: `ou=suppliers,${suffix}`,
    groupsDN: `ou=groups,${suffix}`,
    get pid() {
      return supervisor.pid;
    },
    stop,
    start,
  };
}

/** The root password: generated on first start, kept 0600 in the data dir so a restart can reuse the data. */
async function adminPassword(dataDir: string): Promise<string> {
  const file = join(dataDir, 'admin-password');
  if (existsSync(file)) return (await readFile(file, 'utf8')).trim();
  const password = randomBytes(24).toString('base64url');
  // No trailing newline: `ldapsearch -y <file>` sends the file's bytes as they are.
  await writeFile(file, password, { mode: 0o600 });
  await chmod(file, 0o600);
  return password;
}

/** Spawns slapd in the foreground (`-d none`: no detach, but errors still reach stderr) and waits for a bind. */
async function launch(l: Layout, url: string, password: string): Promise<ChildProcess> {
  const args = ['-d', 'none', '-f', l.confFile, '-h', url];
  const child = spawn(SLAPD, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-8192)));
  // slapd must not keep a finished program alive: the 'exit' handler below stops it instead.
  child.unref();
  (child.stderr as Socket | null)?.unref();
  // Only synchronous work is possible in 'exit': a signal is enough, the directory survives it (LMDB).
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.on('exit', killOnExit);
  child.once('exit', () => process.off('exit', killOnExit));
  await writeFile(l.ownerFile, `${process.pid}\n`);

  let exited: string | undefined;
  // 'close', not 'exit': it comes after stderr is drained, so the error message has slapd's last words.
  child.once('close', (code, signal) => (exited = `exited with ${signal ?? code}`));
  child.once('error', (err) => (exited = `could not run ${SLAPD}: ${err.message}`));
  const deadline = Date.now() + READY_TIMEOUT_MS;
  for (;;) {
    if (exited) throw new Error(`slapd ${exited} before it was ready on ${url}:\n${stderr}`);
    if (await canBind(url, l.rootDN, password)) return child;
    if (Date.now() > deadline) {
      await stopChild(child, STOP_TIMEOUT_MS);
      throw new Error(`slapd not ready on ${url} after ${READY_TIMEOUT_MS} ms:\n${stderr}`);
    }
    await sleep(100);
  }
}

async function canBind(url: string, dn: string, password: string): Promise<boolean> {
  const client = new Client({ url, connectTimeout: 1000, timeout: 2000 });
  try {
    await client.bind(dn, password);
    return true;
  } catch {
    return false;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Creates the tree and the default password policy when the suffix entry is missing (first start). */
async function ensureInitialEntries(url: string, l: Layout, password: string): Promise<void> {
  const client = new Client({ url, connectTimeout: 5000, timeout: 10_000 });
  try {
    await client.bind(l.rootDN, password);
    try {
      await client.search(l.suffix, { scope: 'base', attributes: ['1.1'] });
      return;
    } catch (err) {
      if (!(err instanceof NoSuchObjectError)) throw err;
    }
    for (const [dn, attributes] of initialEntries(l.suffix)) await client.add(dn, attributes);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

function initialEntries(suffix: string): [string, Record<string, string | string[]>][] {
  const [attr = '', value = ''] = (suffix.split(',')[0] ?? '').split('=');
  const root: Record<string, string | string[]> =
    attr.toLowerCase() === 'dc'
      ? { objectClass: ['dcObject', 'organization'], dc: value, o: value }
      : { objectClass: ['organization'], o: value };
  const ou = (name: string): [string, Record<string, string>] => [
    `ou=${name},${suffix}`,
    { objectClass: 'organizationalUnit', ou: name },
  ];
  return [
    [suffix, root],
    ou('suppliers'),
    ou('groups'),
    ou('policies'),
    [`cn=default,ou=policies,${suffix}`, defaultPolicy()],
  ];
}

/**
 * pwdLockout must be TRUE or slapd 2.5 ignores pwdAccountLockedTime, including the permanent lock we disable
 * accounts with. pwdMaxFailure 0 keeps failed binds from locking anyone, so a lock always means "disabled".
 * pwdMustChange makes `pwdReset: TRUE` ask the supplier to change the handed-out password.
 */
function defaultPolicy(): Record<string, string | string[]> {
  return {
    objectClass: ['organizationalRole', 'pwdPolicy'],
    cn: 'default',
    pwdAttribute: 'userPassword',
    pwdLockout: 'TRUE',
    pwdMaxFailure: '0',
    pwdMustChange: 'TRUE',
    pwdAllowUserChange: 'TRUE',
  };
}
