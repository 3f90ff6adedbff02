import { PresenceFilter, type Client, type Entry } from 'ldapts';
import { hasCode, ResultCode } from './connection.js';
import type { Dialect } from './dialect.js';

/** Reads one entry by DN (a base-scope search), or null when it does not exist. */
export async function readEntry(client: Client, dialect: Dialect, dn: string): Promise<Entry | null> {
  try {
    const { searchEntries } = await client.search(dn, {
      scope: 'base',
      filter: new PresenceFilter({ attribute: 'objectClass' }),
      attributes: dialect.readAttributes,
    });
    return searchEntries[0] ?? null;
  } catch (err) {
    if (hasCode(err, ResultCode.noSuchObject)) return null;
    throw err;
  }
}

/** An attribute type: a name (`uid`, `sAMAccountName`) or a numeric OID. */
const ATTRIBUTE_TYPE = /^\s*(?:[A-Za-z][A-Za-z0-9-]*|\d+(?:\.\d+)+)\s*$/;

/**
 * Whether `value` reads as a DN: one or more `type=value` RDNs separated by unescaped commas (a multi-valued RDN's
 * parts by `+`). A cheap syntax check before anything reaches the directory, so a name or a filter someone typed
 * where a DN belongs is refused as such rather than sent as a search base.
 */
export function looksLikeDn(value: string): boolean {
  if (value.trim() === '') return false;
  let part = '';
  const parts: string[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value[i] as string;
    if (c === '\\') {
      if (i + 1 >= value.length) return false;
      part += c + (value[++i] as string);
    } else if (c === ',' || c === '+') {
      parts.push(part);
      part = '';
    } else {
      part += c;
    }
  }
  parts.push(part);
  return parts.every((p) => {
    const eq = p.indexOf('=');
    return eq > 0 && ATTRIBUTE_TYPE.test(p.slice(0, eq)) && p.slice(eq + 1).trim() !== '';
  });
}
