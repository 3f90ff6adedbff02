import { Option, type Command } from 'commander';
import type { GrantWithCredential, LendList, SharedAccount, SharedAccountDetail } from './api-types.js';
import { CliError } from './client.js';
import { formatCredential, formatGrant, formatGrantTable } from './format.js';
import { supplierReference, wholeNumber } from './options.js';
import { registerCollectionCommands, type PagingOptions } from './paged-listing.js';
import { callAndPrint, type Session, type SessionFactory } from './session.js';
import { formatCustodianCredential, formatSharedAccount, formatSharedAccountTable } from './shared-format.js';

const PROVIDERS = ['ldap', 'okta', 'entra'];

interface AddOptions {
  provider: string;
  account: string;
  label: string;
  custodian: string;
  custodianEmail?: string;
  rotateEveryDays?: number;
}

interface UpdateOptions {
  label?: string;
  custodian?: string;
  custodianEmail?: string;
  rotateEveryDays?: number;
  /** False with `--no-scheduled-rotation`. */
  scheduledRotation?: boolean;
}

interface LendOptions {
  supplier?: string;
  organisation?: string;
  contactEmail?: string;
  until?: string;
  days?: number;
  reason: string;
  ticket?: string;
}

/** The path of one shared account, its id escaped: it comes from the command line. */
const sharedPath = (id: string, sub = '') => `/v1/shared-accounts/${encodeURIComponent(id)}${sub}`;

/** Every `shared` subcommand: add, list, show, update, lend, lends, return, claim, discard, rotate. */
export function registerSharedCommands(shared: Command, session: SessionFactory): void {
  shared
    .command('add')
    .description('register an existing account to lend to suppliers, with its custodian')
    .addOption(
      new Option('--provider <provider>', 'identity provider').choices(PROVIDERS).makeOptionMandatory(),
    )
    .requiredOption(
      '--account <ref>',
      'the existing account: an LDAP/AD DN, an Okta user id or login, an Entra user id or userPrincipalName',
    )
    .requiredOption('--label <text>', 'what the account is for ("Website admin")')
    .requiredOption('--custodian <name>', "the custodian's API token name: who gets the password back")
    .option('--custodian-email <email>', 'where the custodian is told that a new password waits')
    .addOption(
      new Option('--rotate-every-days <n>', 'rotate the password this often while not lent').argParser(
        wholeNumber,
      ),
    )
    .action(async (options: AddOptions, command: Command) => {
      const s = session(command);
      const body = {
        provider: options.provider,
        account: options.account,
        label: options.label,
        custodian: { name: options.custodian, email: options.custodianEmail },
        rotationIntervalDays: options.rotateEveryDays,
      };
      await callAndPrint<SharedAccount>(s, 'POST', '/v1/shared-accounts', { body }, (created) => [
        ...formatSharedAccount(created),
        '',
        `Lend it with: supplier-access shared lend ${created.id} --organisation … --days … --reason …`,
      ]);
    });

  registerCollectionCommands<SharedAccount, SharedAccountDetail, { provider?: string } & PagingOptions>(
    shared,
    session,
    {
      path: '/v1/shared-accounts',
      key: 'sharedAccounts',
      perPage: 'accounts',
      list: 'list shared accounts, newest first',
      filters: (list) =>
        list.addOption(new Option('--provider <provider>', 'only this provider').choices(PROVIDERS)),
      query: (options) => ({ provider: options.provider }),
      table: formatSharedAccountTable,
      none: 'No shared account matches.',
      show: 'a shared account with its live lend, recent lends and trail',
      argument: 'shared account id',
      format: formatSharedAccount,
    },
  );

  registerUpdateCommand(shared, session);
  registerLendCommands(shared, session);
  registerCustodianCommands(shared, session);
}

function registerUpdateCommand(shared: Command, session: SessionFactory): void {
  shared
    .command('update')
    .description('change the label, custodian or rotation interval of a shared account')
    .argument('<id>', 'shared account id')
    .option('--label <text>', 'a new label')
    .option('--custodian <name>', 'a new custodian (with --custodian-email if there is one)')
    .option('--custodian-email <email>', "the new custodian's e-mail address (with --custodian)")
    .addOption(
      new Option('--rotate-every-days <n>', 'a new rotation interval')
        .argParser(wholeNumber)
        .conflicts('scheduledRotation'),
    )
    .option('--no-scheduled-rotation', 'rotate only around lends from now on')
    .action(async (id: string, options: UpdateOptions, command: Command) => {
      const s = session(command);
      if (options.custodianEmail !== undefined && options.custodian === undefined)
        throw new CliError('--custodian-email needs --custodian: the custodian is replaced as a whole', 2);
      const body = {
        label: options.label,
        custodian:
          options.custodian === undefined
            ? undefined
            : { name: options.custodian, email: options.custodianEmail },
        rotationIntervalDays: options.scheduledRotation === false ? null : options.rotateEveryDays,
      };
      await callAndPrint<SharedAccount>(s, 'PATCH', sharedPath(id), { body }, (updated) => [
        'Shared account updated.',
        ...formatSharedAccount(updated),
      ]);
    });
}

function registerLendCommands(shared: Command, session: SessionFactory): void {
  shared
    .command('lend')
    .description('lend a shared account to a supplier: its password is rotated and handed to you once')
    .argument('<id>', 'shared account id')
    .option('--supplier <id>', 'a registered supplier (see supplier list), instead of --organisation')
    .option('--organisation <name>', 'the supplier by name: its registered supplier, or a new one')
    .option('--contact-email <email>', "the supplier's contact e-mail (with --organisation)")
    .addOption(new Option('--until <instant>', 'when the lend ends: an ISO-8601 instant').conflicts('days'))
    .addOption(new Option('--days <n>', 'duration in whole days, instead of --until').argParser(wholeNumber))
    .requiredOption('--reason <text>', 'why the supplier needs the account')
    .option('--ticket <ticket>', 'the change or support ticket')
    .action(async (id: string, options: LendOptions, command: Command) =>
      lend(session(command), id, options),
    );

  shared
    .command('lends')
    .description('who held a shared account, from when to when, newest first')
    .argument('<id>', 'shared account id')
    .action(async (id: string, _options: unknown, command: Command) =>
      callAndPrint<LendList>(session(command), 'GET', sharedPath(id, '/lends'), {}, ({ lends }) =>
        lends.length === 0 ? ['No lend yet.'] : formatGrantTable(lends),
      ),
    );

  shared
    .command('return')
    .description('end the live lend now: the password is rotated at once and waits for the custodian')
    .argument('<id>', 'shared account id')
    .requiredOption('--reason <text>', 'why the lend ends early')
    .action(async (id: string, options: { reason: string }, command: Command) => {
      const s = session(command);
      const answer = await s.api.call('POST', sharedPath(id, '/return'), {
        body: { reason: options.reason },
      });
      if (s.json) return s.out.json(answer.body);
      const lend = answer.body as GrantWithCredential;
      s.out.line(
        answer.status === 202
          ? 'Return recorded; the password is rotated as soon as the directory answers. Follow it with: ' +
              `supplier-access grant show ${lend.id}`
          : 'Returned: the password the supplier had no longer works; a new one waits for the custodian.',
        ...formatGrant(lend),
      );
    });
}

async function lend(s: Session, id: string, options: LendOptions): Promise<void> {
  const body = {
    ...supplierReference(options),
    until: options.until,
    durationDays: options.days,
    reason: options.reason,
    ticket: options.ticket,
  };
  const answer = await s.api.call('POST', sharedPath(id, '/lends'), { body });
  const lent = answer.body as GrantWithCredential;
  const waiting = [
    'The password is still being rotated (the directory is slow to answer).',
    'Fetch it once it is done with:',
    `  supplier-access grant credential ${lent.id}`,
  ];
  if (s.json) {
    s.out.json(lent);
    if (answer.status === 202) s.out.error(...waiting);
    return;
  }
  s.out.line(...formatGrant(lent));
  if (answer.status === 202) return s.out.line('', ...waiting);
  if (lent.credential) s.out.line(...formatCredential(lent.credential));
}

function registerCustodianCommands(shared: Command, session: SessionFactory): void {
  shared
    .command('claim')
    .description("take the password waiting for the account's custodian (once)")
    .argument('<id>', 'shared account id')
    .action(async (id: string, _options: unknown, command: Command) =>
      callAndPrint(session(command), 'POST', sharedPath(id, '/credential'), {}, formatCustodianCredential),
    );

  shared
    .command('discard')
    .description('throw the waiting password away unseen: you reset the password yourself')
    .argument('<id>', 'shared account id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const s = session(command);
      await s.api.call('DELETE', sharedPath(id, '/credential'));
      if (s.json) return s.out.json({ discarded: true });
      s.out.line(
        'The waiting password was thrown away unseen. Reset the password yourself in the directory.',
      );
    });

  shared
    .command('rotate')
    .description('rotate the password now; the new one waits for the custodian')
    .argument('<id>', 'shared account id')
    .action(async (id: string, _options: unknown, command: Command) => {
      const s = session(command);
      const answer = await s.api.call('POST', sharedPath(id, '/rotate'));
      if (s.json) return s.out.json(answer.body);
      s.out.line(
        'Rotation started; claim the new password once it is done with:',
        `  supplier-access shared claim ${id}`,
      );
    });
}
