import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { AccountRef, ProviderName } from '../domain/account.js';
import { failureKind, type FailureDetails } from '../domain/failure.js';
import { isProviderError } from '../providers/errors.js';
import type { IdentityProvider } from '../providers/types.js';

/** Which account a provider call is about, for its logs. */
export interface AccountTarget {
  provider: ProviderName;
  account: AccountRef;
}

/** After this many failed attempts a step that must succeed is logged as an alert for operators. */
const ALERT_AFTER_ATTEMPTS = 3;
const HEARTBEAT_EVERY_MS = 2_000;

/**
 * How activities call the providers: the provider by name, steps that must eventually succeed (deprovisioning, a
 * shared account's rotation), and heartbeats while a call works. Shared by the grant's and the shared accounts'
 * activities so both retry and alert alike.
 */
export function providerCalls({
  providers,
  logger,
}: {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  logger: Logger;
}) {
  function providerFor(name: ProviderName): IdentityProvider {
    const provider = providers.get(name);
    // Not retryable by construction, but a worker may be started with fewer providers than the API: keep trying
    // so that a worker with the right configuration picks the work up.
    if (!provider)
      throw ApplicationFailure.retryable(
        `provider "${name}" is not enabled on this worker`,
        'ProviderMissing',
      );
    return provider;
  }

  /**
   * Runs a step that must eventually succeed: every failure is retried, and repeated ones are alerts, unless the
   * step raised a non-retryable failure itself. `what` names the work in the logs ("deprovisioning"); the step's
   * own errors are logged by kind and message only.
   */
  async function mustSucceed<T>(
    step: string,
    target: AccountTarget,
    run: () => Promise<T>,
    what = 'deprovisioning',
  ): Promise<T> {
    try {
      return await heartbeating(run);
    } catch (err) {
      // A refusal the step itself declared final (a hand-over to an account that is gone) is not retried.
      if (err instanceof ApplicationFailure && err.nonRetryable) throw err;
      const { attempt } = Context.current().info;
      const alert = attempt >= ALERT_AFTER_ATTEMPTS;
      const log = alert ? logger.error.bind(logger) : logger.warn.bind(logger);
      log(
        { step, provider: target.provider, username: target.account.username, attempt, err: describe(err) },
        alert ? `ALERT: ${what} keeps failing; retrying` : `${what} step failed; retrying`,
      );
      throw retryableFailure(err);
    }
  }

  return { providerFor, mustSucceed, heartbeating };
}

/**
 * Heartbeats while `run` works, so a long wait (a provider's rate limiter during a wave of expiries) is not
 * mistaken for a lost worker, and a worker that really died is noticed within the heartbeat timeout.
 */
export async function heartbeating<T>(run: () => Promise<T>): Promise<T> {
  const context = Context.current();
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    return await run();
  } finally {
    clearInterval(timer);
  }
}

/**
 * What opening a door (creating an account, issuing a service credential) throws when the provider failed: a
 * permanent refusal fails the grant, naming the request field at fault when the provider said which, so the API can
 * answer 400 naming it too; anything else is logged (`retrying` says what was being done) and retried.
 */
export function openingFailure(
  err: unknown,
  logger: Logger,
  context: { provider: ProviderName; username: string },
  retrying: string,
): ApplicationFailure {
  if (isProviderError(err) && !err.retryable) {
    const details: FailureDetails = { field: err.kind === 'invalid' ? err.details.field : undefined };
    return ApplicationFailure.create({
      message: err.message,
      type: failureKind(`provider-${err.kind}`),
      nonRetryable: true,
      details: [details],
    });
  }
  logger.warn({ ...context, err: describe(err) }, `${retrying}; retrying`);
  return retryableFailure(err);
}

/** A failure Temporal retries; a rate limit says when to come back, otherwise the retry policy's backoff applies. */
export function retryableFailure(err: unknown): ApplicationFailure {
  return ApplicationFailure.create({
    message: describe(err).message,
    type: isProviderError(err) ? `provider-${err.kind}` : 'Error',
    nextRetryDelay: isProviderError(err) ? err.details.retryAfterMs : undefined,
  });
}

/** An error as logs and failures name it: its kind and message, nothing else it may carry. */
export function describe(err: unknown): { kind: string; message: string } {
  if (isProviderError(err)) return { kind: err.kind, message: err.message };
  if (err instanceof Error) return { kind: err.name, message: err.message };
  return { kind: 'unknown', message: String(err) };
}
