import type { GrantQuery, GrantRecord, RegistryStore } from './types.js';

/**
 * Every page of a registry query, in the listing's order, for readers that want all of it (an export, a
 * supplier's grants) without holding more than a page of the query in flight.
 */
export async function* grantPages(
  registry: Pick<RegistryStore, 'listGrants'>,
  query: GrantQuery,
): AsyncGenerator<GrantRecord[]> {
  let after = query.after;
  do {
    const page = await registry.listGrants({ ...query, after });
    yield page.grants;
    after = page.next;
  } while (after);
}
