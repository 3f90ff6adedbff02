import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { projectRoot } from '../../src/local-stack/tools.js';
import { runCli } from '../../src/cli/program.js';
import type { CliOptions } from '../../src/cli/session.js';

/** What one CLI run left behind. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs the CLI in this process with captured streams; `options` stand in for the environment. */
export async function cli(
  args: string[],
  options: Omit<CliOptions, 'stdout' | 'stderr'> = {},
): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await runCli(args, {
    ...options,
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

/**
 * Runs the real entry point (`src/cli.ts`, shebang and all) in a child process. Asynchronous on purpose:
 * the API under test answers from this very process, which a synchronous spawn would block.
 */
export async function cliProcess(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  // The child must see only the variables the test gives it, not any the developer has exported.
  const inherited = { ...process.env };
  delete inherited.SUPPLIER_ACCESS_URL;
  delete inherited.SUPPLIER_ACCESS_TOKEN;
  try {
    const { stdout, stderr } = await promisify(execFile)(
      process.execPath,
      ['--import', 'tsx', 'src/cli.ts', ...args],
      { cwd: projectRoot(), env: { ...inherited, ...env }, encoding: 'utf8' },
    );
    return { code: 0, stdout, stderr };
  } catch (err) {
    const failed = err as { code?: number; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw err;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The grant id a human-readable answer starts with (`Grant <id> (<status>)`). */
export function grantIdIn(output: string): string {
  const match = /^Grant ([0-9a-f-]{36}) \(/m.exec(output);
  if (!match?.[1]) throw new Error(`no grant id in:\n${output}`);
  return match[1];
}

/** The value of a `label  value` line of a human-readable answer. */
export function fieldIn(output: string, label: string): string {
  const match = new RegExp(`^\\s*${label}\\s{2,}(\\S.*)$`, 'm').exec(output);
  if (!match?.[1]) throw new Error(`no "${label}" in:\n${output}`);
  return match[1].trim();
}
