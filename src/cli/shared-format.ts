import type { CustodianCredential, SharedAccount, SharedAccountDetail } from './api-types.js';
import { formatCustodian, formatEvents, formatFields, formatGrantTable, formatTable } from './format.js';

/** The shared-account listing's columns. */
export function formatSharedAccountTable(accounts: SharedAccount[]): string[] {
  return formatTable(
    ['ID', 'PROVIDER', 'USERNAME', 'LABEL', 'CUSTODIAN', 'PASSWORD WAITING'],
    accounts.map((a) => [
      a.id,
      a.provider,
      a.account.username,
      a.label,
      a.custodian.name,
      a.credentialWaiting ? 'yes' : 'no',
    ]),
  );
}

/** A shared account as `shared show` prints it: its fields, then its live lend, lends and trail when sent. */
export function formatSharedAccount(account: SharedAccount | SharedAccountDetail): string[] {
  const lines = [
    `Shared account ${account.id}`,
    ...formatFields([
      ['provider', account.provider],
      ['username', account.account.username],
      ['external id', account.account.externalId],
      ['display name', account.account.displayName],
      ['label', account.label],
      ['custodian', formatCustodian(account.custodian)],
      [
        'rotation',
        account.rotationIntervalDays === undefined
          ? 'around lends only'
          : `every ${account.rotationIntervalDays} days while not lent`,
      ],
      ['last rotated at', account.lastRotatedAt],
      [
        'password waiting',
        account.credentialWaiting
          ? `yes, since ${account.credentialWaitingSince ?? '?'}, for the custodian to claim`
          : 'no',
      ],
      ['registered', `by ${account.createdBy} at ${account.createdAt}`],
      ['updated at', account.updatedAt],
    ]),
  ];
  if ('lends' in account) {
    const live = account.liveLend;
    lines.push(
      ...formatFields([
        [
          'lent to',
          live ? `${live.supplier.organisation} until ${live.expiresAt} (lend ${live.id})` : 'nobody',
        ],
      ]),
      'Lends',
      ...(account.lends.length === 0
        ? ['  (none)']
        : formatGrantTable(account.lends).map((line) => `  ${line}`)),
      'Events',
      ...formatEvents(account.events),
    );
  }
  return lines;
}

/** The custodian's password, set apart and flagged as shown once. */
export function formatCustodianCredential(answer: CustodianCredential): string[] {
  return [
    `The password of shared account ${answer.sharedAccountId} — shown once, it cannot be displayed again:`,
    ...formatFields([
      ['username', answer.credential.username],
      ['password', answer.credential.password],
      ['rotated at', answer.rotatedAt],
    ]),
  ];
}
