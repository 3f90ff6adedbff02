import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { LendInput } from '../../domain/shared-account.js';
import { openRegistry } from '../../src/registry/store.js';
import { grantRecordFromInput, type GrantRecord, type RegistryStore } from '../../src/registry/types.js';
import { backends, type Backend } from './backends.js';
import { addGrant, at, createdEvent, DAY, end, HOUR, provision } from './grants.js';

/**
 * Lends as grant rows: the trail, listing and `activeAt` are a grant's, the account is a shared account's, and
 * nothing that closes or deletes supplier accounts ever takes it for one.
 */
describe.each(backends)('lends in the registry on $name', ({ start }) => {
  let backend: Backend;
  let store: RegistryStore;
  let made = 0;

  beforeAll(async () => {
    backend = await start();
    store = await openRegistry(await backend.freshDatabase());
  });
  afterAll(async () => {
    await store?.close();
    await backend?.stop();
  });

  /** A shared account on LDAP named `username`, with a rotation interval. */
  async function sharedAccount(username: string, rotationIntervalDays?: number) {
    const n = ++made;
    return store.insertSharedAccount({
      id: `00000000-0000-4000-9000-${String(n).padStart(12, '0')}`,
      provider: 'ldap',
      account: {
        username,
        externalId: `uid=${username},ou=people,dc=example,dc=test`,
        displayName: username,
      },
      label: 'Website admin',
      custodian: { name: 'carol' },
      rotationIntervalDays,
      createdBy: 'alice',
      createdAt: at(0),
      updatedAt: at(0),
    });
  }

  /** A lend of the shared account to Acme, as the API records it from a `LendInput`. */
  async function lend(
    shared: Awaited<ReturnType<typeof sharedAccount>>,
    createdAt: string,
    until: string,
  ): Promise<GrantRecord> {
    const n = ++made;
    const input: LendInput = {
      grantId: `00000000-0000-4000-a000-${String(n).padStart(12, '0')}`,
      provider: shared.provider,
      supplier: { organisation: 'Acme Web Agency' },
      username: shared.account.username,
      displayName: shared.account.displayName,
      expiresAt: until,
      reason: 'site migration',
      groups: [],
      requestedBy: 'rita',
      createdAt,
      maxGrantDays: 90,
      door: 'lend',
      sharedAccountId: shared.id,
      account: shared.account,
      custodian: shared.custodian,
    };
    const grant = grantRecordFromInput(input, `shared-account-${shared.id}`);
    await store.insertGrant(grant, createdEvent(grant));
    return grant;
  }

  /** What a lend's end records: the ending, then the return rotation (no `disabled`: the account stays on). */
  async function returned(grant: GrantRecord, when: string, rotatedAt: string | null): Promise<void> {
    await store.recordEvent({
      grantId: grant.id,
      seq: 3,
      type: 'revoked',
      at: when,
      actor: 'rita',
      details: { reason: 'done early' },
      patch: { status: 'revoked', endedAt: when },
    });
    if (rotatedAt === null) return;
    await store.recordEvent({
      grantId: grant.id,
      seq: 4,
      type: 'credentials-rotated',
      at: rotatedAt,
      actor: 'system',
    });
  }

  it('keeps a lend as a grant row of the lend door, found by door and by shared account', async () => {
    const shared = await sharedAccount('webadmin-listed');
    const account = await addGrant(store, { createdAt: at(1) });
    const grant = await lend(shared, at(2), at(10 * DAY));
    expect(await store.getGrant(grant.id)).toMatchObject({
      door: 'lend',
      sharedAccountId: shared.id,
      username: 'webadmin-listed',
      externalId: shared.account.externalId,
      organisation: 'Acme Web Agency',
      status: 'provisioning',
    });
    expect((await store.getGrant(account.id))?.door).toBe('account');
    const ids = async (query: Parameters<RegistryStore['listGrants']>[0]) =>
      (await store.listGrants(query)).grants.map((g) => g.id);
    expect(await ids({ limit: 500, door: ['lend'], sharedAccountId: shared.id })).toEqual([grant.id]);
    expect(await ids({ limit: 500, door: ['account'] })).not.toContain(grant.id);
    expect(await ids({ limit: 500, door: ['account'] })).toContain(account.id);
    expect(await ids({ limit: 500, door: [] })).toEqual([]);
    expect((await store.lendsOf(shared.id, 10)).map((g) => g.id)).toEqual([grant.id]);
    expect((await store.liveLendOf(shared.id))?.id).toBe(grant.id);
  });

  it('closes a lend once its return rotation is recorded, and counts it in activeAt until then', async () => {
    const shared = await sharedAccount('webadmin-active');
    const grant = await lend(shared, at(0), at(10 * DAY));
    await provision(store, grant, at(HOUR));
    const activeAt = async (instant: string) =>
      (
        await store.listGrants(
          { limit: 500, activeAt: instant, sharedAccountId: shared.id },
          new Date(at(30 * DAY)),
        )
      ).grants.map((g) => g.id);
    expect(await activeAt(at(DAY))).toEqual([grant.id]);

    // Returned on day 3 with the directory down: the supplier's password works until the rotation on day 4.
    await returned(grant, at(3 * DAY), null);
    expect((await store.getGrant(grant.id))?.closedAt).toBeUndefined();
    expect(await activeAt(at(3 * DAY + HOUR))).toEqual([grant.id]);
    expect(await store.liveLendOf(shared.id)).toBeNull();

    await store.recordEvent({
      grantId: grant.id,
      seq: 4,
      type: 'credentials-rotated',
      at: at(4 * DAY),
      actor: 'system',
    });
    expect((await store.getGrant(grant.id))?.closedAt).toBe(at(4 * DAY));
    expect(await activeAt(at(3 * DAY + HOUR))).toEqual([grant.id]);
    expect(await activeAt(at(4 * DAY))).toEqual([]);
  });

  it('never offers a shared account to the review, an account takeover or the retention sweep', async () => {
    const shared = await sharedAccount('sup-shared-lookalike');
    const grant = await lend(shared, at(0), at(2 * DAY));
    await provision(store, grant, at(HOUR));
    await returned(grant, at(DAY), at(DAY));
    expect((await store.getGrant(grant.id))?.status).toBe('revoked');

    expect(await store.latestGrantsByAccount('ldap', ['sup-shared-lookalike'])).toEqual(new Map());
    expect((await store.latestGrantsByAccount('ldap')).has('sup-shared-lookalike')).toBe(false);
    expect(await store.closedGrantIds('ldap', 'sup-shared-lookalike')).toEqual([]);
    const due = await store.accountsDueForDeletion('ldap', at(1000 * DAY), 500);
    expect(due.map((g) => g.id)).not.toContain(grant.id);

    // A supplier account of the same name elsewhere is still the review's, as before.
    const own = await addGrant(store, { username: 'sup-own-account' });
    await provision(store, own, at(HOUR));
    await end(store, own, at(DAY));
    expect((await store.accountsDueForDeletion('ldap', at(1000 * DAY), 500)).map((g) => g.id)).toContain(
      own.id,
    );
  });

  it('tells which due rotations a live lend holds: its end rotates the password anyway', async () => {
    const lent = await sharedAccount('webadmin-due-lent', 30);
    const idle = await sharedAccount('webadmin-due-idle', 30);
    const grant = await lend(lent, at(40 * DAY), at(60 * DAY));
    await provision(store, grant, at(40 * DAY + HOUR));
    const due = (await store.dueRotations(at(50 * DAY), 500)).filter((d) =>
      [lent.id, idle.id].includes(d.sharedAccount.id),
    );
    expect(due.map((d) => [d.sharedAccount.id, d.lentIn?.id])).toEqual([
      [lent.id, grant.id],
      [idle.id, undefined],
    ]);
  });
});
