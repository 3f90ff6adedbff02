/**
 * Pure conversions for the Active Directory dialect. There is no AD server here to test against, so these
 * are unit-tested on their own (test/providers/ad-mapping.test.ts) and the AD dialect only combines them.
 */

/** 100-ns intervals between 1601-01-01T00:00:00Z (the Windows FILETIME epoch) and the Unix epoch. */
const EPOCH_OFFSET_MS = 11_644_473_600_000n;
const TICKS_PER_MS = 10_000n;
/** Both values AD uses for an account that never expires. */
const NEVER = new Set(['0', '9223372036854775807']);

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
