import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openRegistry } from '../../src/registry/store.js';
import { backends, migrateToBefore, type Backend } from './backends.js';
import { at, DAY, grantRecord } from './grants.js';
import { insertGrantAs0004 } from './legacy.js';

/** `0008-shared-accounts` on a registry an earlier release wrote: its grants stay accounts, lends can be added. */
describe.each(backends)('the shared accounts migration on $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('keeps the grants of a registry written before shared accounts as accounts, and registers each directory account once', async () => {
    const location = await backend.freshDatabase();
    const grant = grantRecord({ username: 'sup-before-lends' });
    const before: Kysely<any> = backend.connect(location);
    try {
      await migrateToBefore(before, '0008-shared-accounts');
      await insertGrantAs0004(before, grant, 'active');
    } finally {
      await before.destroy();
    }
    await (await openRegistry(location)).close();

    const db: Kysely<any> = backend.connect(location);
    try {
      const row = await db
        .selectFrom('grants')
        .select(['door', 'shared_account_id'])
        .where('id', '=', grant.id)
        .executeTakeFirstOrThrow();
      expect(row).toEqual({ door: 'account', shared_account_id: null });

      const shared = {
        provider: 'ldap',
        username: 'webadmin',
        external_id: 'uid=webadmin,ou=people,dc=example,dc=test',
        display_name: 'Website admin',
        label: 'Website admin',
        custodian_name: 'carol',
        created_by: 'alice',
        created_at: at(DAY),
        updated_at: at(DAY),
      };
      await db
        .insertInto('shared_accounts')
        .values({ id: 'shared-1', ...shared })
        .execute();
      await expect(
        db
          .insertInto('shared_accounts')
          .values({ id: 'shared-2', ...shared })
          .execute(),
      ).rejects.toThrow();
      await db
        .insertInto('shared_account_events')
        .values({ shared_account_id: 'shared-1', seq: 1, type: 'registered', at: at(DAY), actor: 'alice' })
        .execute();
      await expect(
        db
          .insertInto('shared_account_events')
          .values({ shared_account_id: 'shared-1', seq: 1, type: 'rotated', at: at(DAY), actor: 'system' })
          .execute(),
      ).rejects.toThrow();
      const lend = grantRecord({ username: 'webadmin' });
      await insertGrantAs0004(db, lend, 'active');
      await db
        .updateTable('grants')
        .set({ door: 'lend', shared_account_id: 'shared-1' })
        .where('id', '=', lend.id)
        .execute();
      const lends = await db
        .selectFrom('grants')
        .select('id')
        .where('shared_account_id', '=', 'shared-1')
        .execute();
      expect(lends).toEqual([{ id: lend.id }]);
    } finally {
      await db.destroy();
    }
  });
});
