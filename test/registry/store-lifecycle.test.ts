import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../src/local-stack/tools.js';
import { openRegistry, RegistryMigrationError } from '../../src/registry/store.js';
import type { GrantRecord } from '../../src/registry/types.js';
import { backends, migrateToFirstRelease, type Backend } from './backends.js';
import { addGrant, at, DAY, end, grantRecord, HOUR, provision } from './grants.js';

const execFileAsync = promisify(execFile);

describe.each(backends)('registry database on $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('keeps every grant and event after the database is closed and opened again', async () => {
    const location = await backend.freshDatabase();
    const first = await openRegistry(location);
    const grant = await addGrant(first, { organisation: 'Électricité Côté' });
    await provision(first, grant, at(HOUR));
    await end(first, grant, at(DAY), 'revoked');
    const before = { grant: await first.getGrant(grant.id), events: await first.listEvents(grant.id) };
    await first.close();

    const again = await openRegistry(location);
    try {
      expect(await again.getGrant(grant.id)).toEqual(before.grant);
      expect(await again.listEvents(grant.id)).toEqual(before.events);
      const page = await again.listGrants({ limit: 10, organisation: 'electricite', status: ['revoked'] });
      expect(page.grants.map((g) => g.id)).toEqual([grant.id]);
    } finally {
      await again.close();
    }
  });

  it('upgrades a database made by the first release: provisioning times and organisation search work for its grants', async () => {
    const location = await backend.freshDatabase();
    const old = backend.connect(location);
    const provisioned = grantRecord({ organisation: 'Électricité Côté', createdAt: at(1) });
    const pending = grantRecord({ organisation: 'ÉLECTRICITÉ Nord', createdAt: at(2) });
    try {
      await migrateToFirstRelease(old);
      await insertAsFirstRelease(old, provisioned, pending);
    } finally {
      await old.destroy();
    }

    const store = await openRegistry(location);
    try {
      expect(await store.getGrant(provisioned.id)).toMatchObject({
        status: 'active',
        provisionedAt: at(HOUR),
      });
      expect((await store.getGrant(pending.id))?.provisionedAt).toBeUndefined();
      const found = await store.listGrants({ limit: 10, organisation: 'electricite' });
      expect(found.grants.map((g) => g.id)).toEqual([pending.id, provisioned.id]);
      const active = await store.listGrants({ limit: 10, activeAt: at(2 * HOUR) }, new Date(at(DAY)));
      expect(active.grants.map((g) => g.id)).toEqual([pending.id, provisioned.id]);
      // And new grants are still recorded as before.
      const fresh = await addGrant(store, { organisation: 'Électricité Sud', createdAt: at(3) });
      const again = await store.listGrants({ limit: 10, organisation: 'ELECTRICITE' });
      expect(again.grants.map((g) => g.id)).toEqual([fresh.id, pending.id, provisioned.id]);
    } finally {
      await store.close();
    }
  });

  it('upgrades a database of an earlier release: ended grants whose account was closed get when it was', async () => {
    const location = await backend.freshDatabase();
    const old = backend.connect(location);
    const closed = grantRecord({ createdAt: at(1) });
    const open = grantRecord({ createdAt: at(2) });
    try {
      await migrateToFirstRelease(old);
      await insertAsFirstRelease(old, closed, open);
      const ending = (grant: GrantRecord, seq: number, type: string, when: string) =>
        old.insertInto('grant_events').values({ grant_id: grant.id, seq, type, at: when, actor: 'system' });
      for (const grant of [closed, open]) {
        await ending(grant, 3, 'expired', at(DAY)).execute();
        await old
          .updateTable('grants')
          .set({ status: 'expired', ended_at: at(DAY) })
          .where('id', '=', grant.id)
          .execute();
      }
      // Only the first one's directory answered: disabled at once, rotated a minute later.
      await ending(closed, 4, 'disabled', at(DAY)).execute();
      await ending(closed, 5, 'credentials-rotated', at(DAY + 60_000)).execute();
    } finally {
      await old.destroy();
    }

    const store = await openRegistry(location);
    try {
      expect((await store.getGrant(closed.id))?.closedAt).toBe(at(DAY + 60_000));
      expect((await store.getGrant(open.id))?.closedAt).toBeUndefined();
      const usable = await store.listGrants({ limit: 10, activeAt: at(2 * DAY) }, new Date(at(3 * DAY)));
      expect(usable.grants.map((g) => g.id)).toEqual([open.id]);
    } finally {
      await store.close();
    }
  });

  it('starts an API and a worker process together on a new database: both open it', async () => {
    const location = await backend.freshDatabase();
    const startAt = Date.now() + 2500; // both processes loaded by then, on a slow machine too
    const outcomes = await Promise.all([1, 2].map(() => openInOtherProcess(location.databaseUrl, startAt)));
    expect(outcomes).toEqual(['opened', 'opened']);
    const store = await openRegistry(location);
    try {
      const grant = await addGrant(store);
      expect((await store.getGrant(grant.id))?.id).toBe(grant.id);
    } finally {
      await store.close();
    }
  });
});

/** Runs `openRegistry` in a new Node process starting at `startAt`; its outcome. */
async function openInOtherProcess(databaseUrl: string, startAt: number): Promise<string> {
  const script = fileURLToPath(new URL('./open-registry.child.ts', import.meta.url));
  const { stdout } = await execFileAsync(process.execPath, [
    '--import',
    'tsx',
    script,
    databaseUrl,
    String(startAt),
  ]);
  return stdout;
}

/** Rows as the first release wrote them: no provisioned_at, no organisation_key. */
async function insertAsFirstRelease(
  db: Kysely<any>,
  provisioned: GrantRecord,
  pending: GrantRecord,
): Promise<void> {
  for (const grant of [provisioned, pending]) {
    await db
      .insertInto('grants')
      .values({
        id: grant.id,
        workflow_id: grant.workflowId,
        provider: grant.provider,
        organisation: grant.organisation,
        username: grant.username,
        display_name: grant.displayName,
        status: grant === provisioned ? 'active' : 'provisioning',
        expires_at: grant.expiresAt,
        reason: grant.reason,
        groups: JSON.stringify(grant.groups),
        requested_by: grant.requestedBy,
        created_at: grant.createdAt,
        patched_seq: grant === provisioned ? 2 : 0,
      })
      .execute();
    await db
      .insertInto('grant_events')
      .values({ grant_id: grant.id, seq: 1, type: 'created', at: grant.createdAt, actor: 'alice' })
      .execute();
  }
  await db
    .insertInto('grant_events')
    .values({ grant_id: provisioned.id, seq: 2, type: 'provisioned', at: at(HOUR), actor: 'system' })
    .execute();
}

describe('where the registry lives', () => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'registry-where-'));
  });
  afterAll(() => rmSync(dataDir, { recursive: true, force: true }));

  it('keeps the registry in a SQLite file in the data dir when DATABASE_URL is unset', async () => {
    const store = await openRegistry({ dataDir });
    await store.close();
    expect(existsSync(join(dataDir, 'registry.sqlite'))).toBe(true);
  });

  it('refuses a DATABASE_URL it does not support, saying which forms it accepts', async () => {
    const opening = openRegistry({ databaseUrl: 'mysql://app:hunter2@db.example/registry', dataDir });
    await expect(opening).rejects.toThrow(RegistryMigrationError);
    const message = await opening.catch((err: Error) => err.message);
    expect(message).toMatch(/DATABASE_URL.*sqlite:<file>.*postgres:\/\/.*postgresql:\/\//);
    expect(message).not.toContain('hunter2');
    await expect(openRegistry({ databaseUrl: '/var/lib/registry.db', dataDir })).rejects.toThrow(
      /DATABASE_URL/,
    );
  });

  it('says which SQLite file it cannot open', async () => {
    writeFileSync(join(dataDir, 'not-a-dir'), '');
    const file = join(dataDir, 'not-a-dir', 'registry.sqlite');
    const opening = openRegistry({ databaseUrl: `sqlite:${file}`, dataDir });
    await expect(opening).rejects.toThrow(RegistryMigrationError);
    await expect(opening).rejects.toThrow(file);
  });

  it('reports an unreachable PostgreSQL without its password', async () => {
    const port = await freePort(); // nothing listens there
    const opening = openRegistry({
      databaseUrl: `postgresql://app:s3cr%40t-pw@127.0.0.1:${port}/registry`,
      dataDir,
    });
    await expect(opening).rejects.toThrow(RegistryMigrationError);
    const message = await opening.catch((err: Error) => err.message);
    expect(message).toContain(`127.0.0.1:${port}/registry`);
    expect(message).not.toMatch(/s3cr/);
  });
});
