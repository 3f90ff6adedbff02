import { spawn, spawnSync, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { freePort } from '../../src/local-stack/tools.js';

/** A throwaway PostgreSQL server owned by the test process. */
export interface LocalPostgres {
  /** A database created for the caller, empty. */
  url: string;
  /** Another empty database on the same server, for tests that need a fresh one. */
  createDatabase(): Promise<string>;
  /** Stops the server and deletes its files. */
  stop(): Promise<void>;
}

const ROOT = '/usr/lib/postgresql';

/**
 * Starts PostgreSQL from the Debian package in a temporary directory: its own cluster (trust auth, UTF8,
 * ICU collation so text does not compare byte-wise, as on most production servers), listening on a free
 * port of 127.0.0.1 only, durability off since nothing outlives the test.
 */
export async function startPostgres(): Promise<LocalPostgres> {
  const bin = binDir();
  const dir = mkdtempSync(join(tmpdir(), 'supplier-access-pg-'));
  const user = runAs();
  if (user) chownSync(dir, user.uid, user.gid);
  const spawnOptions: SpawnOptions = { cwd: dir, env: { ...process.env, LC_ALL: 'C.UTF-8' }, ...user };
  let server: Server | undefined;
  try {
    initCluster(bin, join(dir, 'data'), spawnOptions);
    const port = await freePort();
    server = startServer(bin, dir, port, spawnOptions);
    const admin = `postgresql://postgres@127.0.0.1:${port}/postgres`;
    await waitUntilReady(admin, server);
    let databases = 0;
    const createDatabase = async () => {
      const name = `registry_${++databases}`;
      await withClient(admin, (c) => c.query(`create database ${name}`));
      return `postgresql://postgres@127.0.0.1:${port}/${name}`;
    };
    const url = await createDatabase();
    const running = server;
    return { url, createDatabase, stop: () => shutdown(running, dir) };
  } catch (err) {
    await shutdown(server, dir);
    throw err;
  }
}

/** The newest PostgreSQL installed, as the Debian packages lay it out. */
function binDir(): string {
  const versions = existsSync(ROOT)
    ? readdirSync(ROOT)
        .filter((v) => existsSync(join(ROOT, v, 'bin', 'initdb')))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  const newest = versions[0];
  if (!newest) throw new Error(`PostgreSQL is not installed (no ${ROOT}/*/bin/initdb): run scripts/setup.sh`);
  return join(ROOT, newest, 'bin');
}

/** PostgreSQL refuses to run as root: as root, the cluster belongs to the package's `postgres` user. */
function runAs(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith('postgres:'));
  const [, , uid, gid] = line?.split(':') ?? [];
  if (!uid || !gid) throw new Error('running as root but there is no postgres user: run scripts/setup.sh');
  return { uid: Number(uid), gid: Number(gid) };
}

function initCluster(bin: string, dataDir: string, options: SpawnOptions): void {
  const args = ['-D', dataDir, '-U', 'postgres', '-A', 'trust', '-E', 'UTF8', '--locale=C.UTF-8'];
  args.push('--locale-provider=icu', '--icu-locale=en-US', '--no-sync', '--no-instructions');
  const result = spawnSync(join(bin, 'initdb'), args, { ...options, encoding: 'utf8' });
  if (result.status !== 0) {
    throw new Error(`initdb failed: ${result.error?.message ?? ''}${result.stderr}${result.stdout}`);
  }
}

/** The server process, and the end of what it wrote to stderr (for a failed start). */
interface Server {
  child: ChildProcess;
  log(): string;
}

function startServer(bin: string, dir: string, port: number, options: SpawnOptions): Server {
  const settings = {
    listen_addresses: '127.0.0.1',
    port: String(port),
    unix_socket_directories: dir,
    fsync: 'off',
    synchronous_commit: 'off',
    full_page_writes: 'off',
  };
  const args = [
    '-D',
    join(dir, 'data'),
    ...Object.entries(settings).flatMap(([k, v]) => ['-c', `${k}=${v}`]),
  ];
  const child = spawn(join(bin, 'postgres'), args, { ...options, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  return { child, log: () => stderr };
}

async function waitUntilReady(url: string, server: Server): Promise<void> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    if (server.child.exitCode !== null || server.child.signalCode !== null) {
      throw new Error(`postgres exited while starting: ${server.log()}`);
    }
    try {
      await withClient(url, (c) => c.query('select 1'));
      return;
    } catch (err) {
      if (Date.now() > deadline) {
        throw new Error(`postgres did not accept connections in 30 s: ${String(err)}\n${server.log()}`);
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

async function withClient<T>(url: string, use: (client: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await use(client);
  } finally {
    await client.end();
  }
}

async function shutdown(server: Server | undefined, dir: string): Promise<void> {
  const child = server?.child;
  if (child && child.exitCode === null && child.signalCode === null) {
    // SIGTERM (smart shutdown) first lets a pool that is still closing its connections finish: a fast
    // shutdown would end them under it, and the client would report that as an uncaught error. SIGINT (fast
    // shutdown) follows soon, so clients a failed test left connected do not hold the run.
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const fast = setTimeout(() => child.kill('SIGINT'), 3_000);
    const timer = setTimeout(() => child.kill('SIGKILL'), 13_000);
    await exited;
    clearTimeout(fast);
    clearTimeout(timer);
  }
  rmSync(dir, { recursive: true, force: true });
}
