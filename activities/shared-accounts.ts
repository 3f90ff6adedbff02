import { ApplicationFailure } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { Credential, ProviderName } from '../domain/account.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import type { NotificationChannel } from '../domain/channels.js';
import type { EventRecord } from '../domain/events.js';
import { failureKind } from '../domain/failure.js';
import type { RotationReason } from '../domain/shared-account.js';
import { isProviderError } from '../providers/errors.js';
import type { IdentityProvider } from '../providers/types.js';
import type { Notifier } from '../src/notify/index.js';
import type { SharedAccountStore } from '../src/registry/shared-account-store.js';
import type { RegistryStore } from '../src/registry/types.js';
import type { CredentialSealer } from '../src/sealing.js';
import { custodianMessage, type CustodianFacts } from './custodian-notice.js';
import { providerCalls, type AccountTarget } from './provider-calls.js';
import { sendNotice } from './reminders.js';

/** What the shared accounts' activities need. */
export interface SharedAccountDeps {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  registry: SharedAccountStore & Pick<RegistryStore, 'recordEvent'>;
  logger: Logger;
  /** Seals the custodian's password for the registry; a worker without it rotates nothing for the custodian. */
  sealer?: CredentialSealer | undefined;
  notifier?: Notifier | undefined;
}

/** One rotation of a shared account's password, and who asked for it. */
export interface RotationRequest {
  sharedAccountId: string;
  reason: RotationReason;
  /** The lend the rotation belongs to (its hand-over or its end). */
  lendId?: string | undefined;
  actor: string;
}

/** What closes a lend: its ending and the sequence number of its `credentials-rotated`. */
export interface LendClosing extends AccountTarget {
  sharedAccountId: string;
  ending: EventRecord;
  seqs: { rotated: number };
}

/**
 * The shared accounts' side effects: rotating a password (for a lend's requester at the hand-over, for the
 * custodian otherwise), a lend's closing, and the custodian's notice. A password is never logged: logs name the
 * shared account, the reason and the attempt.
 */
export function createSharedAccountActivities(deps: SharedAccountDeps) {
  const { registry, logger, sealer, notifier } = deps;
  const { providerFor, mustSucceed } = providerCalls(deps);

  /**
   * Gives the account a new password for the custodian and keeps it sealed in the registry. Every attempt asks the
   * directory for a new one: a password the directory refused, or one whose recording failed, is never kept.
   */
  async function rotateForCustodian(target: AccountTarget, rotation: RotationRequest): Promise<void> {
    // Checked before the directory is touched: a password that cannot be kept must not replace the current one.
    if (!sealer) {
      throw ApplicationFailure.retryable('this worker cannot seal credentials', 'SealerMissing');
    }
    const credential = await mustSucceed(
      `rotate-${rotation.reason}`,
      target,
      () => providerFor(target.provider).resetPassword(target.account),
      'rotation',
    );
    const at = new Date().toISOString();
    await registry.recordRotation({
      ...rotation,
      at,
      forCustodian: { sealed: await sealer.seal(credential), at },
    });
    logger.info(rotationLog(target, rotation), 'shared account rotated for its custodian');
  }

  /**
   * The hand-over's new password, for the lend's requester. A permanent refusal (the account is gone, our
   * credentials are refused) fails the lend at once, with nothing handed out; a transient one is retried, a
   * password the directory's policy refused included (the providers call it transient): the next attempt makes
   * another one.
   */
  async function rotateForHandOver(target: AccountTarget, rotation: RotationRequest): Promise<Credential> {
    const reset = async () => {
      try {
        return await providerFor(target.provider).resetPassword(target.account);
      } catch (err) {
        if (!isProviderError(err) || err.retryable) throw err;
        const type = failureKind(`provider-${err.kind}`);
        throw ApplicationFailure.create({ message: err.message, type, nonRetryable: true });
      }
    };
    const credential = await mustSucceed('rotate-hand-over', target, reset, 'hand-over rotation');
    await registry.recordRotation({ ...rotation, at: new Date().toISOString() });
    logger.info(rotationLog(target, rotation), 'shared account rotated for its hand-over');
    return credential;
  }

  return {
    /**
     * Rotates the shared account's password. For `hand-over` it answers the new credential, which goes to the
     * lend's requester once (encrypted in the lend's history by the codec); for every other reason the password
     * is sealed for the custodian in the registry and nothing is answered.
     */
    async rotateSharedPassword(rotation: RotationRequest): Promise<Credential | undefined> {
      const shared = await registry.getSharedAccount(rotation.sharedAccountId);
      if (!shared) {
        throw ApplicationFailure.nonRetryable(
          `shared account ${rotation.sharedAccountId} is not registered`,
          'provider-not-found',
        );
      }
      const target = { provider: shared.provider, account: shared.account };
      if (rotation.reason === 'hand-over') return rotateForHandOver(target, rotation);
      await rotateForCustodian(target, rotation);
      return undefined;
    },

    /**
     * Closes a lend: records its ending (expired, or revoked for an early return), rotates the password for the
     * custodian (`lend-ended`), then records `credentials-rotated` on the lend. Each step is safe to repeat.
     */
    async closeLend({ sharedAccountId, provider, account, ending, seqs }: LendClosing): Promise<void> {
      await registry.recordEvent(ending);
      const rotation = {
        sharedAccountId,
        reason: 'lend-ended',
        lendId: ending.grantId,
        actor: SYSTEM_ACTOR,
      } as const;
      await rotateForCustodian({ provider, account }, rotation);
      await registry.recordEvent({
        grantId: ending.grantId,
        seq: seqs.rotated,
        type: 'credentials-rotated',
        at: new Date().toISOString(),
        actor: SYSTEM_ACTOR,
      });
    },

    /**
     * Tells the custodian, through one channel, that a new password waits for their claim; false when the channel
     * is not configured or (e-mail) the custodian has no address. The password is never in it.
     */
    async deliverCustodianNotice({
      channel,
      notice,
    }: {
      channel: NotificationChannel;
      notice: CustodianFacts;
    }): Promise<boolean> {
      if (!notifier?.channels.includes(channel)) return false;
      const shared = await registry.getSharedAccount(notice.sharedAccountId);
      if (!shared) return false;
      const message = custodianMessage(notice, shared);
      return sendNotice(
        notifier,
        logger,
        channel,
        message,
        { sharedAccountId: shared.id },
        'custodian notice',
      );
    },
  };
}

function rotationLog({ provider, account }: AccountTarget, rotation: RotationRequest) {
  const { sharedAccountId, reason, lendId } = rotation;
  return { sharedAccountId, reason, lendId, provider, username: account.username };
}
