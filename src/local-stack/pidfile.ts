import { readFileSync } from 'node:fs';
import { rm, writeFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Where a server started by the service records itself: `<base>.pid` (the server), `<base>.owner` (us). */
export interface PidFiles {
  pidFile: string;
  ownerFile: string;
}

/** Thrown when another live service process already runs a server on the same data. */
export class DataDirInUseError extends Error {
  override readonly name = 'DataDirInUseError';
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = Number.parseInt(readFileSync(file, 'utf8').trim(), 10);
    return Number.isInteger(pid) && pid > 0 ? pid : undefined;
  } catch {
    return undefined;
  }
}

function commandLine(pid: number): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
  } catch {
    return undefined;
  }
}

/** Records a server this process started, so that a later start can recognise it if this process dies. */
export async function recordServer(files: PidFiles, serverPid: number): Promise<void> {
  await writeFile(files.ownerFile, `${process.pid}\n`);
  await writeFile(files.pidFile, `${serverPid}\n`);
}

/** Forgets the server after a clean stop. */
export async function forgetServer(files: PidFiles): Promise<void> {
  await rm(files.pidFile, { force: true });
  await rm(files.ownerFile, { force: true });
}

/**
 * Stops a server left running on this data by a service process that died: SIGKILL runs no exit handler, so
 * the server outlives it, keeps the port and the database, and a new server could not start. Left alone, the
 * next service would talk to it without owning it, and it would outlive that service's clean stop too.
 * A pid is only signalled if its command line still names `identifies` (the pid may have been reused).
 * If the recorded owner is alive, another service uses the data: refuse rather than share it.
 */
export async function stopOrphanedServer(
  files: PidFiles,
  identifies: string,
  graceMs = 10_000,
): Promise<number | undefined> {
  const pid = readPid(files.pidFile);
  if (pid === undefined || !isAlive(pid) || !commandLine(pid)?.includes(identifies)) {
    await forgetServer(files);
    return undefined;
  }
  const owner = readPid(files.ownerFile);
  if (owner !== undefined && owner !== process.pid && isAlive(owner)) {
    throw new DataDirInUseError(
      `${identifies} is in use by server pid ${pid}, started by live process ${owner}`,
    );
  }
  process.kill(pid, 'SIGTERM');
  const deadline = Date.now() + graceMs;
  while (isAlive(pid) && Date.now() < deadline) await sleep(50);
  if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(20);
  await forgetServer(files);
  return pid;
}
