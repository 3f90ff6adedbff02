import type { Kysely } from 'kysely';
import type { ProviderName } from '../../domain/account.js';
import type { Database } from './schema.js';
import type { AccountNameReservation } from './types.js';

/**
 * The account name reserved for the supplier on the provider, or null. A supplier that earlier releases knew by
 * two spellings may hold two names; its new grants get the one reserved last (its most recent grant's).
 */
export async function accountNameOf(
  db: Kysely<Database>,
  provider: ProviderName,
  supplierKey: string,
): Promise<string | null> {
  const row = await db
    .selectFrom('account_names')
    .select('username')
    .where('provider', '=', provider)
    .where('supplier_key', '=', supplierKey)
    .orderBy('reserved_at', 'desc')
    .orderBy('username', 'desc')
    .executeTakeFirst();
  return row?.username ?? null;
}

/**
 * Reserves the name unless it is reserved already, then answers whose it is. The primary key (provider,
 * username) makes the insert the decision: of two processes reserving one name for two suppliers at once, the
 * second's insert does nothing and it reads the first one's key. A reservation is never changed or given up.
 */
export async function reserveAccountName(
  db: Kysely<Database>,
  reservation: AccountNameReservation,
): Promise<string> {
  const { provider, username, supplierKey, reservedAt } = reservation;
  await db
    .insertInto('account_names')
    .values({ provider, username, supplier_key: supplierKey, reserved_at: reservedAt })
    .onConflict((oc) => oc.columns(['provider', 'username']).doNothing())
    .execute();
  const holder = await db
    .selectFrom('account_names')
    .select('supplier_key')
    .where('provider', '=', provider)
    .where('username', '=', username)
    .executeTakeFirstOrThrow();
  return holder.supplier_key;
}
