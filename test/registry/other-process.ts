import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { RegistryStore } from '../../src/registry/types.js';
import type { RegistryLocation } from './backends.js';

const execFileAsync = promisify(execFile);

/**
 * Calls `method` of the registry at `location` in a new Node process at `startAt` (epoch ms), so that several calls
 * race as those of several API processes would; its answer (`null` for none), or the error's text.
 */
export async function callInOtherProcess<M extends keyof RegistryStore>(
  location: RegistryLocation,
  startAt: number,
  method: M,
  args: unknown[],
): Promise<unknown> {
  const script = fileURLToPath(new URL('./registry-call.child.ts', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, [
    '--import',
    'tsx',
    script,
    location.databaseUrl,
    String(startAt),
    method,
    JSON.stringify(args),
  ]);
  try {
    return JSON.parse(stdout) as unknown;
  } catch {
    return stdout;
  }
}
