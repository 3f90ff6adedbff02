import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createConnection } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import { Client, PresenceFilter } from 'ldapts';

const run = promisify(execFile);

const SAMBA = '/usr/sbin/samba';
const SAMBA_TOOL = '/usr/bin/samba-tool';
const REALM = 'SUPPLIER.TEST';
const BASE_DN = 'DC=supplier,DC=test';
/** Samba listens on fixed ports (LDAP 389, LDAPS 636, Kerberos 88, kpasswd 464, GC 3268/3269). */
const LDAPS_PORT = 636;
const READY_TIMEOUT_MS = 30_000;

/** A throwaway Samba AD domain controller on 127.0.0.1, with what a test needs to use it. */
export interface SambaDc {
  /** `ldaps://127.0.0.1`: AD refuses simple binds and password writes over plain LDAP. */
  url: string;
  realm: string;
  baseDN: string;
  /** The domain's Administrator, by DN. */
  bindDN: string;
  bindPassword: string;
  /** An OU for supplier accounts, and one for the groups they may join. */
  usersDN: string;
  groupsDN: string;
  /** The PEM certificate the DC serves, naming IP:127.0.0.1: the CA to trust. */
  caFile: string;
  /** A krb5.conf naming this DC as the realm's KDC and kpasswd server. */
  krb5Config: string;
  /** Runs `samba-tool <args>` on this DC's database (`user create`, `dsacl set`…); resolves to its output. */
  sambaTool(...args: string[]): Promise<string>;
  /** Stops every Samba process of this DC and deletes its files. */
  stop(): Promise<void>;
}

/**
 * Provisions a new AD domain (Debian's samba, `--dns-backend=NONE`, RFC 2307) in a temporary directory and
 * starts it on loopback only, with just the LDAP and Kerberos services and TLS from a certificate that names
 * 127.0.0.1 (Samba's own names only the host, which Node refuses). One DC per machine at a time: its ports
 * are fixed, so test files that use one must not run in parallel (vitest runs files one at a time here).
 */
export async function startSambaDc(): Promise<SambaDc> {
  for (const tool of [SAMBA, SAMBA_TOOL]) {
    if (!existsSync(tool)) throw new Error(`${tool} is not installed: run scripts/setup.sh first`);
  }
  if (await listening(LDAPS_PORT)) {
    throw new Error(`port ${LDAPS_PORT} is taken: another domain controller (or LDAPS server) runs here`);
  }
  const dir = await mkdtemp(join(tmpdir(), 'supplier-access-samba-'));
  const bindPassword = `Adm-${randomBytes(12).toString('hex')}-9z`;
  let samba: SambaProcess | undefined;
  try {
    await provision(dir, bindPassword);
    const caFile = await makeCertificate(dir);
    await configure(dir, caFile);
    const krb5Config = join(dir, 'krb5.conf');
    await writeFile(krb5Config, krb5Conf());
    samba = startSamba(dir);
    const dc = {
      url: `ldaps://127.0.0.1:${LDAPS_PORT}`,
      realm: REALM,
      baseDN: BASE_DN,
      bindDN: `CN=Administrator,CN=Users,${BASE_DN}`,
      bindPassword,
      usersDN: `OU=Suppliers,${BASE_DN}`,
      groupsDN: `OU=Supplier Groups,${BASE_DN}`,
      caFile,
      krb5Config,
    };
    const ca = await readFile(caFile, 'utf8');
    await waitForLdaps(dc, ca, samba);
    await withClient(dc, ca, async (client) => {
      for (const ou of [dc.usersDN, dc.groupsDN])
        await client.add(ou, { objectClass: ['top', 'organizationalUnit'] });
    });
    const { child } = samba;
    const sambaTool = async (...args: string[]) => {
      const where = ['-H', join(dir, 'private', 'sam.ldb'), '-s', join(dir, 'etc', 'smb.conf')];
      return (await run(SAMBA_TOOL, [...args, ...where])).stdout;
    };
    return { ...dc, sambaTool, stop: () => shutdown(child, dir) };
  } catch (err) {
    await shutdown(samba?.child, dir);
    throw err;
  }
}

async function provision(dir: string, adminPassword: string): Promise<void> {
  await run(
    SAMBA_TOOL,
    [
      'domain',
      'provision',
      `--targetdir=${dir}`,
      `--realm=${REALM}`,
      '--domain=SUPPLIER',
      '--server-role=dc',
      '--dns-backend=NONE',
      '--use-rfc2307',
      `--adminpass=${adminPassword}`,
      '--host-name=dc1',
      '--host-ip=127.0.0.1',
      '--option=interfaces=lo',
      '--option=bind interfaces only=yes',
    ],
    { maxBuffer: 16 * 1024 * 1024 },
  );
  for (const sub of ['cache', 'run', 'log']) await mkdir(join(dir, sub), { recursive: true });
}

/** A self-signed certificate for 127.0.0.1 (it is its own CA), valid for two days. */
async function makeCertificate(dir: string): Promise<string> {
  const tls = join(dir, 'tls');
  await mkdir(tls, { recursive: true });
  await run('openssl', [
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-days',
    '2',
    '-subj',
    '/CN=dc1.supplier.test',
    '-addext',
    'subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:dc1.supplier.test',
    '-keyout',
    join(tls, 'key.pem'),
    '-out',
    join(tls, 'cert.pem'),
  ]);
  return join(tls, 'cert.pem');
}

/**
 * Rewrites the provisioned smb.conf: only LDAP and the KDC, every file Samba writes (pids, sockets, logs)
 * under `dir` instead of /run and /var/log, and TLS from our certificate.
 */
async function configure(dir: string, certFile: string): Promise<void> {
  const file = join(dir, 'etc', 'smb.conf');
  const settings: Record<string, string> = {
    'server services': 'ldap, kdc',
    'log file': join(dir, 'log', 'log.%m'),
    'pid directory': join(dir, 'run'),
    'ncalrpc dir': join(dir, 'run', 'ncalrpc'),
    'winbindd socket directory': join(dir, 'run', 'winbindd'),
    'tls enabled': 'yes',
    'tls keyfile': join(dir, 'tls', 'key.pem'),
    'tls certfile': certFile,
    'tls cafile': '',
  };
  const lines = (await readFile(file, 'utf8'))
    .split('\n')
    .filter((line) => !Object.keys(settings).includes(line.split('=')[0]?.trim() ?? ''));
  const global = lines.indexOf('[global]');
  const added = Object.entries(settings).map(([key, value]) => `\t${key} = ${value}`);
  lines.splice(global + 1, 0, ...added);
  await writeFile(file, lines.join('\n'));
}

function krb5Conf(): string {
  return [
    '[libdefaults]',
    `\tdefault_realm = ${REALM}`,
    '\tdns_lookup_realm = false',
    '\tdns_lookup_kdc = false',
    '[realms]',
    `${REALM} = {`,
    '\tkdc = 127.0.0.1',
    '\tkpasswd_server = 127.0.0.1',
    '}',
    '',
  ].join('\n');
}

/** The whole Samba process tree lives in a process group of its own, so one signal reaches all of it. */
const running = new Set<ChildProcess>();

/** The running `samba`, and the tail of what it printed (to explain a start that failed). */
interface SambaProcess {
  child: ChildProcess;
  output(): string;
}

function startSamba(dir: string): SambaProcess {
  // `samba -i` ends itself, children included, at EOF on stdin: holding its stdin open ties the DC to this test
  // process, so a test process that dies (even by SIGKILL) leaves no DC behind on the fixed ports.
  const child = spawn(SAMBA, ['-i', '-s', join(dir, 'etc', 'smb.conf')], {
    detached: true,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let output = '';
  const collect = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-8192);
  };
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return { child, output: () => output };
}

// A test process that exits without its afterAll (an uncaught error, process.exit) stops its DC at once.
process.once('exit', () => {
  for (const child of running) killGroup(child, 'SIGKILL');
});

function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

async function shutdown(child: ChildProcess | undefined, dir: string): Promise<void> {
  if (child && child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    killGroup(child, 'SIGTERM');
    const timer = setTimeout(() => killGroup(child, 'SIGKILL'), 5_000);
    await exited;
    clearTimeout(timer);
  }
  // The forked workers may outlive the parent by a moment: make sure none holds the ports for the next DC.
  if (child) killGroup(child, 'SIGKILL');
  const deadline = Date.now() + 10_000;
  while ((await listening(LDAPS_PORT)) && Date.now() < deadline) await sleep(100);
  await rm(dir, { recursive: true, force: true });
}

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

type DcAccess = Pick<SambaDc, 'url' | 'bindDN' | 'bindPassword' | 'baseDN'>;

async function withClient<T>(dc: DcAccess, ca: string, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({
    url: dc.url,
    tlsOptions: { ca: [ca] },
    connectTimeout: 2_000,
    timeout: 10_000,
  });
  try {
    await client.bind(dc.bindDN, dc.bindPassword);
    return await work(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** LDAPS answers a couple of seconds after start; a base search proves the bind (no whoami on Samba). */
async function waitForLdaps(dc: DcAccess, ca: string, samba: SambaProcess): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  let last: unknown;
  while (Date.now() < deadline) {
    if (samba.child.exitCode !== null) {
      throw new Error(`samba exited with ${samba.child.exitCode}:\n${samba.output()}`);
    }
    try {
      await withClient(dc, ca, (c) =>
        c.search(dc.baseDN, { scope: 'base', filter: new PresenceFilter({ attribute: 'objectClass' }) }),
      );
      return;
    } catch (err) {
      last = err;
      await sleep(200);
    }
  }
  throw new Error(
    `the domain controller did not answer LDAPS within ${READY_TIMEOUT_MS} ms: ${String(last)}`,
  );
}
