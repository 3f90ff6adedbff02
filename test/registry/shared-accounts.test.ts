import type { Kysely } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SharedAccountRecord } from '../../domain/shared-account.js';
import { EncryptionCodec, generateKeySpec, parseEncryptionKeys } from '../../src/codec.js';
import { SharedAccountExistsError } from '../../src/registry/shared-account-store.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { createSealer } from '../../src/sealing.js';
import { backends, type Backend, type RegistryLocation } from './backends.js';
import { at, DAY, HOUR } from './grants.js';
import { callInOtherProcess } from './other-process.js';

let made = 0;

/** A shared account as an admin registers it, with made-up but unique identifiers. */
function sharedAccount(overrides: Partial<SharedAccountRecord> = {}): SharedAccountRecord {
  const n = ++made;
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    provider: 'ldap',
    account: {
      username: `webadmin${n}`,
      externalId: `uid=webadmin${n},ou=people,dc=example,dc=test`,
      displayName: 'Website admin',
    },
    label: 'Website admin',
    custodian: { name: 'carol', email: 'carol@corp.example' },
    createdBy: 'alice',
    createdAt: at(n),
    updatedAt: at(n),
    ...overrides,
  };
}

describe.each(backends)('shared accounts in the registry on $name', ({ start }) => {
  let backend: Backend;
  let location: RegistryLocation;
  let store: RegistryStore;

  beforeAll(async () => {
    backend = await start();
    location = await backend.freshDatabase();
    store = await openRegistry(location);
  });
  afterAll(async () => {
    await store?.close();
    await backend?.stop();
  });

  it('registers a directory account once, shows it, and lists it newest first by provider', async () => {
    const first = await store.insertSharedAccount(sharedAccount({ provider: 'okta' }));
    const second = await store.insertSharedAccount(
      sharedAccount({ provider: 'okta', rotationIntervalDays: 90 }),
    );
    expect(await store.getSharedAccount(second.id)).toEqual(second);
    expect(second.rotationIntervalDays).toBe(90);
    expect(await store.insertSharedAccount(second)).toEqual(second);
    const again = sharedAccount({ provider: 'okta', account: first.account });
    await expect(store.insertSharedAccount(again)).rejects.toThrow(SharedAccountExistsError);
    await expect(store.insertSharedAccount(again)).rejects.toMatchObject({ existingId: first.id });
    expect(await store.getSharedAccount(again.id)).toBeNull();

    const page = await store.listSharedAccounts({ provider: 'okta', limit: 1 });
    expect(page.sharedAccounts.map((s) => s.id)).toEqual([second.id]);
    const rest = await store.listSharedAccounts({ provider: 'okta', limit: 1, after: page.next });
    expect(rest).toEqual({ sharedAccounts: [first] });
    expect(await store.listSharedAccountEvents(first.id)).toEqual([
      { sharedAccountId: first.id, type: 'registered', at: first.createdAt, actor: 'alice' },
    ]);
  });

  it('changes the label, custodian and interval, recording who did', async () => {
    const account = await store.insertSharedAccount(sharedAccount({ rotationIntervalDays: 30 }));
    const changed = await store.updateSharedAccount(
      account.id,
      { custodian: { name: 'dave' }, rotationIntervalDays: null },
      'admin-erin',
      at(DAY),
    );
    expect(changed).toMatchObject({ custodian: { name: 'dave' }, label: account.label, updatedAt: at(DAY) });
    expect(changed?.rotationIntervalDays).toBeUndefined();
    expect(await store.getSharedAccount(account.id)).toEqual(changed);
    expect((await store.listSharedAccountEvents(account.id)).at(-1)).toMatchObject({
      type: 'updated',
      actor: 'admin-erin',
      details: { fields: 'custodian,rotationIntervalDays' },
    });
    expect(await store.updateSharedAccount('no-such-account', { label: 'x' }, 'erin', at(DAY))).toBeNull();
  });

  it('gives the custodian the password of a rotation once, and keeps it sealed: never in plaintext anywhere', async () => {
    const sealer = createSealer(new EncryptionCodec(parseEncryptionKeys(generateKeySpec('k1'))));
    const password = 'Rotated-4f9c1e-unguessable';
    const account = await store.insertSharedAccount(sharedAccount());
    const sealed = await sealer.seal({ username: account.account.username, password });
    await store.recordRotation({
      sharedAccountId: account.id,
      reason: 'lend-ended',
      lendId: 'lend-1',
      at: at(DAY),
      actor: 'system',
      forCustodian: { sealed, at: at(DAY) },
    });
    const stored = await store.getSharedAccount(account.id);
    expect(stored).toMatchObject({ lastRotatedAt: at(DAY), custodianCredentialSince: at(DAY) });
    expect(JSON.stringify(stored)).not.toContain(sealed);
    await expectNowhereInDatabase(backend.connect(location), password);

    const taken = await store.takeCustodianCredential(account.id, 'carol', at(2 * DAY));
    expect(taken).toEqual({ sealed, at: at(DAY) });
    expect(await sealer.open(taken?.sealed ?? '')).toEqual({ username: account.account.username, password });
    expect(await store.takeCustodianCredential(account.id, 'carol', at(2 * DAY))).toBeNull();
    expect((await store.getSharedAccount(account.id))?.custodianCredentialSince).toBeUndefined();
    expect(
      (await store.listSharedAccountEvents(account.id)).map((e) => [e.type, e.actor, e.details]),
    ).toEqual([
      ['registered', 'alice', undefined],
      ['rotated', 'system', { reason: 'lend-ended', lendId: 'lend-1' }],
      ['credential-claimed', 'carol', undefined],
    ]);
  });

  it('records a retried rotation once, keeps the password the directory took last, and never brings back a claimed one', async () => {
    const account = await store.insertSharedAccount(sharedAccount());
    const rotation = (sealed: string, when: string) =>
      store.recordRotation({
        sharedAccountId: account.id,
        reason: 'lend-ended',
        lendId: 'lend-retried',
        at: when,
        actor: 'system',
        forCustodian: { sealed, at: when },
      });
    await rotation('sealed-first-attempt', at(DAY));
    // The activity was retried after the directory took another password: that one is what the custodian gets.
    await rotation('sealed-second-attempt', at(DAY + HOUR));
    expect(await store.takeCustodianCredential(account.id, 'carol', at(2 * DAY))).toEqual({
      sealed: 'sealed-second-attempt',
      at: at(DAY + HOUR),
    });
    // The same call repeated (its answer was lost) does not bring back the password the custodian took.
    await rotation('sealed-second-attempt', at(DAY + HOUR));
    expect(await store.takeCustodianCredential(account.id, 'carol', at(3 * DAY))).toBeNull();
    const rotated = (await store.listSharedAccountEvents(account.id)).filter((e) => e.type === 'rotated');
    expect(rotated).toHaveLength(1);

    // Scheduled rotations have no lend: each is its own, however many there are.
    for (const day of [90, 180]) {
      await store.recordRotation({
        sharedAccountId: account.id,
        reason: 'scheduled',
        at: at(day * DAY),
        actor: 'system',
      });
    }
    await store.recordRotation({
      sharedAccountId: account.id,
      reason: 'scheduled',
      at: at(180 * DAY),
      actor: 'system',
    });
    const scheduled = (await store.listSharedAccountEvents(account.id)).filter(
      (e) => e.details?.reason === 'scheduled',
    );
    expect(scheduled.map((e) => e.at)).toEqual([at(90 * DAY), at(180 * DAY)]);
    expect((await store.getSharedAccount(account.id))?.lastRotatedAt).toBe(at(180 * DAY));
  });

  it('drops the password waiting for the custodian at a hand-over: the directory no longer takes it', async () => {
    const account = await store.insertSharedAccount(sharedAccount());
    await store.recordRotation({
      sharedAccountId: account.id,
      reason: 'scheduled',
      at: at(DAY),
      actor: 'system',
      forCustodian: { sealed: 'sealed-scheduled', at: at(DAY) },
    });
    await store.recordRotation({
      sharedAccountId: account.id,
      reason: 'hand-over',
      lendId: 'lend-2',
      at: at(2 * DAY),
      actor: 'system',
    });
    expect(await store.takeCustodianCredential(account.id, 'carol', at(3 * DAY))).toBeNull();
    expect((await store.getSharedAccount(account.id))?.lastRotatedAt).toBe(at(2 * DAY));
  });

  it('lets the custodian throw the waiting password away unseen, once', async () => {
    const account = await store.insertSharedAccount(sharedAccount());
    expect(await store.discardCustodianCredential(account.id, 'carol', at(DAY))).toBe(false);
    await store.recordRotation({
      sharedAccountId: account.id,
      reason: 'manual',
      at: at(DAY),
      actor: 'carol',
      forCustodian: { sealed: 'sealed-manual', at: at(DAY) },
    });
    expect(await store.discardCustodianCredential(account.id, 'carol', at(2 * DAY))).toBe(true);
    expect(await store.discardCustodianCredential(account.id, 'carol', at(2 * DAY))).toBe(false);
    expect(await store.takeCustodianCredential(account.id, 'carol', at(3 * DAY))).toBeNull();
    expect((await store.listSharedAccountEvents(account.id)).at(-1)).toMatchObject({
      type: 'credential-discarded',
      actor: 'carol',
    });
  });

  it('hands the waiting password to exactly one of several processes claiming it at once', async () => {
    const account = await store.insertSharedAccount(sharedAccount());
    await store.recordRotation({
      sharedAccountId: account.id,
      reason: 'scheduled',
      at: at(DAY),
      actor: 'system',
      forCustodian: { sealed: 'sealed-raced', at: at(DAY) },
    });
    const startAt = Date.now() + 8000;
    const answers = await Promise.all(
      ['carol', 'admin-erin', 'admin-frank'].map((actor) =>
        takeInOtherProcess(location, account.id, actor, startAt),
      ),
    );
    expect(answers.filter((a) => a === 'sealed-raced')).toHaveLength(1);
    expect(answers.filter((a) => a === 'none')).toHaveLength(2);
    const claims = (await store.listSharedAccountEvents(account.id)).filter(
      (e) => e.type === 'credential-claimed',
    );
    expect(claims).toHaveLength(1);
  }, 60_000);

  it('answers the shared accounts whose interval ran out, oldest due first', async () => {
    const now = at(400 * DAY);
    const never = await store.insertSharedAccount(sharedAccount({ createdAt: at(0), updatedAt: at(0) }));
    const fresh = await store.insertSharedAccount(
      sharedAccount({ rotationIntervalDays: 90, createdAt: at(350 * DAY), updatedAt: at(350 * DAY) }),
    );
    const unrotated = await store.insertSharedAccount(
      sharedAccount({ rotationIntervalDays: 90, createdAt: at(100 * DAY), updatedAt: at(100 * DAY) }),
    );
    const rotated = await store.insertSharedAccount(
      sharedAccount({ rotationIntervalDays: 30, createdAt: at(0), updatedAt: at(0) }),
    );
    await store.recordRotation({
      sharedAccountId: rotated.id,
      reason: 'scheduled',
      at: at(300 * DAY),
      actor: 'system',
    });
    const due = await store.dueRotations(now, 100);
    const ids = due.map((d) => d.sharedAccount.id);
    expect(ids).not.toContain(never.id);
    expect(ids).not.toContain(fresh.id);
    expect(due.filter((d) => [unrotated.id, rotated.id].includes(d.sharedAccount.id))).toEqual([
      { sharedAccount: await store.getSharedAccount(unrotated.id), dueAt: at(190 * DAY) },
      { sharedAccount: await store.getSharedAccount(rotated.id), dueAt: at(330 * DAY) },
    ]);
  });
});

/** Every text of every row of every registry table: the password must be in none of them. */
async function expectNowhereInDatabase(db: Kysely<any>, secret: string): Promise<void> {
  try {
    for (const table of ['grants', 'grant_events', 'shared_accounts', 'shared_account_events']) {
      const rows = await db.selectFrom(table).selectAll().execute();
      expect(JSON.stringify(rows), table).not.toContain(secret);
    }
  } finally {
    await db.destroy();
  }
}

/** Runs `takeCustodianCredential` in a new Node process at `startAt`; what it got. */
async function takeInOtherProcess(
  location: RegistryLocation,
  id: string,
  actor: string,
  startAt: number,
): Promise<string> {
  const taken = await callInOtherProcess(location, startAt, 'takeCustodianCredential', [id, actor, at(DAY)]);
  return taken === null ? 'none' : typeof taken === 'string' ? taken : (taken as { sealed: string }).sealed;
}
