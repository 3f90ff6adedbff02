/**
 * Pure conversions for the Active Directory dialect, unit-tested on their own (test/providers/ad-mapping.test.ts);
 * the dialect itself is tested against a Samba AD domain controller (test/providers/ad.test.ts).
 */

/** 100-ns intervals between 1601-01-01T00:00:00Z (the Windows FILETIME epoch) and the Unix epoch. */
const EPOCH_OFFSET_MS = 11_644_473_600_000n;
const TICKS_PER_MS = 10_000n;
/** Both values AD uses for an account that never expires. */
const NEVER = new Set(['0', '9223372036854775807']);

/**
 * The longest value AD takes in each attribute the dialect writes (the schema's `rangeUpper`), counted in UTF-16
 * units as AD counts them. A longer one fails the whole add with 21 (invalidAttributeSyntax). `cn` and
 * `sAMAccountName` hold the account name (and `cn` names the entry): the naming rule keeps it within 20, and it
 * is never cut here.
 */
export const AD_LIMITS = {
  cn: 64,
  sAMAccountName: 20,
  displayName: 256,
  company: 64,
  mail: 256,
  description: 1024,
} as const;

/**
 * `value` cut to at most `max` UTF-16 units, never through a character: a surrogate pair that would be split
 * goes whole, since half of one is not text AD (or anyone reading it) can use.
 */
export function fitTo(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}

/** `userAccountControl` flags (MS-ADTS 2.2.16). */
export const UAC = {
  ACCOUNTDISABLE: 0x2,
  NORMAL_ACCOUNT: 0x200,
} as const;

/** An ISO instant as `accountExpires` ticks, cut to the millisecond. */
export function isoToAdTicks(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  return ((BigInt(ms) + EPOCH_OFFSET_MS) * TICKS_PER_MS).toString();
}

/** `accountExpires` ticks as an ISO instant; undefined for "never" and for unreadable values. */
export function adTicksToIso(ticks: string | undefined): string | undefined {
  if (ticks === undefined || NEVER.has(ticks) || !/^\d+$/.test(ticks)) return undefined;
  const ms = BigInt(ticks) / TICKS_PER_MS - EPOCH_OFFSET_MS;
  const date = new Date(Number(ms));
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/** `unicodePwd` takes the password in double quotes, encoded UTF-16LE, as raw bytes (write-only, TLS only). */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/** Parses `userAccountControl`; a missing or unreadable value reads as a normal, enabled account. */
export function parseUac(value: string | undefined): number {
  const n = Number.parseInt(value ?? '', 10);
  return Number.isInteger(n) ? n : UAC.NORMAL_ACCOUNT;
}

export function isDisabled(uac: number): boolean {
  return (uac & UAC.ACCOUNTDISABLE) !== 0;
}

/** The same flags with ACCOUNTDISABLE set; every other bit kept as the directory had it. */
export function withDisabled(uac: number): number {
  return uac | UAC.ACCOUNTDISABLE;
}

/** The same flags with ACCOUNTDISABLE cleared; every other bit kept as the directory had it. */
export function withEnabled(uac: number): number {
  return uac & ~UAC.ACCOUNTDISABLE;
}

/** The DNS domain a DN lies in, from its `DC=` parts (`OU=Suppliers,DC=corp,DC=example` → `corp.example`). */
export function dnsDomainOf(dn: string): string | undefined {
  const parts = [...dn.matchAll(/(?:^|,)\s*DC\s*=\s*([^,]+)/gi)].map((m) => (m[1] ?? '').trim());
  return parts.length > 0 ? parts.join('.').toLowerCase() : undefined;
}

/**
 * What the supplier is told with the one-time password. AD creates the account with `pwdLastSet: 0`, and then
 * refuses a plain LDAP bind with that password (`data 773`) until it is changed through Kerberos or a Windows
 * sign-in: handing the password over without saying so would look like a broken account.
 */
export function adFirstSignIn(username: string, usersDN: string): string {
  const domain = dnsDomainOf(usersDN);
  const windows = domain ? `${username}@${domain}` : username;
  const kerberos = domain ? `${username}@${domain.toUpperCase()}` : username;
  return (
    'Change this one-time password first: Active Directory refuses it for LDAP sign-in until it is changed. ' +
    `Sign in to Windows as ${windows} (it asks for a new password), or run: kpasswd ${kerberos}`
  );
}
