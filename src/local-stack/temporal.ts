import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { Connection } from '@temporalio/client';
import { forgetServer, recordServer, stopOrphanedServer, type PidFiles } from './pidfile.js';
import { freePort, stopChild, toolPath } from './tools.js';

export interface LocalTemporal {
  address: string;
  uiUrl?: string | undefined;
  stop(): Promise<void>;
}

export interface LocalTemporalOptions {
  /** Where the dev server keeps its SQLite state; workflows survive restarts of the service. */
  dataDir: string;
  port?: number;
  uiPort?: number;
  headless?: boolean;
  namespace?: string;
  searchAttributes?: Record<
    string,
    'Keyword' | 'Text' | 'Int' | 'Double' | 'Bool' | 'Datetime' | 'KeywordList'
  >;
  /** Told when a dev server left behind by a killed service is stopped. */
  logger?: { warn(obj: object, msg?: string): void };
}

/** Thrown when the embedded Temporal dev server does not come up. */
export class LocalTemporalError extends Error {
  override readonly name = 'LocalTemporalError';
}

/**
 * Starts the Temporal CLI's dev server (SQLite-backed) and waits until it answers. One left running on the
 * same data by a service that was killed is stopped first: this process owns the server it talks to, and
 * stops it when it stops.
 */
export async function startLocalTemporal(options: LocalTemporalOptions): Promise<LocalTemporal> {
  mkdirSync(options.dataDir, { recursive: true });
  const dbFile = join(options.dataDir, 'temporal.sqlite');
  const pids: PidFiles = {
    pidFile: join(options.dataDir, 'temporal.pid'),
    ownerFile: join(options.dataDir, 'temporal.owner'),
  };
  const orphan = await stopOrphanedServer(pids, dbFile);
  if (orphan !== undefined)
    options.logger?.warn({ pid: orphan }, 'stopped a Temporal dev server left running by a killed service');
  const port = options.port || (await freePort());
  const uiPort = options.headless ? undefined : options.uiPort || (await freePort());
  const args = [
    'server',
    'start-dev',
    '--db-filename',
    dbFile,
    '--ip',
    '127.0.0.1',
    '--port',
    String(port),
    '--namespace',
    options.namespace ?? 'default',
    '--log-level',
    'error',
    // WAL with synchronous=NORMAL survives a crash of any process (only a power cut can lose the last
    // commits) and lets the dev server keep up with a wave of expiries.
    '--sqlite-pragma',
    'journal_mode=wal',
    '--sqlite-pragma',
    'synchronous=normal',
  ];
  if (uiPort) args.push('--ui-port', String(uiPort), '--ui-ip', '127.0.0.1', '--ui-disable-news-fetch');
  else args.push('--headless');
  for (const [name, type] of Object.entries(options.searchAttributes ?? {}))
    args.push('--search-attribute', `${name}=${type}`);

  const child = spawn(toolPath('temporal'), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)));
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  if (child.pid !== undefined) await recordServer(pids, child.pid);

  const address = `127.0.0.1:${port}`;
  try {
    await waitUntilServing(address, child, () => stderr);
  } catch (err) {
    child.kill('SIGKILL');
    await forgetServer(pids);
    throw err;
  }
  return {
    address,
    uiUrl: uiPort ? `http://127.0.0.1:${uiPort}` : undefined,
    async stop() {
      process.off('exit', killOnExit);
      await stopChild(child);
      await forgetServer(pids);
    },
  };
}

async function waitUntilServing(address: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new LocalTemporalError(`temporal dev server exited: ${stderr()}`);
    try {
      const connection = await Connection.connect({ address, connectTimeout: 1000 });
      try {
        await connection.workflowService.getSystemInfo({});
        return;
      } finally {
        await connection.close();
      }
    } catch {
      await delay(200);
    }
  }
  throw new LocalTemporalError(`temporal dev server did not answer on ${address} within 60 s: ${stderr()}`);
}
