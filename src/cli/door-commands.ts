import type { Command } from 'commander';
import { formatTable } from './format.js';
import { exportCsv } from './registry-commands.js';
import type { SessionFactory } from './session.js';

type Totals = Record<'account' | 'lend' | 'service' | 'manual' | 'total', number>;

interface OpenDoors {
  activeAt: string;
  totals: Totals;
  suppliers: {
    supplierId?: string;
    supplier: string;
    totals: Totals;
    doors: {
      kind: string;
      id: string;
      provider?: string;
      account?: string;
      what?: string;
      where?: string;
      custodian?: string;
      status: string;
      until: string;
    }[];
  }[];
}

/** `doors`: every door open now (or at `--active-at`), by supplier; `--csv` for one row per door. */
export function registerDoorCommands(program: Command, session: SessionFactory): void {
  program
    .command('doors')
    .description(
      'every door open now, of every kind (accounts, lends, service credentials, manual doors), by supplier',
    )
    .option('--active-at <instant>', 'the doors open at this instant (ISO-8601) instead of now')
    .option('--supplier <id>', "only this supplier's doors")
    .option('--csv', 'one row per door, as CSV')
    .option('--output <file>', 'with --csv: write to this file instead of stdout')
    .action(
      async (
        options: { activeAt?: string; supplier?: string; csv?: boolean; output?: string },
        command: Command,
      ) => {
        const s = session(command);
        const query = new URLSearchParams();
        if (options.activeAt !== undefined) query.set('activeAt', options.activeAt);
        if (options.supplier !== undefined) query.set('supplierId', options.supplier);
        const search = query.size ? `?${query.toString()}` : '';
        if (options.csv) return exportCsv(s, `/v1/doors.csv${search}`, options.output, 'the open doors');
        const { body } = await s.api.call('GET', `/v1/doors${search}`);
        if (s.json) return s.out.json(body);
        const doors = body as OpenDoors;
        s.out.line(`${doors.totals.total} door(s) open at ${doors.activeAt} (${totalsText(doors.totals)})`);
        for (const supplier of doors.suppliers) {
          s.out.line(
            '',
            `${supplier.supplier}${supplier.supplierId ? ` (${supplier.supplierId})` : ''}: ${totalsText(supplier.totals)}`,
            ...formatTable(
              ['kind', 'id', 'where', 'status', 'until'],
              supplier.doors.map((d) => [
                d.kind,
                d.id,
                d.kind === 'manual'
                  ? `${d.what ?? ''} at ${d.where ?? ''} (custodian ${d.custodian ?? '?'})`
                  : `${d.provider ?? ''} ${d.account ?? ''}`,
                d.status,
                d.until,
              ]),
            ).map((line) => `  ${line}`),
          );
        }
      },
    );
}

function totalsText(totals: Totals): string {
  return (['account', 'lend', 'service', 'manual'] as const)
    .map((kind) => `${totals[kind]} ${kind}`)
    .join(', ');
}
