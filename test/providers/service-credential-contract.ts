import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isProviderError, type ProviderErrorKind } from '../../providers/errors.js';
import type {
  ServiceCredentialProvider,
  ServiceCredentialState,
  ServiceSpec,
} from '../../providers/service-types.js';
import type { AccountRef, Credential } from '../../domain/account.js';
import { inDays, token } from '../helpers/kit.js';

/** What a provider's test file hands to the service-credential contract. */
export interface ServiceContractHarness {
  provider: ServiceCredentialProvider & { close(): Promise<void> };
  /** The longest name the provider takes (AD: 20). */
  maxNameLength: number;
  /**
   * Whether the credential gets the integration in right now, through the backend's own sign-in, with nothing
   * more asked (test/helpers/sign-in.ts `serviceSignsIn`): required, so every such check checks something.
   */
  signsIn(credential: Credential): Promise<boolean>;
  /** How a caller points at a service credential that was never made (a registry row of a failed create). */
  missingRef(name: string): AccountRef;
  /** Makes a service identity called `name` by hand, outside the provider: ours must never take it over. */
  makeForeign(name: string): Promise<void>;
  /** Whether the provider holds the expiry itself (LDAP/AD, Entra) and lists it; Okta does not. */
  holdsExpiry: boolean;
  /** The kind `listServiceCredentials` gives the identities `createServiceCredential` makes. */
  kind: ServiceCredentialState['kind'];
  /** The length of the secret where the provider makes it (LDAP/AD: 48); undefined where the backend does (Okta). */
  secretLength?: number;
}

async function expectKind(promise: Promise<unknown>, kind: ProviderErrorKind): Promise<void> {
  const err: unknown = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(isProviderError(err), `expected a ProviderError, got ${String(err)}`).toBe(true);
  expect(isProviderError(err) && err.kind).toBe(kind);
}

function expectSameInstant(actual: string | undefined, expected: string): void {
  expect(actual, 'expiry held by the credential').toBeDefined();
  expect(Math.abs(Date.parse(actual ?? '') - Date.parse(expected))).toBeLessThan(1000);
}

/**
 * The behaviour every ServiceCredentialProvider must show: a credential for a supplier's integration that works
 * as handed out, is replaced on a retry, refuses names that are not the grant's, stops working when closed, and is
 * found by the inventory, ours and those made by hand alike.
 */
export function serviceCredentialContract(
  name: string,
  setup: () => Promise<ServiceContractHarness>,
  teardown?: () => Promise<void>,
): void {
  describe(`${name}: ServiceCredentialProvider contract`, () => {
    let h: ServiceContractHarness;

    beforeAll(async () => {
      h = await setup();
    });
    afterAll(async () => {
      await h?.provider.close();
      await teardown?.();
    });

    const spec = (overrides: Partial<ServiceSpec> = {}): ServiceSpec => {
      const organisation = `Service Test ${token()}`;
      return {
        username: `svc-${token()}`.slice(0, h.maxNameLength),
        organisation,
        displayName: `${organisation} (supplier integration)`,
        grantId: `grant-${token(12)}`,
        expiresAt: inDays(30),
        ...overrides,
      };
    };
    const listed = async (id: string) =>
      (await h.provider.listServiceCredentials()).find((state) => state.id === id);

    it('issues a credential that works as handed out, marked with its grant and listed by the inventory', async () => {
      const s = spec();
      const made = await h.provider.createServiceCredential(s);
      const credential = made.credential;
      expect(credential, 'a service credential is handed out').toBeDefined();
      if (!credential) return;
      if (h.secretLength !== undefined) expect(credential.password).toHaveLength(h.secretLength);
      expect(await h.signsIn(credential)).toBe(true);

      const state = await listed(made.account.externalId);
      expect(state).toMatchObject({ kind: h.kind, name: s.username, enabled: true, grantId: s.grantId });
      expect(state?.credentials.length).toBeGreaterThan(0);
      // The review reports the age: it was made just now (generous margin: the machine may be loaded).
      expect(Math.abs(Date.parse(state?.createdAt ?? '') - Date.now())).toBeLessThan(10 * 60_000);
      if (h.holdsExpiry) expectSameInstant(state?.credentials[0]?.expiresAt, s.expiresAt);
      else expect(state?.credentials.every((c) => c.expiresAt === undefined)).toBe(true);
    });

    it('a retry for the same grant hands out a fresh secret and voids the earlier one', async () => {
      const s = spec();
      const first = await h.provider.createServiceCredential(s);
      const again = await h.provider.createServiceCredential(s);
      expect(again.account.externalId).toBe(first.account.externalId);
      expect(again.credential?.password).not.toBe(first.credential?.password);
      expect(await h.signsIn(again.credential!)).toBe(true);
      expect(await h.signsIn(first.credential!)).toBe(false);
      const ours = (await h.provider.listServiceCredentials()).filter((c) => c.name === s.username);
      expect(ours).toHaveLength(1);
    });

    it('refuses a name taken by another grant or made by hand, and leaves it as it was', async () => {
      const s = spec();
      const theirs = await h.provider.createServiceCredential(s);
      await expectKind(
        h.provider.createServiceCredential({ ...s, grantId: `grant-${token(12)}` }),
        'conflict',
      );
      expect(await h.signsIn(theirs.credential!)).toBe(true);

      const byHand = spec();
      await h.makeForeign(byHand.username);
      await expectKind(h.provider.createServiceCredential(byHand), 'conflict');
      const found = (await h.provider.listServiceCredentials()).find((c) => c.name === byHand.username);
      expect(found, 'the inventory lists what was made by hand').toBeDefined();
      expect(found?.grantId).toBeUndefined();
    });

    it('moves the expiry where the provider holds it, and the credential keeps working', async () => {
      const s = spec();
      const made = await h.provider.createServiceCredential(s);
      const later = inDays(60);
      const fresh = await h.provider.setServiceExpiry(made.account, later);
      const state = await listed(made.account.externalId);
      if (h.holdsExpiry) {
        expect(
          state?.credentials.some((c) => Math.abs(Date.parse(c.expiresAt ?? '') - Date.parse(later)) < 1000),
        ).toBe(true);
      } else {
        expect(fresh).toBeUndefined();
      }
      expect(await h.signsIn(fresh ?? made.credential!)).toBe(true);
    });

    it('closing stops every secret for good, is safe to repeat, and a credential never made closes too', async () => {
      const s = spec();
      const first = await h.provider.createServiceCredential(s);
      const second = await h.provider.createServiceCredential(s);
      await h.provider.closeServiceCredential(second.account);
      expect(await h.signsIn(second.credential!)).toBe(false);
      expect(await h.signsIn(first.credential!)).toBe(false);
      expect((await listed(second.account.externalId))?.enabled).toBe(false);
      await h.provider.closeServiceCredential(second.account);
      expect(await h.signsIn(second.credential!)).toBe(false);

      await h.provider.closeServiceCredential(h.missingRef(spec().username));
    });
  });
}
