import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderErrorKind } from '../../providers/errors.js';
import type { AccountSpec, IdentityProvider } from '../../providers/types.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { inDays, token as randomToken } from '../helpers/kit.js';

const token = (length = 6): string => randomToken(length);

/** What a provider's test file hands to the contract suite. */
export interface ContractHarness {
  provider: IdentityProvider;
  /**
   * Whether the credential authenticates right now: required, so that every check that a credential works, or
   * no longer does, checks something.
   */
  canSignIn(credential: Credential): Promise<boolean>;
  /**
   * Where the provider hands out no credential (an Okta activation e-mail, an Entra guest invitation), how the
   * supplier gets in by itself after `createAccount`: the credential it then holds, for `canSignIn` to try.
   * Without it, such an account fails the suite.
   */
  supplierSignsIn?(account: AccountRef): Promise<Credential>;
  /** Groups that exist in the backend, to check memberships are made and removed. Default: none. */
  groups?: string[];
  /** A group of the provider's own syntax (a DN under the groups DN, an id) that does not exist. */
  missingGroup: string;
  /**
   * Other groups the provider must refuse, as bad input, before it creates or changes anything, by what makes
   * them wrong (LDAP: a group outside the groups DN, a value that is no DN). Default: none.
   */
  refusedGroups?: Record<string, string>;
  /**
   * How a caller points at an account that was never created (e.g. a registry row left by a failed create).
   * Default: the username as externalId.
   */
  refFor?(username: string): AccountRef;
  /** The credential's username for an account name, when sign-in uses another name (Entra: the UPN). */
  signInName?(username: string): string;
  /** Adapts every spec the suite makes (a `kind`, or a contact address of each account's own). */
  adaptSpec?(spec: AccountSpec): AccountSpec;
  /**
   * Makes an account called `username` in the backend the way an administrator would by hand, outside the
   * provider: supplier-access did not make it and must never take it over.
   */
  makeForeignAccount(username: string): Promise<void>;
  /**
   * Whether the credential signs in as it is, with nothing more asked (no change at first use), through the
   * backend's own sign-in (test/helpers/sign-in.ts): how the borrower of a shared account uses the password
   * `resetPassword` answers.
   */
  signsInAsIs(credential: Credential): Promise<boolean>;
  /**
   * The refs `lookupAccount` takes for an existing account, by what they are (LDAP: its DN; Okta: its id and its
   * login; Entra: its id and its userPrincipalName).
   */
  lookupRefs(account: AccountRef): Promise<Record<string, string>>;
  /** Refs of no account, one of each kind `lookupRefs` gives. */
  unknownRefs: Record<string, string>;
  /** Refs `lookupAccount` must refuse as bad input, by what makes them wrong. Default: none. */
  refusedRefs?: Record<string, string>;
  /** The accounts carry no password of ours (Entra guests): `resetPassword` must refuse them as `invalid`. */
  passwordless?: boolean;
}

function expectSameInstant(actual: string | undefined, expected: string): void {
  expect(actual, 'expiry held by the account').toBeDefined();
  expect(Math.abs(Date.parse(actual ?? '') - Date.parse(expected))).toBeLessThan(1000);
}

async function expectKind(promise: Promise<unknown>, kind: ProviderErrorKind): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isProviderError(err), `expected a ProviderError, got ${String(err)}`).toBe(true);
  expect(isProviderError(err) && err.kind).toBe(kind);
}

/** The refusal of a bad request field: `invalid`, naming the field. */
async function expectBadField(promise: Promise<unknown>, field: string): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isProviderError(err), `expected a ProviderError, got ${String(err)}`).toBe(true);
  expect(isProviderError(err) && { kind: err.kind, field: err.details.field }).toEqual({
    kind: 'invalid',
    field,
  });
}

/**
 * The behaviour every IdentityProvider must show, whatever the backend: the Auth.js-adapter idea of one suite
 * run against every adapter. Each test makes its own accounts under fresh names, so tests never collide.
 */
export function providerContract(
  name: string,
  setup: () => Promise<ContractHarness>,
  teardown?: () => Promise<void>,
): void {
  describe(`${name}: IdentityProvider contract`, () => {
    let h: ContractHarness;
    let provider: IdentityProvider;

    beforeAll(async () => {
      h = await setup();
      provider = h.provider;
    });
    afterAll(async () => {
      await provider?.close();
      await teardown?.();
    });

    const spec = (prefix = 'sup-ct-', overrides: Partial<AccountSpec> = {}): AccountSpec => {
      const organisation = `Contract Test ${token()}`;
      const made: AccountSpec = {
        username: `${prefix}${token()}`.slice(0, provider.maxUsernameLength),
        organisation,
        displayName: `${organisation} (supplier)`,
        contactEmail: 'contact@example.test',
        grantId: `grant-${token(12)}`,
        expiresAt: inDays(30),
        groups: h.groups ?? [],
        ...overrides,
      };
      return h.adaptSpec ? h.adaptSpec(made) : made;
    };
    const signsIn = async (credential: Credential | undefined): Promise<boolean | undefined> =>
      credential ? h.canSignIn(credential) : undefined;
    /** What the supplier signs in with: the credential handed out, or the one it set up by itself. */
    const wayIn = async (made: { account: AccountRef; credential?: Credential | undefined }) => {
      if (made.credential) return made.credential;
      if (!h.supplierSignsIn)
        throw new Error('no credential handed out, and no supplierSignsIn in the harness');
      return h.supplierSignsIn(made.account);
    };
    const missingRef = (username: string): AccountRef =>
      h.refFor?.(username) ?? { username, externalId: username, displayName: username };

    it('createAccount returns the account and a working one-time credential', async () => {
      const s = spec();
      const { account, credential } = await provider.createAccount(s);
      expect(account.username).toBe(s.username);
      expect(account.displayName).toBe(s.displayName);
      expect(account.externalId).not.toBe('');
      if (credential) {
        expect(credential.username).toBe(h.signInName?.(s.username) ?? s.username);
        expect(credential.password.length).toBeGreaterThanOrEqual(16);
        expect(await signsIn(credential)).toBe(true);
      }
    });

    it('findAccount sees the new account enabled, with its expiry, grant and groups', async () => {
      const s = spec();
      const { account } = await provider.createAccount(s);
      const found = await provider.findAccount(s.username);
      expect(found).toMatchObject({ username: s.username, externalId: account.externalId, enabled: true });
      expect(found?.grantId).toBe(s.grantId);
      expectSameInstant(found?.expiresAt, s.expiresAt);
      expect([...(found?.groups ?? [])].sort()).toEqual([...s.groups].sort());
    });

    it('createAccount repeated for the same grant succeeds with a fresh working credential', async () => {
      const s = spec();
      const first = await provider.createAccount(s);
      const again = await provider.createAccount(s);
      expect(again.account.externalId).toBe(first.account.externalId);
      if (again.credential) expect(await signsIn(again.credential)).toBe(true);
      expect((await provider.findAccount(s.username))?.grantId).toBe(s.grantId);
    });

    it('createAccount for an existing name under another grant is a conflict and changes nothing', async () => {
      const s = spec();
      const first = await wayIn(await provider.createAccount(s));
      await expectKind(provider.createAccount({ ...s, grantId: `grant-${token(12)}` }), 'conflict');
      expect((await provider.findAccount(s.username))?.grantId).toBe(s.grantId);
      expect(await signsIn(first)).toBe(true);
    });

    /** Creates the account for a grant, then closes it as deprovisioning does: disable, then rotate. */
    const closedGrant = async (s: AccountSpec) => {
      const made = await provider.createAccount(s);
      const credential = await wayIn(made);
      await provider.disableAccount(made.account);
      await provider.rotateCredentials(made.account);
      return { ...made, credential };
    };
    /** The supplier's next grant: the same account, a new grant id and a later expiry. */
    const nextGrant = (s: AccountSpec, reclaimable: string[]): AccountSpec => ({
      ...s,
      grantId: `grant-${token(12)}`,
      expiresAt: inDays(45),
      reclaimable,
    });

    it('a supplier granted again after its earlier grant closed gets its account back', async () => {
      const earlier = spec();
      const first = await closedGrant(earlier);
      const again = nextGrant(earlier, [`grant-${token(12)}`, earlier.grantId]);
      const { account, credential } = await provider.createAccount(again);
      expect(account.externalId).toBe(first.account.externalId);
      const found = await provider.findAccount(earlier.username);
      expect(found).toMatchObject({ enabled: true, grantId: again.grantId });
      expectSameInstant(found?.expiresAt, again.expiresAt);
      expect([...(found?.groups ?? [])].sort()).toEqual([...again.groups].sort());
      if (credential) {
        expect(credential.password).not.toBe(first.credential?.password);
        expect(await signsIn(credential)).toBe(true);
      }
      expect(await signsIn(first.credential)).toBe(false);
    });

    it('an account owned by a grant that is not reclaimable is still refused', async () => {
      const earlier = spec();
      const first = await closedGrant(earlier);
      const before = await provider.findAccount(earlier.username);
      await expectKind(provider.createAccount(nextGrant(earlier, [`grant-${token(12)}`])), 'conflict');
      expect(await provider.findAccount(earlier.username)).toEqual(before);
      expect(before).toMatchObject({ enabled: false, grantId: earlier.grantId });

      // Nor is the account of a live grant taken, whatever the caller names as reclaimable.
      const live = spec();
      const liveIn = await wayIn(await provider.createAccount(live));
      await expectKind(provider.createAccount(nextGrant(live, [`grant-${token(12)}`])), 'conflict');
      expect(await provider.findAccount(live.username)).toMatchObject({
        enabled: true,
        grantId: live.grantId,
      });
      expect(await signsIn(liveIn)).toBe(true);
      expect(await signsIn(first.credential)).toBe(false);
    });

    it('a hand-made account of the same name is still refused even when reclaimable names a grant', async () => {
      const s = spec();
      await h.makeForeignAccount(s.username);
      const before = await provider.findAccount(s.username);
      expect(before?.grantId).toBeUndefined();
      await expectKind(provider.createAccount({ ...s, reclaimable: [`grant-${token(12)}`, ''] }), 'conflict');
      expect(await provider.findAccount(s.username)).toEqual(before);
    });

    it('repeating the reclaiming create is harmless', async () => {
      const earlier = spec();
      await closedGrant(earlier);
      const again = nextGrant(earlier, [earlier.grantId]);
      const first = await provider.createAccount(again);
      const repeated = await provider.createAccount(again);
      expect(repeated.account.externalId).toBe(first.account.externalId);
      const found = await provider.findAccount(earlier.username);
      expect(found).toMatchObject({ enabled: true, grantId: again.grantId });
      expectSameInstant(found?.expiresAt, again.expiresAt);
      expect([...(found?.groups ?? [])].sort()).toEqual([...again.groups].sort());
      if (repeated.credential) expect(await signsIn(repeated.credential)).toBe(true);
    });

    /** Every group the provider must refuse: one that does not exist, and the harness's others. */
    const badGroups = (): [string, string][] => [
      ['a group that does not exist', h.missingGroup],
      ...Object.entries(h.refusedGroups ?? {}),
    ];

    it('createAccount refuses a bad group as invalid on `groups`, and creates nothing', async () => {
      for (const [what, group] of badGroups()) {
        const s = spec('sup-ct-', { groups: [...(h.groups ?? []), group] });
        await expectBadField(provider.createAccount(s), 'groups');
        expect(await provider.findAccount(s.username), what).toBeNull();
      }
    });

    it('taking over a closed grant’s account with a bad group is refused and leaves the account as it was', async () => {
      for (const [what, group] of badGroups()) {
        const earlier = spec();
        const first = await closedGrant(earlier);
        const before = await provider.findAccount(earlier.username);
        expect(before).toMatchObject({ enabled: false, grantId: earlier.grantId });
        const again = { ...nextGrant(earlier, [earlier.grantId]), groups: [...earlier.groups, group] };
        await expectBadField(provider.createAccount(again), 'groups');
        expect(await provider.findAccount(earlier.username), what).toEqual(before);
        expect(await signsIn(first.credential)).toBe(false);
        // The same grant without the bad group still takes the account over: nothing was left half done.
        await provider.createAccount({ ...again, groups: earlier.groups });
        expect(await provider.findAccount(earlier.username)).toMatchObject({
          enabled: true,
          grantId: again.grantId,
        });
      }
    });

    it('setExpiry moves the expiry, and repeating it is harmless', async () => {
      const s = spec();
      const { account } = await provider.createAccount(s);
      const later = inDays(60);
      await provider.setExpiry(account, later);
      await provider.setExpiry(account, later);
      const found = await provider.findAccount(s.username);
      expectSameInstant(found?.expiresAt, later);
      expect(found?.enabled).toBe(true);
    });

    it('disableAccount disables and removes the groups; repeating it is harmless', async () => {
      const s = spec();
      const made = await provider.createAccount(s);
      const { account } = made;
      const credential = await wayIn(made);
      expect(await signsIn(credential)).toBe(true);
      await provider.disableAccount(account);
      await provider.disableAccount(account);
      const found = await provider.findAccount(s.username);
      expect(found).toMatchObject({ enabled: false, groups: [] });
      expect(await signsIn(credential)).toBe(false);
    });

    it('rotateCredentials makes the handed-out credential useless; repeating it is harmless', async () => {
      const s = spec();
      const made = await provider.createAccount(s);
      const { account } = made;
      const credential = await wayIn(made);
      expect(await signsIn(credential)).toBe(true);
      await provider.rotateCredentials(account);
      await provider.rotateCredentials(account);
      expect(await signsIn(credential)).toBe(false);
    });

    it('an account disabled then rotated (the deprovisioning order) stays disabled', async () => {
      const s = spec();
      const made = await provider.createAccount(s);
      const { account } = made;
      const credential = await wayIn(made);
      await provider.disableAccount(account);
      await provider.rotateCredentials(account);
      await provider.rotateCredentials(account);
      expect((await provider.findAccount(s.username))?.enabled).toBe(false);
      expect(await signsIn(credential)).toBe(false);
    });

    it('disableAccount and rotateCredentials on a never-created account succeed', async () => {
      const ref = missingRef(`sup-none-${token()}`.slice(0, provider.maxUsernameLength));
      await expect(provider.disableAccount(ref)).resolves.toBeUndefined();
      await expect(provider.rotateCredentials(ref)).resolves.toBeUndefined();
    });

    it('deleteAccount removes a closed account from the directory and from the review’s listing; again is fine', async () => {
      const prefix = `sup-dl${token(4)}-`;
      const s = spec(prefix);
      const kept = spec(prefix);
      const { account, credential } = await closedGrant(s);
      await closedGrant(kept);
      await provider.deleteAccount(account, s.grantId);
      expect(await provider.findAccount(s.username)).toBeNull();
      const listed = await provider.listAccounts(prefix);
      expect(listed.map((a) => a.username)).toEqual([kept.username]);
      expect(await signsIn(credential)).toBe(false);
      await expect(provider.deleteAccount(account, s.grantId)).resolves.toBeUndefined();
      // The name is free again: the supplier's next grant gets a new account, not a conflict.
      const next = { ...s, grantId: `grant-${token(12)}`, reclaimable: [] };
      await provider.createAccount(next);
      expect(await provider.findAccount(s.username)).toMatchObject({ enabled: true, grantId: next.grantId });
    });

    it('deleteAccount leaves an account another grant holds, or a hand-made one, as it is', async () => {
      const earlier = spec();
      const first = await closedGrant(earlier);
      const again = nextGrant(earlier, [earlier.grantId]);
      const taken = await wayIn(await provider.createAccount(again));
      await expectKind(provider.deleteAccount(first.account, earlier.grantId), 'conflict');
      expect(await provider.findAccount(earlier.username)).toMatchObject({
        enabled: true,
        grantId: again.grantId,
      });
      expect(await signsIn(taken)).toBe(true);

      const s = spec();
      await h.makeForeignAccount(s.username);
      const foreign = await provider.findAccount(s.username);
      expect(foreign).not.toBeNull();
      await expectKind(provider.deleteAccount(foreign as AccountRef, s.grantId), 'conflict');
      expect(await provider.findAccount(s.username)).toEqual(foreign);
    });

    it('deleteAccount on a never-created account succeeds', async () => {
      const ref = missingRef(`sup-none-${token()}`.slice(0, provider.maxUsernameLength));
      await expect(provider.deleteAccount(ref, `grant-${token(12)}`)).resolves.toBeUndefined();
    });

    it('checkReachable answers while the provider is up and takes our credentials', async () => {
      await expect(provider.checkReachable()).resolves.toBeUndefined();
    });

    it('findAccount on an unknown name is null', async () => {
      expect(
        await provider.findAccount(`sup-none-${token()}`.slice(0, provider.maxUsernameLength)),
      ).toBeNull();
    });

    /** A supplier account signed in to by the supplier, with the state the provider reports for it. */
    const signedInAccount = async () => {
      const s = spec();
      const made = await provider.createAccount(s);
      const before = await wayIn(made);
      expect(await signsIn(before)).toBe(true);
      return { s, account: made.account, before, state: await provider.findAccount(s.username) };
    };

    it('resetPassword answers a password that signs in as it is, and the one before no longer signs in', async () => {
      const { account, before } = await signedInAccount();
      if (h.passwordless) {
        await expectKind(provider.resetPassword(account), 'invalid');
        expect(await signsIn(before)).toBe(true);
        return;
      }
      const reset = await provider.resetPassword(account);
      expect(reset.password.length).toBeGreaterThanOrEqual(16);
      expect(reset.firstSignIn).toBeUndefined();
      expect(await h.signsInAsIs(reset)).toBe(true);
      expect(await signsIn(before)).toBe(false);
    });

    it('resetPassword leaves the account as it was: enabled, in its groups, with its expiry and marker', async () => {
      const { s, account, state } = await signedInAccount();
      expect(state).toMatchObject({ enabled: true, grantId: s.grantId });
      if (h.passwordless) await expectKind(provider.resetPassword(account), 'invalid');
      else await provider.resetPassword(account);
      expect(await provider.findAccount(s.username)).toEqual(state);
    });

    it('two resets give two different passwords, and only the last one signs in', async () => {
      const { account } = await signedInAccount();
      if (h.passwordless) {
        await expectKind(provider.resetPassword(account), 'invalid');
        return;
      }
      const first = await provider.resetPassword(account);
      const second = await provider.resetPassword(account);
      expect(second.password).not.toBe(first.password);
      expect(await h.signsInAsIs(second)).toBe(true);
      expect(await h.signsInAsIs(first)).toBe(false);
    });

    it('resetPassword on an account that does not exist is not-found', async () => {
      const ref = missingRef(`sup-none-${token()}`.slice(0, provider.maxUsernameLength));
      await expectKind(provider.resetPassword(ref), 'not-found');
    });

    it('lookupAccount finds an account by each of its refs, a hand-made one too, and null for none', async () => {
      const { s, account, state } = await signedInAccount();
      const refs = await h.lookupRefs(account);
      expect(Object.keys(refs).length).toBeGreaterThan(0);
      for (const [what, ref] of Object.entries(refs)) {
        expect(await provider.lookupAccount(ref), `${s.username} by ${what}`).toEqual(state);
      }
      const foreign = spec();
      await h.makeForeignAccount(foreign.username);
      const handMade = await provider.findAccount(foreign.username);
      expect(handMade?.grantId).toBeUndefined();
      for (const [what, ref] of Object.entries(await h.lookupRefs(handMade as AccountRef))) {
        expect(await provider.lookupAccount(ref), `hand-made ${foreign.username} by ${what}`).toEqual(
          handMade,
        );
      }
      for (const [what, ref] of Object.entries(h.unknownRefs)) {
        expect(await provider.lookupAccount(ref), `unknown ${what}`).toBeNull();
      }
      for (const [what, ref] of Object.entries(h.refusedRefs ?? {})) {
        const err: unknown = await provider.lookupAccount(ref).then(
          () => undefined,
          (e: unknown) => e,
        );
        expect(isProviderError(err) && err.kind, what).toBe('invalid');
      }
    });

    it('listAccounts returns exactly the accounts with the prefix', async () => {
      const prefix = `sup-ls${token(4)}-`;
      const mine = [spec(prefix), spec(prefix), spec(prefix)];
      for (const s of [...mine, spec(`sup-lt${token(4)}-`)]) await provider.createAccount(s);
      const listed = await provider.listAccounts(prefix);
      expect(listed.map((a) => a.username).sort()).toEqual(mine.map((s) => s.username).sort());
      expect(listed.map((a) => a.grantId).sort()).toEqual(mine.map((s) => s.grantId).sort());
      expect(listed.every((a) => a.enabled)).toBe(true);
      expect(await provider.listAccounts(`sup-none${token()}-`)).toEqual([]);
    });
  });
}
