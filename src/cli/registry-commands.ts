import { writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { CliError } from './client.js';
import type { SessionFactory } from './session.js';

/** `registry export`: the whole registry as CSV, closed grants included. */
export function registerRegistryCommands(registry: Command, session: SessionFactory): void {
  registry
    .command('export')
    .description('every grant ever made, as CSV (stdout unless --output)')
    .option('--output <file>', 'write the CSV to this file instead of stdout')
    .action(async (options: { output?: string }, command: Command) => {
      const s = session(command);
      const { body } = await s.api.call('GET', '/v1/registry.csv', { accept: 'text/csv' });
      const csv = typeof body === 'string' ? body : JSON.stringify(body);
      if (options.output === undefined) return s.out.raw(csv);
      try {
        await writeFile(options.output, csv);
      } catch (err) {
        throw new CliError(`cannot write ${options.output}: ${(err as Error).message}`);
      }
      s.out.line(`Wrote the registry to ${options.output} (${Buffer.byteLength(csv)} bytes).`);
    });
}
