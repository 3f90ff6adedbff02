import { writeFile } from 'node:fs/promises';
import { InvalidArgumentError, Option, type Command } from 'commander';
import type { Incident, IncidentDetail, OpenedIncident, Supplier } from './api-types.js';
import { CliError } from './client.js';
import { formatIncident, formatIncidentTable, formatOpenedIncident } from './incident-format.js';
import { collect, wholeNumber } from './options.js';
import { showListing } from './paged-listing.js';
import { registerShowCommand, type Session, type SessionFactory } from './session.js';
import { formatSupplier } from './supplier-format.js';

/** The register's fields as flags: `--persons-concerned` is `personsConcerned`. */
const FIELDS = {
  reason: ['--reason <text>', 'what happened, in a sentence'],
  discoveredAt: ['--discovered-at <instant>', 'when the organisation became aware of it (ISO-8601)'],
  occurredFrom: ['--occurred-from <instant>', "the incident's start, known or estimated"],
  occurredUntil: ['--occurred-until <instant>', 'its end, when known'],
  personalInformation: ['--personal-information <text>', 'the personal information concerned'],
  circumstances: ['--circumstances <text>', 'a brief description of the circumstances'],
  personsConcerned: ['--persons-concerned <n>', 'the number of persons concerned'],
  riskAssessment: ['--risk-assessment <text>', 'the assessment of the risk of serious injury'],
  seriousRisk: ['--serious-risk <yes|no>', 'whether it presents a risk of serious injury'],
  commissionNotifiedAt: ['--commission-notified-at <instant>', 'when the Commission was notified'],
  personsNotifiedAt: ['--persons-notified-at <instant>', 'when the persons concerned were notified'],
  measures: ['--measures <text>', 'the measures taken to reduce the risk of injury'],
} as const;

type Field = keyof typeof FIELDS;
type FieldOptions = Partial<Record<Field, string | number | boolean>>;

function yesNo(value: string): boolean {
  if (/^(yes|true)$/i.test(value)) return true;
  if (/^(no|false)$/i.test(value)) return false;
  throw new InvalidArgumentError('must be yes or no.');
}

/** Adds every field's flag; `required` ones must be given (opening needs a reason and a discovery). */
function withFields(command: Command, required: readonly Field[] = []): Command {
  for (const [field, [flags, description]] of Object.entries(FIELDS) as [
    Field,
    readonly [string, string],
  ][]) {
    const option = new Option(flags, description);
    if (field === 'personsConcerned') option.argParser(wholeNumber);
    if (field === 'seriousRisk') option.argParser(yesNo);
    if (required.includes(field)) option.makeOptionMandatory();
    command.addOption(option);
  }
  return command;
}

/** The body of the register's fields given on the command line; the rest are left out. */
function fieldsBody(options: FieldOptions): Record<string, unknown> {
  return Object.fromEntries(Object.keys(FIELDS).map((field) => [field, options[field as Field]]));
}

const FILTERS = (command: Command) =>
  command
    .option('--supplier <id>', 'only the incidents of this supplier')
    .option('--discovered-from <instant>', 'discovered at or after this instant')
    .option('--discovered-before <instant>', 'discovered strictly before this instant');

interface FilterOptions {
  supplier?: string;
  discoveredFrom?: string;
  discoveredBefore?: string;
}

const filterQuery = (options: FilterOptions) => ({
  supplierId: options.supplier,
  discoveredFrom: options.discoveredFrom,
  discoveredBefore: options.discoveredBefore,
});

const incidentPath = (id: string) => `/v1/incidents/${encodeURIComponent(id)}`;

/** Every `incident` subcommand: open, create, list, show, update, export. */
export function registerIncidentCommands(incident: Command, session: SessionFactory): void {
  withFields(
    incident
      .command('open')
      .description(
        'a supplier was breached: close every door it holds, block it and open the register entry (admin)',
      )
      .argument('<supplierId>', 'the supplier (see supplier list)'),
    ['reason', 'discoveredAt'],
  ).action(async (supplierId: string, options: FieldOptions, command: Command) => {
    const s = session(command);
    const path = `/v1/suppliers/${encodeURIComponent(supplierId)}/incident`;
    const answer = await s.api.call('POST', path, { body: fieldsBody(options) });
    if (s.json) return s.out.json(answer.body);
    const opened = answer.body as OpenedIncident;
    s.out.line(...formatOpenedIncident(opened));
    if (opened.pending > 0)
      s.out.line('', `Still closing; follow it with: supplier-access incident show ${opened.incident.id}`);
  });

  withFields(
    incident
      .command('create')
      .description('record an incident without a supplier, about an internal account (admin)'),
    ['reason', 'discoveredAt'],
  ).action(async (options: FieldOptions, command: Command) => {
    const s = session(command);
    const answer = await s.api.call('POST', '/v1/incidents', { body: fieldsBody(options) });
    if (s.json) return s.out.json(answer.body);
    s.out.line(...formatIncident(answer.body as IncidentDetail));
  });

  FILTERS(incident.command('list').description('the confidentiality-incident register, newest first'))
    .addOption(
      new Option('--limit <n>', 'incidents per page (the API defaults to 100)').argParser(wholeNumber),
    )
    .option('--cursor <cursor>', 'continue from where a previous page stopped')
    .addOption(new Option('--all', 'follow the pages until the last one'))
    .action(
      async (options: FilterOptions & { limit?: number; cursor?: string; all?: boolean }, command: Command) =>
        showListing<Incident>(session(command), options, {
          path: '/v1/incidents',
          key: 'incidents',
          query: { ...filterQuery(options), limit: options.limit },
          table: formatIncidentTable,
          none: 'No incident matches.',
        }),
    );

  registerShowCommand<IncidentDetail>(incident, session, {
    description: 'a register entry: the doors it closes, those the supplier held, every change',
    argument: 'incident id',
    path: incidentPath,
    format: formatIncident,
  });

  withFields(
    incident
      .command('update')
      .description('complete or correct a register entry; every change is kept (admin)')
      .argument('<id>', 'incident id')
      .addOption(
        new Option(
          '--clear <field>',
          'make a field unknown again, e.g. occurredUntil (repeatable)',
        ).argParser(collect),
      ),
  ).action(async (id: string, options: FieldOptions & { clear?: string[] }, command: Command) => {
    const s = session(command);
    const cleared = Object.fromEntries((options.clear ?? []).map((field) => [field, null]));
    const body = { ...fieldsBody(options), ...cleared };
    const answer = await s.api.call('PATCH', incidentPath(id), { body });
    if (s.json) return s.out.json(answer.body);
    s.out.line('Incident updated.', ...formatIncident(answer.body as IncidentDetail));
  });

  FILTERS(incident.command('export').description('the register as CSV or JSON, for the Commission'))
    .addOption(new Option('--format <format>', 'csv or json').choices(['csv', 'json']).default('csv'))
    .option('--out <file>', 'write the export to this file instead of stdout')
    .action(async (options: FilterOptions & { format: 'csv' | 'json'; out?: string }, command: Command) =>
      exportRegister(session(command), options),
    );
}

/** `supplier unblock`: lifts an incident's block, so the supplier may have doors again. */
export function registerUnblockCommand(supplier: Command, session: SessionFactory): void {
  supplier
    .command('unblock')
    .description("lift an incident's block: the supplier may have new doors again (admin)")
    .argument('<id>', 'supplier id')
    .requiredOption('--reason <text>', 'why it may have doors again')
    .action(async (id: string, options: { reason: string }, command: Command) => {
      const s = session(command);
      const path = `/v1/suppliers/${encodeURIComponent(id)}/block`;
      const answer = await s.api.call('DELETE', path, { body: { reason: options.reason } });
      if (s.json) return s.out.json(answer.body);
      s.out.line('Block lifted.', ...formatSupplier(answer.body as Supplier));
    });
}

async function exportRegister(
  s: Session,
  options: FilterOptions & { format: 'csv' | 'json'; out?: string },
): Promise<void> {
  const csv = options.format === 'csv';
  const { body } = await s.api.call('GET', `/v1/incidents.${options.format}`, {
    query: filterQuery(options),
    accept: csv ? 'text/csv' : 'application/json',
  });
  const text = typeof body === 'string' ? body : `${JSON.stringify(body, null, 2)}\n`;
  if (options.out === undefined) return s.out.raw(text);
  try {
    await writeFile(options.out, text);
  } catch (err) {
    throw new CliError(`cannot write ${options.out}: ${(err as Error).message}`);
  }
  s.out.line(`Wrote the incident register to ${options.out} (${Buffer.byteLength(text)} bytes).`);
}
