import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from './client.js';
import type { Session, SessionFactory } from './session.js';

/** `registry export`: the whole registry as CSV, closed grants included. */
export function registerRegistryCommands(registry: Command, session: SessionFactory): void {
  registry
    .command('export')
    .description('every grant ever made, as CSV (stdout unless --output)')
    .option('--output <file>', 'write the CSV to this file instead of stdout')
    .action(async (options: { output?: string }, command: Command) => {
      await exportCsv(session(command), '/v1/registry.csv', options.output, 'the registry');
    });
}

/** Fetches a CSV export and prints it, or writes it to `output` and says so. */
export async function exportCsv(s: Session, path: string, output: string | undefined, what: string) {
  const { body } = await s.api.call('GET', path, { accept: 'text/csv' });
  const csv = typeof body === 'string' ? body : JSON.stringify(body);
  if (output === undefined) return s.out.raw(csv);
  try {
    await writeFile(output, csv);
  } catch (err) {
    throw new CliError(`cannot write ${output}: ${(err as Error).message}`);
  }
  s.out.line(`Wrote ${what} to ${output} (${Buffer.byteLength(csv)} bytes).`);
}
