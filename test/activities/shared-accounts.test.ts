import { randomBytes } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { ProviderError } from '../../providers/errors.js';
import { refusedPassword } from '../../providers/operation.js';
import type { IdentityProvider } from '../../providers/types.js';
import { EncryptionCodec, generateKeySpec, parseEncryptionKeys } from '../../src/codec.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { createSealer } from '../../src/sealing.js';

let dir: string;
let registry: RegistryStore;
const sealer = createSealer(new EncryptionCodec(parseEncryptionKeys(generateKeySpec('test'))));
/** Every log line the activities wrote. */
const logs: string[] = [];
const logger = createLogger(
  'debug',
  new Writable({
    write(chunk: Buffer, _encoding, done) {
      logs.push(chunk.toString());
      done();
    },
  }),
);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'shared-account-activities-'));
  registry = await openRegistry({ dataDir: dir });
});

afterAll(async () => {
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

/**
 * A directory holding one account whose password policy refuses the first password it is offered: every reset
 * makes a new password, and only the ones it took are kept in `taken`.
 */
function refusingFirstPassword() {
  const offered: string[] = [];
  const taken: string[] = [];
  const provider = {
    name: 'ldap',
    offered,
    taken,
    async resetPassword(account: AccountRef): Promise<Credential> {
      const password = randomBytes(12).toString('base64url');
      offered.push(password);
      if (offered.length === 1) {
        throw refusedPassword('ldap', new Error('constraint violation: password quality'));
      }
      taken.push(password);
      return { username: account.username, password };
    },
    close: async () => undefined,
  };
  return provider;
}

/** Registers a shared account for the directory account `username`. */
async function registerShared(username: string): Promise<string> {
  const id = crypto.randomUUID();
  const now = new Date().toISOString();
  await registry.insertSharedAccount({
    id,
    provider: 'ldap',
    account: { username, externalId: `uid=${username},ou=people,dc=example`, displayName: username },
    label: 'Website admin',
    custodian: { name: 'carol' },
    createdBy: 'ada',
    createdAt: now,
    updatedAt: now,
  });
  return id;
}

/** Runs the activity as Temporal would, attempt after attempt, until one succeeds (at most `attempts`). */
async function retried<T>(run: () => Promise<T>, attempts = 5): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await new MockActivityEnvironment({ attempt }).run(run);
    } catch (err) {
      // Temporal would not try again after a non-retryable failure.
      if (err instanceof ApplicationFailure && err.nonRetryable) throw err;
      if (attempt >= attempts) throw err;
    }
  }
}

function activitiesWith(directory: ReturnType<typeof refusingFirstPassword>) {
  return createActivities({
    providers: new Map([['ldap', directory as unknown as IdentityProvider]]),
    registry,
    logger,
    sealer,
  });
}

/** Every byte the registry keeps on disk, as text. */
function registryFiles(): string {
  return readdirSync(dir)
    .map((file) => readFileSync(join(dir, file)).toString('latin1'))
    .join('\n');
}

describe('rotateSharedPassword against a directory whose policy refuses the first password', () => {
  it('hands over the password of the attempt the directory took, never the refused one', async () => {
    const directory = refusingFirstPassword();
    const id = await registerShared('site-admin-hand-over');
    const credential = await retried(() =>
      activitiesWith(directory).rotateSharedPassword({
        sharedAccountId: id,
        reason: 'hand-over',
        lendId: crypto.randomUUID(),
        actor: 'rita',
      }),
    );
    expect(directory.offered).toHaveLength(2);
    expect(credential?.password).toBe(directory.taken[0]);
    expect(credential?.password).not.toBe(directory.offered[0]);
    const rotations = (await registry.listSharedAccountEvents(id)).filter((e) => e.type === 'rotated');
    expect(rotations.map((e) => e.details?.reason)).toEqual(['hand-over']);
    for (const password of directory.offered) expect(logs.join('')).not.toContain(password);
  });

  it('keeps for the custodian, sealed, the password the directory took', async () => {
    const directory = refusingFirstPassword();
    const id = await registerShared('site-admin-scheduled');
    const answer = await retried(() =>
      activitiesWith(directory).rotateSharedPassword({
        sharedAccountId: id,
        reason: 'scheduled',
        actor: 'supplier-access',
      }),
    );
    // Nothing goes back to the workflow: the history never holds the custodian's password.
    expect(answer).toBeUndefined();
    expect(directory.offered).toHaveLength(2);
    const [refused, took] = directory.offered as [string, string];
    expect((await registry.getSharedAccount(id))?.custodianCredentialSince).toBeDefined();
    // Only ciphertext on disk: neither password in any file of the registry.
    const files = registryFiles();
    expect(files).not.toContain(took);
    expect(files).not.toContain(refused);
    for (const password of directory.offered) expect(logs.join('')).not.toContain(password);
    expect(logs.join('')).toContain('rotated');

    const waiting = await registry.takeCustodianCredential(id, 'carol', new Date().toISOString());
    expect(waiting?.sealed).not.toContain(took);
    expect((await sealer.open(waiting!.sealed)).password).toBe(took);
  });

  it('fails a hand-over at once when the account is gone, and rotates nothing', async () => {
    const id = await registerShared('site-admin-gone');
    const gone = {
      ...refusingFirstPassword(),
      resetPassword: () =>
        Promise.reject(
          new ProviderError('not-found', 'no such entry', { provider: 'ldap', operation: 'reset' }),
        ),
    };
    const attempt = retried(() =>
      activitiesWith(gone).rotateSharedPassword({ sharedAccountId: id, reason: 'hand-over', actor: 'rita' }),
    );
    await expect(attempt).rejects.toMatchObject({ type: 'provider-not-found', nonRetryable: true });
    expect((await registry.listSharedAccountEvents(id)).map((e) => e.type)).toEqual(['registered']);
  });
});
