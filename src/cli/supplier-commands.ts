import { Option, type Command } from 'commander';
import type { Supplier, SupplierWithGrants } from './api-types.js';
import { CliError } from './client.js';
import { collect, wholeNumber } from './options.js';
import { showListing } from './paged-listing.js';
import { registerShowCommand, type Session, type SessionFactory } from './session.js';
import { formatSupplier, formatSupplierTable } from './supplier-format.js';

interface SupplierOptions {
  legalName?: string;
  sponsorName?: string;
  sponsorEmail?: string;
  contactEmail?: string[];
  contractEnd?: string;
  notes?: string;
}

interface UpdateOptions extends SupplierOptions {
  clearContractEnd?: boolean;
  clearNotes?: boolean;
}

interface ListOptions {
  name?: string;
  contractEndsBefore?: string;
  limit?: number;
  cursor?: string;
  all?: boolean;
}

/** The path of one supplier, its id escaped: it comes from the command line. */
const supplierPath = (id: string) => `/v1/suppliers/${encodeURIComponent(id)}`;

/** Every `supplier` subcommand: add, list, show, update. */
export function registerSupplierCommands(supplier: Command, session: SessionFactory): void {
  supplier
    .command('add')
    .description('register a supplier organisation, with the person inside who answers for it')
    .requiredOption('--legal-name <name>', "the supplier's legal name")
    .requiredOption('--sponsor-name <name>', 'the internal person answerable for the supplier')
    .option('--sponsor-email <email>', "the sponsor's e-mail address")
    .addOption(new Option('--contact-email <email>', 'a supplier contact (repeatable)').argParser(collect))
    .option('--contract-end <instant>', 'no grant of the supplier may run past this ISO-8601 instant')
    .option('--notes <text>', 'free notes')
    .action(async (options: SupplierOptions, command: Command) => {
      const s = session(command);
      const answer = await s.api.call('POST', '/v1/suppliers', { body: supplierBody(options) });
      if (s.json) return s.out.json(answer.body);
      const created = answer.body as Supplier;
      s.out.line(
        ...formatSupplier(created),
        '',
        `Grant it access with: supplier-access grant create --supplier ${created.id} …`,
      );
    });

  supplier
    .command('list')
    .description('list suppliers, newest first')
    .option('--name <text>', 'legal name contains this (ignoring case and accents)')
    .option('--contract-ends-before <instant>', 'contract ends strictly before this ISO-8601 instant')
    .addOption(
      new Option('--limit <n>', 'suppliers per page (the API defaults to 100)').argParser(wholeNumber),
    )
    .option('--cursor <cursor>', 'continue from where a previous page stopped')
    .addOption(new Option('--all', 'follow the pages until the last one'))
    .action(async (options: ListOptions, command: Command) => listSuppliers(session(command), options));

  registerShowCommand<SupplierWithGrants>(supplier, session, {
    description: 'a supplier with every grant it had, current and past',
    argument: 'supplier id',
    path: supplierPath,
    format: formatSupplier,
  });

  supplier
    .command('update')
    .description('change a supplier; a contract end moved earlier shortens its live grants')
    .argument('<id>', 'supplier id')
    .option('--legal-name <name>', 'another spelling of the same legal name')
    .option('--sponsor-name <name>', 'a new sponsor (with --sponsor-email if there is one)')
    .option('--sponsor-email <email>', "the new sponsor's e-mail address (with --sponsor-name)")
    .addOption(
      new Option(
        '--contact-email <email>',
        'the supplier contacts, replacing the list (repeatable)',
      ).argParser(collect),
    )
    .addOption(
      new Option('--contract-end <instant>', 'a new contract end (ISO-8601 instant)').conflicts(
        'clearContractEnd',
      ),
    )
    .option('--clear-contract-end', 'the contract has no end on record any more')
    .addOption(new Option('--notes <text>', 'new notes').conflicts('clearNotes'))
    .option('--clear-notes', 'remove the notes')
    .action(async (id: string, options: UpdateOptions, command: Command) => {
      const s = session(command);
      if (options.sponsorEmail !== undefined && options.sponsorName === undefined)
        throw new CliError('--sponsor-email needs --sponsor-name: the sponsor is replaced as a whole', 2);
      const body = {
        ...supplierBody(options),
        ...(options.clearContractEnd ? { contractEnd: null } : {}),
        ...(options.clearNotes ? { notes: null } : {}),
      };
      const answer = await s.api.call('PATCH', supplierPath(id), { body });
      if (s.json) return s.out.json(answer.body);
      s.out.line('Supplier updated.', ...formatSupplier(answer.body as Supplier));
    });
}

/** The body of `add` and `update`; fields left undefined are dropped by JSON.stringify. */
function supplierBody(options: SupplierOptions) {
  return {
    legalName: options.legalName,
    sponsor:
      options.sponsorName === undefined
        ? undefined
        : { name: options.sponsorName, email: options.sponsorEmail },
    contactEmails: options.contactEmail,
    contractEnd: options.contractEnd,
    notes: options.notes,
  };
}

function listSuppliers(s: Session, options: ListOptions): Promise<void> {
  return showListing<Supplier>(s, options, {
    path: '/v1/suppliers',
    key: 'suppliers',
    query: { name: options.name, contractEndsBefore: options.contractEndsBefore, limit: options.limit },
    table: formatSupplierTable,
    none: 'No supplier matches.',
  });
}
