import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRef, Credential } from '../../domain/account.js';
import { isProviderError, type ProviderErrorKind } from '../../providers/errors.js';
import type { ServiceCredentialProvider, ServiceSpec } from '../../providers/service-types.js';
import { inDays, token } from '../helpers/kit.js';

/** What a provider's test file hands to the service-credential contract. */
export interface ServiceContractHarness {
  provider: ServiceCredentialProvider;
  /**
   * Whether the credential signs in right now through the backend's own sign-in (`serviceSignsIn` in
   * test/helpers/sign-in.ts): required, so that every check that a secret works, or no longer does, checks something.
   */
  canSignIn(credential: Credential): Promise<boolean>;
  /** The provider attaches the expiry to the credential itself (Entra: the secret's endDateTime; LDAP/AD). */
  holdsExpiry: boolean;
  /** A name prefix for the suite's credentials, within the provider's name rules. Default `svc-ct-`. */
  prefix?: string;
}

async function expectKind(promise: Promise<unknown>, kind: ProviderErrorKind): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isProviderError(err), `expected a ProviderError, got ${String(err)}`).toBe(true);
  expect(isProviderError(err) && err.kind).toBe(kind);
}

/**
 * The behaviour every ServiceCredentialProvider must show, whatever the backend: the secret it issues signs in, a
 * retry for the same grant issues a fresh one and retires the old, closing refuses it for good, and the inventory
 * lists it with our grant marker. Each test makes its own credentials under fresh names.
 */
export function serviceCredentialContract(
  name: string,
  setup: () => Promise<ServiceContractHarness>,
  teardown?: () => Promise<void>,
): void {
  describe(`${name}: ServiceCredentialProvider contract`, () => {
    let h: ServiceContractHarness;
    let provider: ServiceCredentialProvider;

    beforeAll(async () => {
      h = await setup();
      provider = h.provider;
    });
    afterAll(async () => {
      await teardown?.();
    });

    const spec = (overrides: Partial<ServiceSpec> = {}): ServiceSpec => {
      const organisation = `Service Contract ${token()}`;
      return {
        username: `${h.prefix ?? 'svc-ct-'}${token()}`,
        organisation,
        displayName: `${organisation} (supplier integration)`,
        grantId: `grant-${token(12)}`,
        expiresAt: inDays(30),
        ...overrides,
      };
    };
    const mustHave = (credential: Credential | undefined): Credential => {
      expect(credential, 'a service credential hands out its secret').toBeDefined();
      return credential as Credential;
    };
    const listed = async (account: AccountRef) =>
      (await provider.listServiceCredentials()).find((c) => c.id === account.externalId);

    it('createServiceCredential issues a secret that signs in; the inventory lists it with our grant marker', async () => {
      const s = spec();
      const { account, credential } = await provider.createServiceCredential(s);
      expect(account).toMatchObject({ username: s.username, displayName: s.displayName });
      expect(account.externalId).not.toBe('');
      const secret = mustHave(credential);
      expect(secret.password.length).toBeGreaterThanOrEqual(32);
      expect(await h.canSignIn(secret)).toBe(true);

      const state = await listed(account);
      expect(state).toMatchObject({ name: s.username, enabled: true, grantId: s.grantId });
      expect(state?.credentials.length).toBe(1);
      if (h.holdsExpiry) {
        const expiresAt = state?.credentials[0]?.expiresAt ?? '';
        expect(Math.abs(Date.parse(expiresAt) - Date.parse(s.expiresAt))).toBeLessThan(1000);
      }
    });

    it('after closeServiceCredential the secret is refused, for good; closing again is done already', async () => {
      const s = spec();
      const { account, credential } = await provider.createServiceCredential(s);
      const secret = mustHave(credential);
      await provider.closeServiceCredential(account);
      expect(await h.canSignIn(secret)).toBe(false);
      await provider.closeServiceCredential(account);
      expect(await h.canSignIn(secret)).toBe(false);
      expect(await listed(account)).toMatchObject({ enabled: false, credentials: [], grantId: s.grantId });
    });

    it('a retry for the same grant issues a fresh secret and the earlier one is refused', async () => {
      const s = spec();
      const first = await provider.createServiceCredential(s);
      const again = await provider.createServiceCredential(s);
      expect(again.account.externalId).toBe(first.account.externalId);
      const fresh = mustHave(again.credential);
      expect(fresh.password).not.toBe(mustHave(first.credential).password);
      expect(await h.canSignIn(fresh)).toBe(true);
      expect(await h.canSignIn(mustHave(first.credential))).toBe(false);
      const named = (await provider.listServiceCredentials()).filter((c) => c.name === s.username);
      expect(named).toHaveLength(1);
      expect(named[0]?.credentials).toHaveLength(1);
    });

    it('a retry after closing brings it back for the same grant: enabled, with a fresh secret', async () => {
      const s = spec();
      const { account, credential } = await provider.createServiceCredential(s);
      await provider.closeServiceCredential(account);
      const again = await provider.createServiceCredential(s);
      expect(await h.canSignIn(mustHave(again.credential))).toBe(true);
      expect(await h.canSignIn(mustHave(credential))).toBe(false);
    });

    it('a name another grant holds is a conflict, and its secret keeps working', async () => {
      const s = spec();
      const { credential } = await provider.createServiceCredential(s);
      await expectKind(provider.createServiceCredential({ ...s, grantId: `grant-${token(12)}` }), 'conflict');
      expect(await h.canSignIn(mustHave(credential))).toBe(true);
    });

    it('setServiceExpiry to a later date keeps the integration signing in', async () => {
      const s = spec();
      const { account, credential } = await provider.createServiceCredential(s);
      const extended = await provider.setServiceExpiry(account, inDays(60));
      expect(await h.canSignIn(extended ?? mustHave(credential))).toBe(true);
    });

    it('closing a credential that was never made (or is gone) is done already', async () => {
      await provider.closeServiceCredential({
        username: `svc-none-${token()}`,
        externalId: '',
        displayName: 'none',
      });
    });
  });
}
