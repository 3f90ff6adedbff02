import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { AccountRef, Credential, ProviderName } from '../domain/account.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { EventRecord } from '../domain/events.js';
import { failureKind, type FailureDetails } from '../domain/failure.js';
import { isProviderError } from '../providers/errors.js';
import type { ServiceCredentialProvider, ServiceSpec } from '../providers/service-types.js';
import type { IdentityProvider, ProvisionResult } from '../providers/types.js';
import type { RegistryStore } from '../src/registry/types.js';
import { heartbeating, openingFailure, providerCalls, type AccountTarget } from './provider-calls.js';

/** What the service credentials' activities need. */
export interface ServiceCredentialDeps {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  registry: Pick<RegistryStore, 'recordEvent'>;
  logger: Logger;
}

/** What closes a service credential: the ending to record and the sequence numbers of the two closing steps. */
export interface ServiceClosing extends AccountTarget {
  ending: EventRecord;
  seqs: { disabled: number; rotated: number };
}

/** A provider able to issue service credentials; until every provider is, the others are told apart here. */
type ServiceCapable = IdentityProvider & ServiceCredentialProvider;

function issuesServiceCredentials(provider: IdentityProvider): provider is ServiceCapable {
  return typeof (provider as Partial<ServiceCredentialProvider>).createServiceCredential === 'function';
}

/**
 * The `service` door's side effects: issuing a supplier integration's credential, moving its expiry, closing it,
 * and closing what a refused attempt left. A secret is never logged: logs name the provider, the name and the
 * grant. The secret an activity answers goes to the workflow, whose history the codec encrypts.
 */
export function createServiceCredentialActivities(deps: ServiceCredentialDeps) {
  const { registry, logger } = deps;
  const { providerFor, mustSucceed } = providerCalls(deps);

  /** The provider's service credentials; one that issues none refuses for good (the grant fails, naming `kind`). */
  function serviceProviderFor(name: ProviderName): ServiceCapable {
    const provider = providerFor(name);
    if (issuesServiceCredentials(provider)) return provider;
    const details: FailureDetails = { field: 'kind' };
    throw ApplicationFailure.create({
      message: `${name} does not issue service credentials on this worker`,
      type: failureKind('provider-invalid'),
      nonRetryable: true,
      details: [details],
    });
  }

  return {
    /**
     * Creates the integration's identity and its one secret. A permanent refusal (the name taken by something
     * that is not this grant's) fails the grant; a transient one is retried, and the retry issues a fresh secret.
     */
    async provisionServiceCredential({
      provider,
      spec,
    }: {
      provider: ProviderName;
      spec: ServiceSpec;
    }): Promise<ProvisionResult> {
      const target = serviceProviderFor(provider);
      try {
        const result = await heartbeating(() => target.createServiceCredential(spec));
        logger.info(
          { provider, username: spec.username, grantId: spec.grantId },
          'service credential issued',
        );
        return result;
      } catch (err) {
        throw openingFailure(
          err,
          logger,
          { provider, username: spec.username },
          'issuing a service credential failed',
        );
      }
    },

    /**
     * Moves the credential's expiry. On Entra this is a new secret with the new end, answered for the grant to
     * hand out once; elsewhere nothing is answered.
     */
    async setServiceExpiry({
      provider,
      account,
      expiresAt,
    }: AccountTarget & { expiresAt: string }): Promise<Credential | undefined> {
      return mustSucceed(
        'set-service-expiry',
        { provider, account },
        () => serviceProviderFor(provider).setServiceExpiry(account, expiresAt),
        'service expiry',
      );
    },

    /**
     * Closes the door: records the ending while every secret is removed and the identity disabled, then records
     * `disabled` and `credentials-rotated` (one provider call did both), so the registry sees the grant closed.
     */
    async closeServiceCredential({ provider, account, ending, seqs }: ServiceClosing): Promise<void> {
      const { disabled, rotated } = seqs;
      await Promise.all([
        registry.recordEvent(ending),
        mustSucceed('close-service', { provider, account }, () =>
          serviceProviderFor(provider).closeServiceCredential(account),
        ),
      ]);
      const system = { grantId: ending.grantId, actor: SYSTEM_ACTOR };
      const at = new Date().toISOString();
      await registry.recordEvent({ ...system, seq: disabled, type: 'disabled', at });
      await registry.recordEvent({ ...system, seq: rotated, type: 'credentials-rotated', at });
      logger.info(
        { provider, username: account.username, grantId: ending.grantId },
        'service credential closed',
      );
    },

    /**
     * After a permanent refusal: closes whatever the attempt made under the reserved name for this grant (an
     * application created before its secret was refused, say). Anything not marked with this grant is left alone.
     */
    async cleanUpFailedServiceCredential({
      provider,
      username,
      grantId,
    }: {
      provider: ProviderName;
      username: string;
      grantId: string;
    }): Promise<void> {
      const account: AccountRef = { username, externalId: '', displayName: '' };
      await mustSucceed('clean-up-service', { provider, account }, async () => {
        const target = providerFor(provider);
        if (!issuesServiceCredentials(target)) return;
        const ours = (await target.listServiceCredentials()).filter(
          (found) => found.grantId === grantId && found.name === username,
        );
        for (const found of ours) {
          await closeIgnoringGone(target, { username, externalId: found.id, displayName: found.name });
        }
      });
    },
  };
}

/** Closing something already gone counts as done; so does a holder the provider closes through another (Entra). */
async function closeIgnoringGone(provider: ServiceCredentialProvider, account: AccountRef): Promise<void> {
  try {
    await provider.closeServiceCredential(account);
  } catch (err) {
    if (!(isProviderError(err) && err.kind === 'not-found')) throw err;
  }
}
