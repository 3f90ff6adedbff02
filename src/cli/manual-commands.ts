import { Option, type Command } from 'commander';
import type { ManualDoor, ManualDoorDetail } from './api-types.js';
import { formatCustodian, formatEvents, formatFields, formatTable } from './format.js';
import { wholeNumber } from './options.js';
import { showListing } from './paged-listing.js';
import { registerShowCommand, type SessionFactory } from './session.js';

interface AddOptions {
  supplier?: string;
  organisation?: string;
  what: string;
  where: string;
  custodian: string;
  custodianEmail?: string;
  until?: string;
  days?: number;
  reason: string;
}

/** The path of one manual door, its id escaped: it comes from the command line. */
const doorPath = (id: string, sub = '') => `/v1/manual-doors/${encodeURIComponent(id)}${sub}`;

/** Every `manual` subcommand: add, list, show, attest. */
export function registerManualCommands(manual: Command, session: SessionFactory): void {
  manual
    .command('add')
    .description(
      'record a door no API can close (a Zapier connection, a webhook, a password in another SaaS)',
    )
    .option('--supplier <id>', 'a registered supplier (see supplier list), instead of --organisation')
    .option('--organisation <name>', 'the supplier by name: its registered supplier, or a new one')
    .requiredOption('--what <text>', 'what the door is ("Zapier connection to the CRM")')
    .requiredOption('--where <text>', 'where it lives, where to go to close it')
    .requiredOption('--custodian <name>', "the custodian's API token name: who closes it and attests it")
    .option('--custodian-email <email>', 'where the custodian is reminded to close it')
    .addOption(
      new Option('--until <instant>', 'when it must be closed: an ISO-8601 instant').conflicts('days'),
    )
    .addOption(
      new Option('--days <n>', 'how long it may stay open, instead of --until').argParser(wholeNumber),
    )
    .requiredOption('--reason <text>', 'why the supplier needs it')
    .action(async (options: AddOptions, command: Command) => {
      const s = session(command);
      const body = {
        supplierId: options.supplier,
        supplier: options.organisation === undefined ? undefined : { organisation: options.organisation },
        what: options.what,
        where: options.where,
        custodian: { name: options.custodian, email: options.custodianEmail },
        until: options.until,
        durationDays: options.days,
        reason: options.reason,
      };
      const answer = await s.api.call('POST', '/v1/manual-doors', { body });
      if (s.json) return s.out.json(answer.body);
      const door = answer.body as ManualDoor;
      s.out.line(
        ...formatManualDoor(door),
        '',
        `Its custodian is reminded before ${door.until}; once closed: supplier-access manual attest ${door.id} --note …`,
      );
    });

  manual
    .command('list')
    .description('list manual doors, newest first')
    .addOption(
      new Option('--status <status>', 'only doors in this status').choices(['open', 'overdue', 'closed']),
    )
    .option('--supplier <id>', 'only the doors of this supplier')
    .option('--active-at <instant>', 'only doors open at this instant')
    .addOption(new Option('--limit <n>', 'doors per page (the API defaults to 100)').argParser(wholeNumber))
    .option('--cursor <cursor>', 'continue from where a previous page stopped')
    .addOption(new Option('--all', 'follow the pages until the last one'))
    .action(
      async (
        options: {
          status?: string;
          supplier?: string;
          activeAt?: string;
          limit?: number;
          cursor?: string;
          all?: boolean;
        },
        command: Command,
      ) =>
        showListing<ManualDoor>(session(command), options, {
          path: '/v1/manual-doors',
          key: 'manualDoors',
          query: {
            status: options.status,
            supplierId: options.supplier,
            activeAt: options.activeAt,
            limit: options.limit,
          },
          table: formatManualDoorTable,
          none: 'No manual door matches.',
        }),
    );

  registerShowCommand<ManualDoorDetail>(manual, session, {
    description: 'a manual door with its trail',
    argument: 'manual door id',
    path: (id) => doorPath(id),
    format: formatManualDoor,
  });

  manual
    .command('attest')
    .description('attest a manual door closed (its custodian or an admin)')
    .argument('<id>', 'manual door id')
    .option('--note <text>', 'how it was closed, or what was found')
    .action(async (id: string, options: { note?: string }, command: Command) => {
      const s = session(command);
      const answer = await s.api.call('POST', doorPath(id, '/attest'), { body: { note: options.note } });
      if (s.json) return s.out.json(answer.body);
      s.out.line('Attested closed.', ...formatManualDoor(answer.body as ManualDoor));
    });
}

/** The listing's columns. */
export function formatManualDoorTable(doors: ManualDoor[]): string[] {
  return formatTable(
    ['ID', 'STATUS', 'UNTIL', 'WHAT', 'WHERE', 'CUSTODIAN'],
    doors.map((d) => [d.id, d.status, d.until, d.what, d.where, d.custodian.name]),
  );
}

/** A manual door as `manual show` prints it: its fields, then its trail when sent. */
export function formatManualDoor(door: ManualDoor | ManualDoorDetail): string[] {
  const lines = [
    `Manual door ${door.id}`,
    ...formatFields([
      ['status', door.status],
      ['what', door.what],
      ['where', door.where],
      ['supplier', door.supplierId],
      ['custodian', formatCustodian(door.custodian)],
      ['until', door.until],
      ['reason', door.reason],
      ['recorded', `by ${door.requestedBy} at ${door.createdAt}`],
      ['closed', door.closedAt ? `by ${door.closedBy ?? '?'} at ${door.closedAt}` : undefined],
      ['note', door.note],
    ]),
  ];
  // A door's trail is never empty: it is recorded with its `created` entry.
  if ('events' in door) lines.push('Events', ...formatEvents(door.events));
  return lines;
}
