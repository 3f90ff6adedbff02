import type { Credential, Grant, GrantEvent, Problem } from './api-types.js';

/** The CLI flag behind each field the API may name in a `400`, so the user knows what to change. */
const FIELD_FLAGS: Record<string, string> = {
  provider: '--provider',
  'supplier.organisation': '--organisation',
  'supplier.contactEmail': '--contact-email',
  expiresAt: '--expires-at',
  durationDays: '--days',
  reason: '--reason',
  ticket: '--ticket',
  groups: '--group',
  account: '--account',
  id: '<id>',
  status: '--status',
  organisation: '--organisation',
  expiresBefore: '--expires-before',
  expiresAfter: '--expires-after',
  activeAt: '--active-at',
  limit: '--limit',
  cursor: '--cursor',
  supplierId: '--supplier',
  legalName: '--legal-name',
  'sponsor.name': '--sponsor-name',
  'sponsor.email': '--sponsor-email',
  contactEmails: '--contact-email',
  contractEnd: '--contract-end',
  notes: '--notes',
  name: '--name',
  contractEndsBefore: '--contract-ends-before',
  until: '--until',
  label: '--label',
  'custodian.name': '--custodian',
  'custodian.email': '--custodian-email',
  rotationIntervalDays: '--rotate-every-days',
  discoveredAt: '--discovered-at',
  occurredFrom: '--occurred-from',
  occurredUntil: '--occurred-until',
  personalInformation: '--personal-information',
  circumstances: '--circumstances',
  personsConcerned: '--persons-concerned',
  riskAssessment: '--risk-assessment',
  seriousRisk: '--serious-risk',
  commissionNotifiedAt: '--commission-notified-at',
  personsNotifiedAt: '--persons-notified-at',
  measures: '--measures',
  discoveredFrom: '--discovered-from',
  discoveredBefore: '--discovered-before',
};

/**
 * The lines that report an API problem: `error: <detail>`, then one line per failing field with the flag
 * to change when the field maps to one (`  --organisation / supplier.organisation: must not be empty`).
 */
export function formatProblem(problem: Problem): string[] {
  // For bad input the detail repeats the field lines below: say it once, field by field.
  const headline = problem.errors?.length ? problem.title : problem.detail || problem.title;
  const lines = [`error: ${headline} (HTTP ${problem.status})`];
  for (const { field, rule } of problem.errors ?? []) {
    // `groups.3` is the fourth --group: the flag is found without the array index.
    const flag = FIELD_FLAGS[field] ?? FIELD_FLAGS[field.replace(/\.\d+(?=\.|$)/g, '')];
    lines.push(`  ${flag ? `${flag} / ` : ''}${field}: ${rule}`);
  }
  if (problem.incidentId) {
    // A supplier under an incident's block: the way on is the incident, not another grant.
    lines.push(`  see the incident with: supplier-access incident show ${problem.incidentId}`);
    if (problem.supplierId)
      lines.push(
        `  an admin lifts the block with: supplier-access supplier unblock ${problem.supplierId} --reason <text>`,
      );
  } else if (problem.supplierId) {
    lines.push(`  the supplier is registered as ${problem.supplierId}; grant it access with:`);
    lines.push(`  supplier-access grant create --supplier ${problem.supplierId} …`);
  }
  if (problem.liveGrantId) {
    lines.push(`  the live grant is ${problem.liveGrantId}; to give more time:`);
    lines.push(
      `  supplier-access grant extend ${problem.liveGrantId} --expires-at <instant> --reason <text>`,
    );
  }
  if (problem.sharedAccountId)
    lines.push(`  the account is registered as shared account ${problem.sharedAccountId}`);
  return lines;
}

/** `label  value` lines with the values aligned; rows without a value are left out. */
export function formatFields(rows: [string, string | undefined][], indent = '  '): string[] {
  const shown = rows.filter((row): row is [string, string] => row[1] !== undefined && row[1] !== '');
  const width = Math.max(0, ...shown.map(([label]) => label.length));
  return shown.map(([label, value]) => `${indent}${label.padEnd(width)}  ${value}`);
}

/** An aligned text table: a header row, then one row per entry; the last column is not padded. */
export function formatTable(headers: string[], rows: string[][]): string[] {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  return [line(headers), ...rows.map(line)];
}

/** The registry listing's columns; `ENDED` beside the expiry says how and when an ended grant ended. */
export function formatGrantTable(grants: Grant[]): string[] {
  return formatTable(
    ['ID', 'PROVIDER', 'USERNAME', 'ORGANISATION', 'STATUS', 'EXPIRES AT', 'ENDED'],
    grants.map((g) => [
      g.id,
      g.provider,
      g.account.username,
      g.supplier.organisation,
      g.status,
      g.expiresAt,
      endedCell(g),
    ]),
  );
}

/** `revoked 2026-…Z`, with `, still open` while the account is not closed yet; empty for a live grant. */
function endedCell(grant: Grant): string {
  const ending = grant.ending ?? (grant.endedAt ? grant.status : undefined);
  if (!ending) return '';
  return `${ending} ${grant.endedAt ?? ''}`.trimEnd() + (grant.closing ? ', still open' : '');
}

/**
 * The expiry as `grant show` prints it: an ended grant that ended before its planned expiry (revoked, or failed)
 * never reached it, and says so beside it, so nobody reads the planned instant as when the account closed.
 */
function expiryLine(grant: Grant): string {
  const ending = grant.ending ?? grant.status;
  if (grant.endedAt && (ending === 'revoked' || ending === 'failed')) {
    return `${grant.expiresAt} (not reached: ${ending} at ${grant.endedAt})`;
  }
  return grant.expiresAt;
}

/** How the grant ended: `revoked at … by ada: the reason`. */
function endedLine(grant: Grant): string | undefined {
  if (!grant.endedAt) return undefined;
  const how = `${grant.ending ?? grant.status} at ${grant.endedAt}`;
  const by = grant.endedBy ? ` by ${grant.endedBy}` : '';
  return how + by + (grant.endReason ? `: ${grant.endReason}` : '');
}

/** When the account was closed, or that it is still usable while the service keeps trying to close it. */
function closedLine(grant: Grant): string | undefined {
  if (grant.closedAt) return grant.closedAt;
  if (grant.closing) return 'not yet: still usable until the directory disables it';
  return undefined;
}

/** A grant as `grant show` prints it: a heading, its fields, then its event trail when the API sent one. */
export function formatGrant(grant: Grant): string[] {
  const pending = grant.pendingExtension;
  const lines = [
    `Grant ${grant.id} (${grant.status})`,
    ...formatFields([
      ['provider', grant.provider],
      ['supplier', grant.supplierId],
      ['organisation', grant.supplier.organisation],
      ['contact e-mail', grant.supplier.contactEmail],
      ['username', grant.account.username],
      ['display name', grant.account.displayName],
      ['external id', grant.account.externalId ?? undefined],
      ['expires at', expiryLine(grant)],
      ['reason', grant.reason],
      ['ticket', grant.ticket],
      ['groups', grant.groups?.join(', ')],
      ['requested by', `${grant.requestedBy} at ${grant.createdAt}`],
      ['ended', endedLine(grant)],
      ['account closed', closedLine(grant)],
      [
        'pending extension',
        pending
          ? `to ${pending.expiresAt}, asked by ${pending.requestedBy} at ${pending.requestedAt}: ${pending.reason}`
          : undefined,
      ],
      ['failure', grant.failure ? `${grant.failure.kind}: ${grant.failure.message}` : undefined],
    ]),
  ];
  if (grant.events) lines.push('Events', ...formatEvents(grant.events));
  return lines;
}

/** The event trail as a table: when, what, who, and the details as `key=value`. */
export function formatEvents(events: GrantEvent[]): string[] {
  if (events.length === 0) return ['  (none)'];
  const rows = events.map((e) => [
    e.at,
    e.type,
    e.actor,
    Object.entries(e.details ?? {})
      .map(([key, value]) => `${key}=${value}`)
      .join(' '),
  ]);
  return formatTable(['AT', 'EVENT', 'ACTOR', 'DETAILS'], rows).map((line) => `  ${line}`);
}

/** The one-time credential, set apart and flagged as shown once: the API will not hand it out again. */
export function formatCredential(credential: Credential): string[] {
  return [
    '',
    'One-time credential — shown once, it cannot be displayed again; pass it to the supplier now:',
    ...formatFields([
      ['username', credential.username],
      ['password', credential.password],
    ]),
    ...(credential.firstSignIn ? ['', `First sign-in: ${credential.firstSignIn}`] : []),
  ];
}

/** Pretty-printed JSON, as `--json` prints the API's answers. */
export function formatJson(value: unknown): string {
  return JSON.stringify(value, null, 2);
}
