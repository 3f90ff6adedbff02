import { ApplicationFailure, Context } from '@temporalio/activity';
import type { Logger } from 'pino';
import type { AccountState, IdentityProvider } from '../providers/types.js';
import type { AccountRef, ProviderName } from '../domain/account.js';
import {
  changesDirectory,
  classifyAccount,
  plannedAction,
  reviewedAccount,
  summarise,
} from '../src/registry/review-rules.js';
import { NOTEWORTHY_FINDINGS, type ProviderReview, type ReviewedAccount } from '../domain/review.js';
import type { RegistryStore } from '../src/registry/types.js';
import type { EventRecord } from '../domain/events.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import { createReviewRotationActivities, sharedAccountsOf } from './review-rotations.js';
import { repairServiceCredentials, serviceGrantsOf, type ServiceGrants } from './review-services.js';

export { classifyAccount } from '../src/registry/review-rules.js';

/** What the review's activities work with: the same providers and registry as the grant activities. */
export interface ReviewActivityDeps {
  providers: ReadonlyMap<ProviderName, IdentityProvider>;
  registry: RegistryStore;
  logger: Logger;
}

/** One provider's part of a review, as the review workflow asks for it. */
export interface ReviewProviderInput {
  reviewId: string;
  provider: ProviderName;
  /** The supplier convention (`ACCOUNT_PREFIX`): only accounts named so are reviewed. */
  prefix: string;
  /** `REVIEW_DISABLE_ORPHANS`: disable (and rotate) usable accounts no grant covers, instead of reporting them. */
  disableOrphans: boolean;
}

/**
 * Corrections under way at once. Each is a few provider calls; the providers pace themselves with their own
 * rate limiters, so more would only queue there, and fewer would make a review after a mass drift slow.
 */
const CONCURRENT_CORRECTIONS = 8;
const HEARTBEAT_EVERY_MS = 5_000;

/**
 * The access review's side effects: start a review, review one provider, finish the review. A retried
 * `reviewProvider` (same review id) rewrites the same rows and adds no event twice.
 */
export function createReviewActivities({ providers, registry, logger }: ReviewActivityDeps) {
  // Arrow functions, not methods: Temporal's worker, and callers, take them off the object and call them alone.
  return {
    ...createReviewRotationActivities({ registry, logger }),
    /** Records the review as started; a retry does nothing more. */
    startReview: async (input: { reviewId: string; trigger: string; startedAt: string }): Promise<void> => {
      await registry.startReview({ id: input.reviewId, trigger: input.trigger, startedAt: input.startedAt });
    },

    /**
     * Lists the provider's supplier-convention accounts, compares each with its latest grant, corrects what
     * must be corrected, and keeps every account's row in the review. A directory that cannot be listed gives
     * a summary with `error` (so the others still make a report); a registry failure throws, to be retried.
     */
    reviewProvider: async (input: ReviewProviderInput): Promise<ProviderReview> => {
      return whileHeartbeating((signal) => reviewOneProvider({ providers, registry, logger }, input, signal));
    },

    /** Closes the review with each provider's summary; `noteworthy` counts the accounts and credential holders worth a look. */
    finishReview: async (input: {
      reviewId: string;
      finishedAt: string;
      providers: ProviderReview[];
    }): Promise<{ noteworthy: number }> => {
      await registry.finishReview(input.reviewId, input.finishedAt, input.providers);
      // Flagged credential holders are worth a look as much as orphan accounts are.
      const noteworthy = input.providers
        .flatMap((p) => [
          ...NOTEWORTHY_FINDINGS.map((finding) => p.findings[finding] ?? 0),
          p.inventory?.flagged ?? 0,
        ])
        .reduce((a, b) => a + b, 0);
      return { noteworthy };
    },
  };
}

export type ReviewActivities = ReturnType<typeof createReviewActivities>;

async function reviewOneProvider(
  deps: ReviewActivityDeps,
  input: ReviewProviderInput,
  signal: AbortSignal | undefined,
): Promise<ProviderReview> {
  const { registry, logger } = deps;
  const { reviewId, provider } = input;
  const directory = deps.providers.get(provider);
  if (!directory) return unlisted(provider, `provider "${provider}" is not enabled on this worker`);
  let listed: AccountState[];
  try {
    listed = await directory.listAccounts(input.prefix);
  } catch (err) {
    logger.warn({ reviewId, provider, err: messageOf(err) }, 'review: cannot list the directory');
    return unlisted(provider, messageOf(err));
  }
  const shared = await sharedAccountsOf(registry, provider);
  // Our service accounts are not supplier accounts without a grant: their own part of the review repairs them.
  const services = await serviceGrantsOf(registry, provider);
  listed = listed.filter((account) => !shared.has(account) && !services.has(account));
  const rows = await classifyAll(deps, input, listed, services);
  // Saved before anything is changed, with the action planned: should this attempt die half-way, the retry
  // finds what was found (see classifyAll) and does it again; the rows acted on are saved again after.
  await registry.saveReviewedAccounts(reviewId, [...rows.values()]);
  const toSettle = [...rows.values()].filter(needsWork);
  const settled = await forEachAtMost(CONCURRENT_CORRECTIONS, toSettle, signal, (row) =>
    settle(deps, directory, input, row),
  );
  await registry.saveReviewedAccounts(reviewId, settled);
  for (const row of settled) rows.set(row.username, row);
  const repaired = await repairServiceCredentials({ directory, registry, logger }, input, services);
  await registry.saveReviewedAccounts(reviewId, repaired);
  for (const row of repaired) rows.set(row.username, row);
  const summary = summarise(provider, rows.values());
  logger.info({ reviewId, ...summary }, 'review: provider reviewed');
  return summary;
}

function unlisted(provider: ProviderName, error: string): ProviderReview {
  return { provider, accounts: 0, findings: {}, error };
}

/** An account as the review found it in the directory. */
type FoundAccount = Pick<AccountState, 'username' | 'externalId' | 'displayName' | 'enabled' | 'expiresAt'>;

/**
 * Every account's row, with the action it calls for. An account this review already wrote a row for (an
 * earlier attempt of this activity) keeps the state it was found in then: the directory now shows what that
 * attempt corrected, and the report must say what was found, not what was left.
 */
async function classifyAll(
  { registry }: ReviewActivityDeps,
  { reviewId, provider, disableOrphans }: ReviewProviderInput,
  listed: readonly FoundAccount[],
  services: ServiceGrants,
): Promise<Map<string, ReviewedAccount>> {
  const report = await registry.getReview(reviewId);
  if (!report)
    throw ApplicationFailure.nonRetryable(`review ${reviewId} was never started`, 'ReviewNotStarted');
  // An earlier attempt's rows of service credentials are the service part's: it writes them again itself.
  const earlier = new Map(
    report.accounts.filter((a) => a.provider === provider && !services.has(a)).map((a) => [a.username, a]),
  );
  const asFound = new Map<string, FoundAccount>(earlier);
  for (const account of listed) if (!earlier.has(account.username)) asFound.set(account.username, account);
  const grants = await registry.latestGrantsByAccount(provider, [...asFound.keys()]);
  const now = new Date();
  const rows = new Map<string, ReviewedAccount>();
  for (const [username, account] of asFound) {
    const grant = grants.get(username);
    const finding = classifyAccount(account, grant, now);
    const action = plannedAction(finding, account.enabled, disableOrphans);
    rows.set(username, reviewedAccount(provider, account, grant, finding, action));
  }
  return rows;
}

/** Rows that change the directory, or leave an event on a grant (an account left by a failed grant). */
function needsWork(row: ReviewedAccount): boolean {
  return changesDirectory(row.action) || (row.finding === 'orphan' && row.grantId !== undefined);
}

/**
 * Does what the row calls for, after a fresh look at the account's latest grant: it may have moved since the
 * batch was read (an approval just landed, a revocation, a new grant now provisioning this very account),
 * and the review must never act on a stale one. A directory that refuses leaves the row `failed` with the
 * reason, for the next review to try again; the registry failing throws.
 */
async function settle(
  { registry, logger }: ReviewActivityDeps,
  directory: IdentityProvider,
  { reviewId, provider, disableOrphans }: ReviewProviderInput,
  row: ReviewedAccount,
): Promise<ReviewedAccount> {
  const grant = (await registry.latestGrantsByAccount(provider, [row.username])).get(row.username);
  const finding = classifyAccount(row, grant, new Date());
  const fresh = reviewedAccount(
    provider,
    row,
    grant,
    finding,
    plannedAction(finding, row.enabled, disableOrphans),
  );
  const log = { reviewId, provider, username: row.username, grantId: grant?.id, finding };
  if (changesDirectory(fresh.action)) {
    try {
      await correct(directory, fresh);
    } catch (err) {
      logger.warn({ ...log, err: messageOf(err) }, 'review: correction failed; the next review tries again');
      return { ...fresh, action: 'failed', error: messageOf(err) };
    }
    logger.warn({ ...log, action: fresh.action }, 'review: account corrected');
  }
  const event = reviewEvent(reviewId, fresh);
  if (event) await registry.recordReviewEvent(event);
  return fresh;
}

/** The directory change the row's action stands for; every call is idempotent, so a retry is harmless. */
async function correct(directory: IdentityProvider, row: ReviewedAccount): Promise<void> {
  const account: AccountRef = {
    username: row.username,
    externalId: row.externalId,
    displayName: row.displayName,
  };
  if (row.action === 'expiry-corrected' && row.grantExpiresAt !== undefined) {
    await directory.setExpiry(account, row.grantExpiresAt);
  } else if (row.action === 'disabled-and-rotated') {
    // Disabling is what closes the door: done first, a rotation that fails still leaves the account closed.
    await directory.disableAccount(account);
    await directory.rotateCredentials(account);
  }
}

/**
 * The event the row leaves on its grant. Corrections name the review, so each correction is recorded once; an
 * orphan's does not, so an account left by a failed grant is recorded once for what was done to it, not again
 * at every scheduled review while it stays.
 */
function reviewEvent(reviewId: string, row: ReviewedAccount): Omit<EventRecord, 'seq'> | undefined {
  if (row.grantId === undefined) return undefined;
  const base = { grantId: row.grantId, at: new Date().toISOString(), actor: SYSTEM_ACTOR };
  if (row.finding === 'drift' && row.action === 'disabled-and-rotated') {
    return { ...base, type: 'drift-corrected', details: { reviewId, finding: row.finding } };
  }
  if (row.finding === 'expiry-mismatch' && row.action === 'expiry-corrected') {
    const details = {
      reviewId,
      finding: row.finding,
      directoryExpiresAt: row.expiresAt ?? 'none',
      expiresAt: row.grantExpiresAt ?? '',
    };
    return { ...base, type: 'expiry-corrected', details };
  }
  if (row.finding === 'orphan') {
    return { ...base, type: 'orphan-found', details: { finding: row.finding, action: row.action } };
  }
  return undefined;
}

/**
 * Runs `work` on every item, at most `limit` at once, in order of the items; stops taking new items once one
 * failed (a registry failure: the activity is retried anyway) or the activity was cancelled.
 */
async function forEachAtMost<T, R>(
  limit: number,
  items: readonly T[],
  signal: AbortSignal | undefined,
  work: (item: T) => Promise<R>,
): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  let failed = false;
  const lane = async (): Promise<void> => {
    while (!failed && next < items.length) {
      signal?.throwIfAborted();
      const index = next++;
      try {
        results[index] = await work(items[index] as T);
      } catch (err) {
        failed = true;
        throw err;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, lane));
  return results;
}

/**
 * Heartbeats while `work` runs, so Temporal tells a long review (listing 10,000 accounts, a queue of
 * corrections behind a rate limiter) from a lost worker; hands `work` the activity's cancellation signal.
 * Outside an activity (unit tests, the benchmark) there is no context: `work` just runs.
 */
export async function whileHeartbeating<T>(
  work: (signal: AbortSignal | undefined) => Promise<T>,
): Promise<T> {
  const context = currentContext();
  if (!context) return work(undefined);
  const timer = setInterval(() => context.heartbeat(), HEARTBEAT_EVERY_MS);
  try {
    context.heartbeat();
    return await work(context.cancellationSignal);
  } finally {
    clearInterval(timer);
  }
}

function currentContext(): Context | undefined {
  try {
    return Context.current();
  } catch {
    return undefined; // "Activity context not initialized"
  }
}

function messageOf(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
