import { Option, type Command } from 'commander';
import type { ManualDoor, ManualDoorDetail } from './api-types.js';
import { formatCustodian, formatEvents, formatFields, formatTable } from './format.js';
import { wholeNumber } from './options.js';
import { registerCollectionCommands, type PagingOptions } from './paged-listing.js';
import { callAndPrint, type SessionFactory } from './session.js';

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

interface ManualListOptions extends PagingOptions {
  status?: string;
  supplier?: string;
  activeAt?: string;
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
      await callAndPrint<ManualDoor>(s, 'POST', '/v1/manual-doors', { body }, (door) => [
        ...formatManualDoor(door),
        '',
        `Its custodian is reminded before ${door.until}; once closed: supplier-access manual attest ${door.id} --note …`,
      ]);
    });

  registerCollectionCommands<ManualDoor, ManualDoorDetail, ManualListOptions>(manual, session, {
    path: '/v1/manual-doors',
    key: 'manualDoors',
    perPage: 'doors',
    list: 'list manual doors, newest first',
    filters: (list) =>
      list
        .addOption(
          new Option('--status <status>', 'only doors in this status').choices(['open', 'overdue', 'closed']),
        )
        .option('--supplier <id>', 'only the doors of this supplier')
        .option('--active-at <instant>', 'only doors open at this instant'),
    query: (options) => ({
      status: options.status,
      supplierId: options.supplier,
      activeAt: options.activeAt,
    }),
    table: formatManualDoorTable,
    none: 'No manual door matches.',
    show: 'a manual door with its trail',
    argument: 'manual door id',
    format: formatManualDoor,
  });

  manual
    .command('attest')
    .description('attest a manual door closed (its custodian or an admin)')
    .argument('<id>', 'manual door id')
    .option('--note <text>', 'how it was closed, or what was found')
    .action(async (id: string, options: { note?: string }, command: Command) =>
      callAndPrint<ManualDoor>(
        session(command),
        'POST',
        doorPath(id, '/attest'),
        { body: { note: options.note } },
        (door) => ['Attested closed.', ...formatManualDoor(door)],
      ),
    );
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
