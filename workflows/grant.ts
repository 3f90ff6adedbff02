import {
  ActivityFailure,
  ApplicationFailure,
  allHandlersFinished,
  condition,
  proxyActivities,
  setHandler,
} from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import type { Credential } from '../providers/types.js';
import type { GrantPatch } from '../src/registry/types.js';
import {
  LIVE_STATUSES,
  SYSTEM_ACTOR,
  approveExtensionUpdate,
  claimCredentialUpdate,
  rejectExtensionUpdate,
  requestExtensionUpdate,
  revokeUpdate,
  stateQuery,
  type GrantEventType,
  type GrantInput,
  type GrantRejection,
  type ExtensionRequest,
  type GrantState,
  type RevokeRequest,
} from './messages.js';

const DAY_MS = 86_400_000;

// Registry writes and deprovisioning never give up: transient failures retry forever with capped backoff,
// and the activities never raise non-retryable failures for them.
const forever = { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' } as const;
// Provider calls heartbeat while they run (a rate limiter may hold them for minutes during a wave of
// expiries): a worker that died is noticed after the heartbeat timeout, not after the long start-to-close.
const providerCall = { startToCloseTimeout: '1h', heartbeatTimeout: '20s', retry: forever } as const;
const { recordGrant, recordEvent } = proxyActivities<Activities>({
  startToCloseTimeout: '10s',
  retry: forever,
});
const { closeAccount, setAccountExpiry } = proxyActivities<Activities>(providerCall);
// Provisioning also retries transient failures forever, but stops on the provider's permanent refusals
// (raised as non-retryable by the activity) so the requester hears about them.
const { provisionAccount, cleanUpFailedAccount } = proxyActivities<Activities>(providerCall);

function reject(type: GrantRejection, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * One supplier grant, from the request to the closed door: provision the account with its expiry, sleep until
 * the expiry (moved only by an extension that a second person approved), then disable the account and rotate
 * its credentials. A revoke does the same at once.
 */
export async function grantWorkflow(input: GrantInput): Promise<GrantState> {
  const state: GrantState = { grantId: input.grantId, status: 'provisioning', expiresAt: input.expiresAt };
  let credential: Credential | undefined;
  let revocation: RevokeRequest | undefined;
  let deprovisioned = false;
  let seq = 0;

  // A copy, so a handler's answer is not changed by what the workflow does after it.
  const snapshot = (): GrantState => JSON.parse(JSON.stringify(state)) as GrantState;
  const record = (
    type: GrantEventType,
    actor: string,
    patch?: GrantPatch,
    details?: Record<string, string>,
  ) =>
    recordEvent({
      grantId: input.grantId,
      seq: ++seq,
      type,
      at: new Date().toISOString(),
      actor,
      patch,
      details,
    });

  setHandler(stateQuery, snapshot);

  setHandler(claimCredentialUpdate, async ({ answerBy }) => {
    const waitMs = Date.parse(answerBy) - Date.now();
    if (waitMs > 0) await condition(() => state.status !== 'provisioning', waitMs);
    if (state.status === 'provisioning' || Date.now() >= Date.parse(answerBy)) return { state: snapshot() };
    // Handed out once: whoever claims it first (the creating request, normally) takes it away.
    const handedOut = credential;
    credential = undefined;
    return { state: snapshot(), credential: handedOut };
  });

  setHandler(
    requestExtensionUpdate,
    async ({ expiresAt, reason, actor }) => {
      state.pendingExtension = {
        expiresAt,
        reason,
        requestedBy: actor,
        requestedAt: new Date().toISOString(),
      };
      state.status = 'extension-requested';
      await record(
        'extension-requested',
        actor,
        { status: state.status, pendingExtension: state.pendingExtension },
        {
          expiresAt,
          reason,
        },
      );
      return snapshot();
    },
    {
      validator: ({ expiresAt }: ExtensionRequest) => {
        if (state.status === 'extension-requested') reject('Conflict', 'an extension is already pending');
        if (state.status !== 'active') reject('Conflict', `the grant is ${state.status}`);
        const requested = Date.parse(expiresAt);
        if (!(requested > Date.parse(state.expiresAt))) {
          reject('Invalid', `expiresAt must be later than the current expiry ${state.expiresAt}`);
        }
        if (requested > Date.now() + input.maxGrantDays * DAY_MS) {
          reject('Invalid', `expiresAt must be at most ${input.maxGrantDays} days from now`);
        }
      },
    },
  );

  setHandler(
    approveExtensionUpdate,
    async ({ actor }) => {
      const extension = state.pendingExtension;
      if (!extension || !state.account) reject('Conflict', 'no extension is pending');
      // Taken before the first await so a concurrent approval or rejection finds nothing left to decide.
      state.pendingExtension = undefined;
      await setAccountExpiry({
        provider: input.provider,
        account: state.account,
        expiresAt: extension.expiresAt,
      });
      if (!LIVE_STATUSES.includes(state.status)) return snapshot();
      state.expiresAt = extension.expiresAt;
      state.status = 'active';
      await record(
        'extension-approved',
        actor,
        {
          status: 'active',
          expiresAt: extension.expiresAt,
          pendingExtension: null,
        },
        { expiresAt: extension.expiresAt, requestedBy: extension.requestedBy },
      );
      return snapshot();
    },
    {
      validator: ({ actor }) => {
        if (!state.pendingExtension || state.status !== 'extension-requested')
          reject('Conflict', 'no extension is pending');
        if (state.pendingExtension.requestedBy === actor) {
          reject(
            'FourEyes',
            'an extension must be approved by someone other than the person who requested it',
          );
        }
      },
    },
  );

  setHandler(
    rejectExtensionUpdate,
    async ({ actor, reason }) => {
      const extension = state.pendingExtension;
      if (!extension) reject('Conflict', 'no extension is pending');
      state.pendingExtension = undefined;
      state.status = 'active';
      await record(
        'extension-rejected',
        actor,
        { status: 'active', pendingExtension: null },
        {
          expiresAt: extension.expiresAt,
          reason: reason ?? '',
        },
      );
      return snapshot();
    },
    {
      validator: (_decision) => {
        if (!state.pendingExtension || state.status !== 'extension-requested')
          reject('Conflict', 'no extension is pending');
      },
    },
  );

  setHandler(
    revokeUpdate,
    async (request) => {
      revocation ??= request;
      await condition(() => deprovisioned);
      return snapshot();
    },
    {
      validator: (_request) => {
        if (!LIVE_STATUSES.includes(state.status)) reject('Conflict', `the grant is already ${state.status}`);
      },
    },
  );

  await recordGrant(input);

  try {
    const result = await provisionAccount({
      provider: input.provider,
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
    state.account = result.account;
    credential = result.credential;
  } catch (err) {
    return await fail(err);
  }
  state.status = 'active';
  await record(
    'provisioned',
    SYSTEM_ACTOR,
    { status: 'active', externalId: state.account.externalId },
    {
      username: state.account.username,
    },
  );

  const ending = await sleepUntilExpiryOrRevoke();
  state.status = ending;
  state.pendingExtension = undefined;
  const why: Record<string, string> =
    ending === 'revoked' ? { reason: revocation?.reason ?? '' } : { expiresAt: state.expiresAt };
  const endingEvent = {
    grantId: input.grantId,
    seq: ++seq,
    type: ending,
    at: new Date().toISOString(),
    actor: revocation?.actor ?? SYSTEM_ACTOR,
    details: why,
    patch: { status: ending, pendingExtension: null, endedAt: new Date().toISOString() },
  };
  // One activity closes the door and records it: a wave of expiries costs the server as few round trips as
  // possible. It records 'disabled' and 'credentials-rotated' under the next two sequence numbers.
  seq += 2;
  await closeAccount({ provider: input.provider, account: state.account, ending: endingEvent });
  credential = undefined;
  deprovisioned = true;
  await condition(allHandlersFinished);
  return snapshot();

  /** Sleeps on a durable timer that an approved extension moves; wakes early for a revoke. */
  async function sleepUntilExpiryOrRevoke(): Promise<'expired' | 'revoked'> {
    for (;;) {
      if (revocation) return 'revoked';
      const deadline = state.expiresAt;
      const remaining = Date.parse(deadline) - Date.now();
      if (remaining <= 0) return 'expired';
      await condition(() => revocation !== undefined || state.expiresAt !== deadline, remaining);
      if (!revocation && state.expiresAt === deadline) return 'expired';
    }
  }

  async function fail(err: unknown): Promise<GrantState> {
    const cause = err instanceof ActivityFailure ? err.cause : err;
    const failure =
      cause instanceof ApplicationFailure
        ? { kind: cause.type ?? 'error', message: cause.message }
        : { kind: 'error', message: String(err) };
    state.status = 'failed';
    state.failure = failure;
    // A permanent refusal may come after a partial create (a group that does not exist, say): close what we made.
    await cleanUpFailedAccount({
      provider: input.provider,
      username: input.username,
      grantId: input.grantId,
    });
    await record('provisioning-failed', SYSTEM_ACTOR, {
      status: 'failed',
      failure,
      endedAt: new Date().toISOString(),
    });
    revocation = undefined;
    deprovisioned = true;
    await condition(allHandlersFinished);
    return snapshot();
  }
}
