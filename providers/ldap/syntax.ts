import type { Entry } from 'ldapts';

/**
 * Escapes a value for use inside one RDN (RFC 4514 §2.4), so a value can never end the RDN early or add
 * another one: `Acme, dc=evil` stays one value.
 */
export function escapeDnValue(value: string): string {
  const body = value.replace(/[\\"+,;<>=]/g, (c) => `\\${c}`).replace(/\0/g, '\\00');
  const lead = /^[ #]/.test(body) ? '\\' : '';
  return lead + (value.length > 1 && value.endsWith(' ') ? `${body.slice(0, -1)}\\ ` : body);
}

/** The DN one level up: everything after the first comma that is not escaped. */
export function parentDn(dn: string): string {
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === '\\') i++;
    else if (dn[i] === ',') return dn.slice(i + 1).trim();
  }
  return '';
}

/**
 * A key to compare DNs written by different tools: case and spaces around separators differ between writers,
 * the meaning does not. Good enough for DNs we built ourselves; not a full RFC 4514 normaliser.
 */
export function dnKey(dn: string): string {
  return dn.toLowerCase().replace(/\s*([,=+])\s*/g, '$1');
}

/**
 * Whether `dn` is `base` or an entry of its subtree, compared with `dnKey` RDN by RDN from the end, so an escaped
 * comma (`cn=x\,ou=groups`) never passes for a separator. Anything that does not read as a DN below `base` is
 * not within it.
 */
export function isWithinDn(dn: string, base: string): boolean {
  const wanted = dnKey(base);
  for (let at = dn.trim(); at !== ''; at = parentDn(at)) {
    if (dnKey(at) === wanted) return true;
  }
  return false;
}

/**
 * An ISO instant as LDAP GeneralizedTime, cut to the second. Cutting (not rounding) means the directory's
 * own expiry never comes later than the instant asked for.
 */
export function toGeneralizedTime(iso: string): string {
  const ms = Date.parse(iso);
  if (Number.isNaN(ms)) throw new RangeError(`not an ISO-8601 instant: ${iso}`);
  const d = new Date(ms);
  const pad = (n: number, width = 2): string => String(n).padStart(width, '0');
  return (
    pad(d.getUTCFullYear(), 4) +
    pad(d.getUTCMonth() + 1) +
    pad(d.getUTCDate()) +
    pad(d.getUTCHours()) +
    pad(d.getUTCMinutes()) +
    pad(d.getUTCSeconds()) +
    'Z'
  );
}

/** GeneralizedTime (`YYYYMMDDHH[MM[SS]][.f]Z` or with an offset) as ISO-8601 UTC; undefined if unreadable. */
export function fromGeneralizedTime(value: string | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})?(\d{2})?(?:[.,](\d+))?(Z|[+-]\d{4})$/.exec(value ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi = '00', s = '00', frac = '', zone = 'Z'] = m;
  const offset = zone === 'Z' ? 'Z' : `${zone.slice(0, 3)}:${zone.slice(3)}`;
  const ms = frac === '' ? '' : `.${frac.padEnd(3, '0').slice(0, 3)}`;
  const t = Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}${ms}${offset}`);
  return Number.isNaN(t) ? undefined : new Date(t).toISOString();
}

/** Every string value of an attribute, whatever case the server spelt its name in. */
export function values(entry: Entry, attribute: string): string[] {
  const wanted = attribute.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === wanted);
  const raw = key === undefined ? undefined : entry[key];
  if (raw === undefined) return [];
  const list = Array.isArray(raw) ? raw : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('utf8') : v));
}

/** The first string value of an attribute, or undefined. */
export function first(entry: Entry, attribute: string): string | undefined {
  return values(entry, attribute)[0];
}
