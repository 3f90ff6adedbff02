import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Attribute, Change, Client } from 'ldapts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLdapProvider } from '../../providers/ldap/index.js';
import type { IdentityProvider } from '../../providers/types.js';
import { startLocalSlapd, type LocalSlapd } from '../../src/local-stack/slapd.js';
import { accountSpec } from './specs.js';

// Short, so the test can wait it out; the service's default is in slapd.ts.
const IDLE_TIMEOUT_S = 3;

let dir: string;
let slapd: LocalSlapd;
let provider: IdentityProvider;
const open: Client[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'supplier-access-ldap-access-'));
  slapd = await startLocalSlapd({ dataDir: dir, idleTimeoutSeconds: IDLE_TIMEOUT_S });
  const { url, bindDN, bindPassword, usersDN, groupsDN } = slapd;
  provider = createLdapProvider({ url, bindDN, bindPassword, usersDN, groupsDN });
});
afterAll(async () => {
  for (const client of open) await client.unbind().catch(() => undefined);
  await provider?.close();
  await slapd?.stop();
  await rm(dir, { recursive: true, force: true });
});

/**
 * A supplier signing in as it is told to: a bind with the handed-out password, the password change that
 * `pwdReset` demands, and a bind with the new one. The connection stays open, as a supplier's tool keeps it.
 */
async function signInAsSupplier(dn: string, handedOut: string): Promise<Client> {
  const first = new Client({ url: slapd.url, timeout: 10_000 });
  const chosen = `chosen-${handedOut}`;
  try {
    await first.bind(dn, handedOut);
    await first.modify(dn, [
      new Change({
        operation: 'replace',
        modification: new Attribute({ type: 'userPassword', values: [chosen] }),
      }),
    ]);
  } finally {
    await first.unbind();
  }
  const client = new Client({ url: slapd.url, timeout: 10_000 });
  open.push(client);
  await client.bind(dn, chosen);
  return client;
}

async function newSupplier(label: string, contactEmail: string) {
  const created = await provider.createAccount(accountSpec(label, 'sup-acl-', { contactEmail }));
  return { dn: created.account.externalId, account: created.account, password: created.credential!.password };
}

describe('what a bound supplier can see', () => {
  it('finds only its own entry when it searches the whole directory', async () => {
    const other = await newSupplier('Rival Plumbing', 'rival@rival.example');
    const me = await newSupplier('Honest Heating', 'me@honest.example');
    const client = await signInAsSupplier(me.dn, me.password);

    const { searchEntries } = await client.search(slapd.suffix, { scope: 'sub', attributes: ['*'] });
    expect(searchEntries.map((e) => e.dn)).toEqual([me.dn]);
    expect(searchEntries[0]?.['mail']).toBe('me@honest.example');
    // Asking for the other supplier by name, or for its e-mail, finds nothing either.
    const byDn = await client.search(other.dn, { scope: 'base' }).then(
      (r) => r.searchEntries,
      (err: { code?: number }) => err.code,
    );
    expect(byDn, 'noSuchObject: its existence is not even disclosed').toBe(32);
    const byMail = await client.search(slapd.suffix, { scope: 'sub', filter: '(mail=rival@rival.example)' });
    expect(byMail.searchEntries).toEqual([]);
    // Nor its own password hash.
    expect(searchEntries[0]?.['userPassword']).toBeUndefined();
  });

  it('may change its password but nothing else of its entry, such as the grant it belongs to', async () => {
    const me = await newSupplier('Tidy Tilers', 'tt@tidy.example');
    const client = await signInAsSupplier(me.dn, me.password);
    const rewrite = await client
      .modify(me.dn, [
        new Change({
          operation: 'replace',
          modification: new Attribute({ type: 'description', values: ['grant: someone-else'] }),
        }),
      ])
      .then(
        () => 'changed',
        (err: { code?: number }) => err.code,
      );
    expect(rewrite, 'insufficientAccess').toBe(50);
  });
});

const changePassword = (client: Client, dn: string, password: string) =>
  client.modify(dn, [
    new Change({
      operation: 'replace',
      modification: new Attribute({ type: 'userPassword', values: [password] }),
    }),
  ]);

describe('a connection bound before the revoke', () => {
  it('loses its access at the revoke, even kept busy', async () => {
    const me = await newSupplier('Busy Sessions', 'bs@busy.example');
    const client = await signInAsSupplier(me.dn, me.password);
    expect((await client.search(me.dn, { scope: 'base' })).searchEntries).toHaveLength(1);

    await provider.disableAccount(me.account);
    await provider.rotateCredentials(me.account);

    // The very next operations on the same bound connection: no entry, and no new password (which would
    // also lift the lock: ppolicy drops pwdAccountLockedTime when a password is replaced).
    const read = await client.search(me.dn, { scope: 'base' }).then(
      (r) => r.searchEntries,
      (err: { code?: number }) => err.code,
    );
    expect(read, 'noSuchObject: not even disclosed').toBe(32);
    const fromSuffix = await client.search(slapd.suffix, { scope: 'sub' }).then(
      (r) => r.searchEntries,
      (err: { code?: number }) => err.code,
    );
    expect(fromSuffix).toBe(32);
    const change = await changePassword(client, me.dn, 'taken-back-0123456789').then(
      () => 'changed',
      (err: { code?: number }) => err.code,
    );
    expect(change, 'insufficientAccess').toBe(50);
    expect(client.isConnected).toBe(true);
  });

  it('is closed by the directory once idle beyond the idle timeout', async () => {
    const me = await newSupplier('Lingering Sessions', 'ls@lingering.example');
    const client = await signInAsSupplier(me.dn, me.password);
    expect((await client.search(me.dn, { scope: 'base' })).searchEntries).toHaveLength(1);

    await provider.disableAccount(me.account);
    await provider.rotateCredentials(me.account);

    // Generous margin over the idle timeout: slapd looks for idle connections on its own schedule.
    const deadline = Date.now() + (IDLE_TIMEOUT_S + 10) * 1000;
    while (client.isConnected && Date.now() < deadline) await sleep(250);
    expect(client.isConnected, 'the bound connection is still open').toBe(false);
  }, 60_000);
});
