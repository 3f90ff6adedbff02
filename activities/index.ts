import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { ProviderName } from '../domain/account.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { EventRecord } from '../domain/events.js';
import type { GrantInput } from '../domain/grant.js';
import { CLOSED_STATUSES } from '../domain/status.js';
import type { AccountSpec, IdentityProvider, ProvisionResult } from '../providers/types.js';
import type { Notifier } from '../src/notify/index.js';
import type { CredentialSealer } from '../src/sealing.js';
import { grantRecordFromInput, type RegistryStore } from '../src/registry/types.js';
import { UNAUTHENTIC } from '../workflows/authentic.js';
import { createNoticeActivities } from './notices.js';
import { heartbeating, openingFailure, providerCalls, type AccountTarget } from './provider-calls.js';
import { registryRecipients, type GrantRecipients } from './recipients.js';
import { createReminderActivities } from './reminders.js';
import { createRetentionActivities, type RetentionSettings } from './retention.js';
import { createReviewReportActivities, type ReviewSettings } from './review-report.js';
import { createReviewActivities } from './review.js';
import { createReviewInventoryActivities } from './review-inventory.js';
import { createServiceCredentialActivities } from './service-credentials.js';
import { createSharedAccountActivities } from './shared-accounts.js';
import { createManualDoorActivities } from './manual-doors.js';
import { createIncidentActivities } from './incidents.js';

export interface ActivityDeps {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  registry: RegistryStore;
  logger: Logger;
  /** Where reminders, notices and review summaries go; without it none are sent. */
  notifier?: Notifier | undefined;
  /** Whom a grant's reminders and notices go to; by default the supplier contact the registry holds. */
  recipients?: GrantRecipients | undefined;
  /** The web page's public address (`PUBLIC_URL`): reminders link to the grant's page. */
  publicUrl?: string | undefined;
  /** How the access review runs on this worker. */
  review?: ReviewSettings | undefined;
  /** How long closed accounts and contact e-mails are kept (Law 25); without it, for good. */
  retention?: RetentionSettings | undefined;
  /** Seals shared accounts' passwords for their custodian; without it no rotation for a custodian completes. */
  sealer?: CredentialSealer | undefined;
}

/** What closes a grant's account: the ending to record, and the sequence numbers of the two closing steps. */
export interface Closing extends AccountTarget {
  ending: EventRecord;
  /**
   * Given by the workflow's journal. Absent from closings scheduled before the journal gave them: those steps
   * take the two numbers after the ending's, which that workflow kept free.
   */
  seqs?: { disabled: number; rotated: number } | undefined;
}

/**
 * The workflows' side effects. Plain async functions over injected dependencies, so tests can give them
 * a real directory and a real registry.
 */
export function createActivities(deps: ActivityDeps) {
  const notificationDeps = {
    notifier: deps.notifier,
    publicUrl: deps.publicUrl,
    logger: deps.logger,
    recipients: deps.recipients ?? registryRecipients(deps.registry),
  };
  return {
    ...createGrantActivities(deps),
    ...createReminderActivities(notificationDeps),
    ...createNoticeActivities(notificationDeps),
    ...createReviewActivities(deps),
    ...createReviewReportActivities(deps),
    ...createReviewInventoryActivities(deps),
    ...createRetentionActivities(deps),
    ...createSharedAccountActivities(deps),
    ...createManualDoorActivities(deps),
    ...createServiceCredentialActivities(deps),
    ...createIncidentActivities(deps),
  };
}

/** The grant workflow's provider calls and registry writes. */
function createGrantActivities({ providers, registry, logger }: ActivityDeps) {
  const { providerFor, mustSucceed } = providerCalls({ providers, logger });

  return {
    async recordGrant(input: GrantInput): Promise<void> {
      const { grantId } = input;
      await registry.insertGrant(
        grantRecordFromInput(input, Context.current().info.workflowExecution?.workflowId ?? ''),
        { grantId, seq: 0, type: 'created', at: input.createdAt, actor: input.requestedBy },
      );
      // A grant's start input sits, encrypted, in its history: sent again once the grant is over, it would open
      // the supplier's closed account again. A grant starts once; its workflow ends here.
      const recorded = await registry.getGrant(grantId);
      if (recorded && CLOSED_STATUSES.includes(recorded.status)) {
        throw ApplicationFailure.nonRetryable(
          `grant ${grantId} is already ${recorded.status}; its start sent again is refused`,
          UNAUTHENTIC,
        );
      }
    },

    async recordEvent(event: EventRecord): Promise<void> {
      await registry.recordEvent(event);
    },

    async provisionAccount({
      provider,
      spec,
    }: {
      provider: ProviderName;
      spec: AccountSpec;
    }): Promise<ProvisionResult> {
      try {
        // The account's closed grants, whose account this grant may take over instead of being refused. Read here,
        // not in the workflow, so that no workflow history changes. Closed means done: Temporal runs one workflow
        // per account at a time, so an earlier grant's deprovisioning has finished before this one starts.
        const reclaimable = await registry.closedGrantIds(provider, spec.username);
        const request: AccountSpec = { ...spec, reclaimable };
        const result = await heartbeating(() => providerFor(provider).createAccount(request));
        logger.info(
          { provider, username: spec.username, grantId: spec.grantId, reclaimable: reclaimable.length },
          'account provisioned',
        );
        return result;
      } catch (err) {
        throw openingFailure(err, logger, { provider, username: spec.username }, 'provisioning failed');
      }
    },

    async setAccountExpiry({
      provider,
      account,
      expiresAt,
    }: AccountTarget & { expiresAt: string }): Promise<void> {
      await mustSucceed('set-expiry', { provider, account }, () =>
        providerFor(provider).setExpiry(account, expiresAt),
      );
    },

    /**
     * Closes the door: records the ending (expired or revoked) while disabling the account, then rotates its
     * credentials, recording each step. Every step is idempotent, so a retry after any failure is harmless.
     */
    async closeAccount({ provider, account, ending, seqs }: Closing): Promise<void> {
      const { disabled, rotated } = seqs ?? { disabled: ending.seq + 1, rotated: ending.seq + 2 };
      const target = { provider, account };
      const system = { grantId: ending.grantId, actor: SYSTEM_ACTOR };
      await Promise.all([
        registry.recordEvent(ending),
        mustSucceed('disable', target, () => providerFor(provider).disableAccount(account)),
      ]);
      await registry.recordEvent({
        ...system,
        seq: disabled,
        type: 'disabled',
        at: new Date().toISOString(),
      });
      logger.info({ provider, username: account.username, grantId: ending.grantId }, 'account disabled');
      await mustSucceed('rotate', target, () => providerFor(provider).rotateCredentials(account));
      await registry.recordEvent({
        ...system,
        seq: rotated,
        type: 'credentials-rotated',
        at: new Date().toISOString(),
      });
      logger.info({ provider, username: account.username, grantId: ending.grantId }, 'credentials rotated');
    },

    /** Closes whatever a failed provisioning left behind, when it belongs to this grant. */
    async cleanUpFailedAccount({
      provider,
      username,
      grantId,
    }: {
      provider: ProviderName;
      username: string;
      grantId: string;
    }) {
      const target = { provider, account: { username, externalId: '', displayName: '' } };
      await mustSucceed('clean-up', target, async () => {
        const found = await providerFor(provider).findAccount(username);
        if (!found || found.grantId !== grantId) return;
        await providerFor(provider).disableAccount(found);
        await providerFor(provider).rotateCredentials(found);
      });
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
