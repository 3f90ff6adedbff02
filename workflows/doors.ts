/**
 * The door a grant opens and closes: the steps that differ between an account made for a supplier (a grant), an
 * existing shared account lent to one (a lend) and a credential for a supplier's integration (a service). The lifecycle around them (the journal, the wait, extensions,
 * reminders, the one-time credential) is the same for both. Deterministic: loaded inside the workflow sandbox.
 */
import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { AccountRef, Credential } from '../domain/account.js';
import type { EventRecord } from '../domain/events.js';
import type { GrantInput } from '../domain/grant.js';
import type { ServiceInput } from '../domain/service.js';
import type { LendInput } from '../domain/shared-account.js';
import type { ClosingSeqs } from './journal.js';

// Provider calls never give up: transient failures retry forever with capped backoff (registry writes too, see
// `journal.ts`). Only opening the door stops, on a provider's permanent refusal (raised as non-retryable by the
// activity), so the requester hears about it.
const forever = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' } as const;
// Provider calls heartbeat while they run (a rate limiter may hold them for minutes during a wave of
// expiries): a worker that died is noticed after the heartbeat timeout, not after the long start-to-close.
// Ten seconds, plus at most the 10 s retry interval: a crash delays an expiry by 20 s at worst
// (test/e2e/crash-outage.test.ts). Activity options are not compared on replay: old histories still replay.
const providerCall = { startToCloseTimeout: '1h', heartbeatTimeout: '10s', retry: forever } as const;
const {
  provisionAccount,
  cleanUpFailedAccount,
  closeAccount,
  setAccountExpiry,
  rotateSharedPassword,
  closeLend,
  provisionServiceCredential,
  closeServiceCredential,
  setServiceExpiry,
  cleanUpFailedServiceCredential,
} = proxyActivities<Activities>(providerCall);

/** The door as it stands once open: the account, and the one-time credential for the requester if any. */
export interface OpenedDoor {
  account: AccountRef;
  credential?: Credential | undefined;
}

/** The ending to record and the sequence numbers the closing steps record theirs under. */
export interface DoorClosing {
  account: AccountRef;
  ending: EventRecord;
  seqs: ClosingSeqs;
}

/**
 * The steps that depend on the kind of door. Each may run an activity or none; a grant's run exactly the
 * activities, in exactly the order, its histories recorded.
 */
export interface DoorSteps {
  /** Opens the door; throws the activity's failure when the provider refused it for good. */
  open(): Promise<OpenedDoor>;
  /** Closes the door, recording the ending and the closing steps. */
  close(closing: DoorClosing): Promise<void>;
  /**
   * Sets the expiry held by the directory itself (an approved extension, a shortening). Answers a new one-time
   * credential where the provider keeps the expiry on a secret that cannot change (an Entra client secret): the
   * grant holds it for one claim.
   */
  setExpiry(account: AccountRef, expiresAt: string): Promise<Credential | undefined>;
  /** After a permanent refusal to open: closes whatever the attempt left behind. */
  cleanUp(): Promise<void>;
}

/** A grant's door: an account made for the supplier, with its expiry on it, disabled and rotated at the end. */
export function accountDoor(input: GrantInput): DoorSteps {
  const { provider } = input;
  return {
    async open() {
      return provisionAccount({
        provider,
        spec: {
          username: input.username,
          organisation: input.supplier.organisation,
          displayName: input.displayName,
          contactEmail: input.supplier.contactEmail,
          grantId: input.grantId,
          expiresAt: input.expiresAt,
          groups: input.groups,
          kind: input.kind,
        },
      });
    },
    close: ({ account, ending, seqs }) => closeAccount({ provider, account, ending, seqs }),
    async setExpiry(account, expiresAt) {
      await setAccountExpiry({ provider, account, expiresAt });
      return undefined;
    },
    cleanUp: () => cleanUpFailedAccount({ provider, username: input.username, grantId: input.grantId }),
  };
}

/**
 * A lend's door: an existing shared account whose password is rotated before the hand-over (the requester gets
 * that one, once) and again at the end, for the custodian. The account stays enabled throughout, and its own
 * expiry in the directory is never touched: it belongs to the custodian, not to the lend.
 */
export function lendDoor(input: LendInput): DoorSteps {
  const { provider, sharedAccountId, account } = input;
  return {
    async open() {
      const credential = await rotateSharedPassword({
        sharedAccountId,
        reason: 'hand-over',
        lendId: input.grantId,
        actor: input.requestedBy,
      });
      return { account, credential };
    },
    close: ({ ending, seqs }) => closeLend({ sharedAccountId, provider, account, ending, seqs }),
    setExpiry: async () => undefined,
    // The hand-over either set a password or changed nothing: there is nothing to clean up.
    cleanUp: async () => undefined,
  };
}

/**
 * A service credential's door: an integration's identity named after the supplier (an Entra application and its
 * service principal, an Okta service app, an LDAP/AD service account) with one secret, the expiry on it where the
 * provider holds one. Closed like an account (`disabled` and `credentials-rotated` recorded, so the registry sees
 * it closed): every secret removed and the identity disabled. An extension on Entra issues a new secret, which the
 * grant holds for one claim.
 */
export function serviceDoor(input: ServiceInput): DoorSteps {
  const { provider, grantId } = input;
  return {
    open: () =>
      provisionServiceCredential({
        provider,
        spec: {
          username: input.username,
          organisation: input.supplier.organisation,
          displayName: input.displayName,
          grantId,
          expiresAt: input.expiresAt,
        },
      }),
    close: ({ account, ending, seqs }) => closeServiceCredential({ provider, account, ending, seqs }),
    setExpiry: (account, expiresAt) => setServiceExpiry({ provider, account, expiresAt }),
    cleanUp: () => cleanUpFailedServiceCredential({ provider, username: input.username, grantId }),
  };
}
