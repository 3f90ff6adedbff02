import { Option, type Command } from 'commander';
import type { GrantWithCredential } from './api-types.js';
import { formatCredential, formatGrant } from './format.js';
import { registerListCommand } from './list-command.js';
import { collect, supplierReference, wholeNumber } from './options.js';
import { callAndPrint, registerShowCommand, type Session, type SessionFactory } from './session.js';

/** The providers the API knows; whether the server has each one configured is for it to say. */
const PROVIDERS = ['ldap', 'okta', 'entra'];
const ACCOUNT_KINDS = ['guest', 'member'];
/** What a grant opens: an account for the supplier's people, or a credential for its integration. */
const GRANT_KINDS = ['account', 'service'];

interface CreateOptions {
  provider: string;
  supplier?: string;
  organisation?: string;
  expiresAt?: string;
  days?: number;
  reason: string;
  contactEmail?: string;
  ticket?: string;
  group?: string[];
  account?: string;
  kind?: string;
}

/** The path of one grant, its id escaped: it comes from the command line. */
export function grantPath(id: string, sub = ''): string {
  return `/v1/grants/${encodeURIComponent(id)}${sub}`;
}

function credentialCommand(id: string): string {
  return `supplier-access grant credential ${id}`;
}

/** Every `grant` subcommand, in the order `grant --help` lists them. */
export function registerGrantCommands(grant: Command, session: SessionFactory): void {
  registerCreateCommand(grant, session);
  grant
    .command('credential')
    .description('fetch the one-time credential of a grant that answered 202 (provisioning)')
    .argument('<id>', 'grant id')
    .action(async (id: string, _options: unknown, command: Command) => claimCredential(session(command), id));

  registerListCommand(grant, session);

  registerShowCommand<GrantWithCredential>(grant, session, {
    description: 'a grant with its event trail',
    argument: 'grant id',
    path: grantPath,
    format: formatGrant,
  });

  registerExtensionCommands(grant, session);

  grant
    .command('shorten')
    .description('move the expiry earlier (an instant now or past closes the account now)')
    .argument('<id>', 'grant id')
    .requiredOption(
      '--expires-at <instant>',
      'the new, earlier expiry: an ISO-8601 instant with Z or an offset',
    )
    .requiredOption('--reason <text>', 'why access ends sooner')
    .action(async (id: string, options: { expiresAt: string; reason: string }, command: Command) =>
      shortenGrant(session(command), id, options),
    );

  grant
    .command('revoke')
    .description('close a grant now: lock the account and rotate its credentials')
    .argument('<id>', 'grant id')
    .requiredOption('--reason <text>', 'why access ends early')
    .action(async (id: string, options: { reason: string }, command: Command) =>
      revokeGrant(session(command), id, options.reason),
    );
}

function registerCreateCommand(grant: Command, session: SessionFactory): void {
  grant
    .command('create')
    .description('grant a supplier an expiring account named after its organisation')
    .addOption(
      new Option('--provider <provider>', 'identity provider').choices(PROVIDERS).makeOptionMandatory(),
    )
    .option('--supplier <id>', 'a registered supplier (see supplier list), instead of --organisation')
    .option(
      '--organisation <name>',
      'the supplier organisation by name: its registered supplier, or a new one (the account is named after it)',
    )
    .addOption(
      new Option('--expires-at <instant>', 'expiry: an ISO-8601 instant with Z or an offset').conflicts(
        'days',
      ),
    )
    .addOption(
      new Option('--days <n>', 'duration in whole days, instead of --expires-at').argParser(wholeNumber),
    )
    .requiredOption('--reason <text>', 'why the supplier needs access')
    .option('--contact-email <email>', "the supplier's contact e-mail")
    .option('--ticket <ticket>', 'the change or support ticket')
    .addOption(new Option('--group <group>', 'a group to add the account to (repeatable)').argParser(collect))
    .addOption(
      new Option('--account <kind>', 'guest or member, where the provider has both').choices(ACCOUNT_KINDS),
    )
    .addOption(
      new Option(
        '--kind <kind>',
        "account (the default) or service: a credential for the supplier's integration, its secret shown once",
      ).choices(GRANT_KINDS),
    )
    .action(async (options: CreateOptions, command: Command) => createGrant(session(command), options));
}

/** `grant extend`, `grant approve`, `grant reject`: the four-eyes extension flow. */
function registerExtensionCommands(grant: Command, session: SessionFactory): void {
  grant
    .command('extend')
    .description('ask for a later expiry; someone else must approve it')
    .argument('<id>', 'grant id')
    .requiredOption('--expires-at <instant>', 'the new expiry: an ISO-8601 instant with Z or an offset')
    .requiredOption('--reason <text>', 'why more time is needed')
    .action(async (id: string, options: { expiresAt: string; reason: string }, command: Command) => {
      const s = session(command);
      const body = { expiresAt: options.expiresAt, reason: options.reason };
      await callAndPrint<GrantWithCredential>(
        s,
        'POST',
        grantPath(id, '/extensions'),
        { body },
        (requested) => [
          `Extension requested; an approver other than you decides: supplier-access grant approve ${requested.id}`,
          ...formatGrant(requested),
        ],
      );
    });

  grant
    .command('approve')
    .description('approve the pending extension (not your own request)')
    .argument('<id>', 'grant id')
    .option('--reason <text>', 'a note recorded with the approval')
    .action(async (id: string, options: { reason?: string }, command: Command) => {
      const s = session(command);
      // The API takes no body at all when there is nothing to note.
      const body = options.reason === undefined ? undefined : { reason: options.reason };
      const answer = await s.api.call('POST', grantPath(id, '/extensions/approve'), { body });
      if (s.json) return s.out.json(answer.body);
      const approved = answer.body as GrantWithCredential;
      s.out.line(
        `Extension approved: the grant now expires at ${approved.expiresAt}.`,
        ...formatGrant(approved),
      );
      // Entra cannot move a client secret's end: the extension issued a new secret, which waits for one claim.
      if (approved.door === 'service')
        s.out.line(
          '',
          'Where the provider issued a new secret for it, take it once with:',
          `  ${credentialCommand(id)}`,
        );
    });

  grant
    .command('reject')
    .description('reject the pending extension; the expiry stays as it was')
    .argument('<id>', 'grant id')
    .requiredOption('--reason <text>', 'why the extension is refused')
    .action(async (id: string, options: { reason: string }, command: Command) => {
      const s = session(command);
      const body = { reason: options.reason };
      await callAndPrint<GrantWithCredential>(
        s,
        'POST',
        grantPath(id, '/extensions/reject'),
        { body },
        (rejected) => [
          `Extension rejected: the grant still expires at ${rejected.expiresAt}.`,
          ...formatGrant(rejected),
        ],
      );
    });
}

async function createGrant(s: Session, options: CreateOptions): Promise<void> {
  const body = {
    provider: options.provider,
    ...supplierReference(options),
    expiresAt: options.expiresAt,
    durationDays: options.days,
    reason: options.reason,
    ticket: options.ticket,
    groups: options.group,
    account: options.account,
    kind: options.kind,
  };
  // Fields left undefined are dropped by JSON.stringify: the API sees only what was given.
  const answer = await s.api.call('POST', '/v1/grants', { body });
  const grant = answer.body as GrantWithCredential;
  const provisioning = [
    'The account is still being created (the directory is slow to answer).',
    'Fetch its one-time credential once it exists with:',
    `  ${credentialCommand(grant.id)}`,
  ];
  if (s.json) {
    s.out.json(grant);
    // stdout stays pure JSON for pipes; the hint goes to stderr.
    if (answer.status === 202) s.out.error(...provisioning);
    return;
  }
  if (answer.status === 202) return s.out.line(...formatGrant(grant), '', ...provisioning);
  s.out.line(...formatGrant(grant));
  if (grant.credential) s.out.line(...formatCredential(grant.credential));
  else
    s.out.line('', 'No password passes through supplier-access: the provider invites the supplier itself.');
}

async function claimCredential(s: Session, id: string): Promise<void> {
  const answer = await s.api.call('POST', grantPath(id, '/credential'));
  if (s.json) return s.out.json(answer.body);
  const grant = answer.body as GrantWithCredential;
  if (answer.status === 202) {
    return s.out.line(
      'The account is still being created; ask again in a moment:',
      `  ${credentialCommand(grant.id)}`,
    );
  }
  s.out.line(...formatGrant(grant));
  if (grant.credential) s.out.line(...formatCredential(grant.credential));
}

async function shortenGrant(
  s: Session,
  id: string,
  { expiresAt, reason }: { expiresAt: string; reason: string },
): Promise<void> {
  const answer = await s.api.call('POST', grantPath(id, '/shorten'), { body: { expiresAt, reason } });
  if (s.json) return s.out.json(answer.body);
  const grant = answer.body as GrantWithCredential;
  if (answer.status === 202) {
    s.out.line(
      'Shortening recorded, but the directory has not confirmed it yet; it is applied as soon as the directory',
      `answers. Follow it with: supplier-access grant show ${grant.id}`,
    );
  } else if (grant.status === 'active' || grant.status === 'extension-requested') {
    s.out.line(`Shortened: the grant now expires at ${grant.expiresAt}.`);
  } else s.out.line(`Shortened to now: ${grant.account.username} is locked and its credentials rotated.`);
  s.out.line(...formatGrant(grant));
}

async function revokeGrant(s: Session, id: string, reason: string): Promise<void> {
  const answer = await s.api.call('POST', grantPath(id, '/revoke'), { body: { reason } });
  if (s.json) return s.out.json(answer.body);
  const grant = answer.body as GrantWithCredential;
  if (answer.status === 202) {
    s.out.line(
      'Revoke recorded, but the directory has not confirmed it yet: the account is locked and its credentials',
      `rotated as soon as the directory answers. Follow it with: supplier-access grant show ${grant.id}`,
    );
  } else s.out.line(`Revoked: ${grant.account.username} is locked and its credentials rotated.`);
  s.out.line(...formatGrant(grant));
}
