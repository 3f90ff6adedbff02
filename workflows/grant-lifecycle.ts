import { ActivityFailure, ApplicationFailure, condition, patched } from '@temporalio/workflow';
import type { Credential } from '../domain/account.js';
import { SYSTEM_ACTOR } from '../domain/actor.js';
import {
  failureKind,
  type FailureDetails,
  type GrantFailure,
  type GrantRejection,
} from '../domain/failure.js';
import type { GrantInput, GrantState } from '../domain/grant.js';
import { LIVE_STATUSES } from '../domain/status.js';
import type { DoorSteps } from './doors.js';
import { untilExpiryOrRevoke, untilExpiryOrRevokeRemindingInLine, type Ending } from './expiry.js';
import { Journal } from './journal.js';
import type { ExtensionRequest, ReturnCredentialRequest, RevokeRequest } from './messages.js';
import { Notices } from './notices.js';
import { Reminders } from './reminders.js';

const DAY_MS = 86_400_000;

/** Rejects one message (an update) without failing the workflow; the API maps the type to a status. */
export function reject(type: GrantRejection, message: string): never {
  throw ApplicationFailure.create({ type, message, nonRetryable: true });
}

/**
 * One grant's state and the steps that change it. Message handlers and the main loop share it; every change
 * is recorded in the grant's journal. What opens and closes the door (an account made for the supplier, a shared
 * account lent) is given by `door` (see `doors.ts`).
 */
export class GrantLifecycle {
  readonly state: GrantState;
  /** The one-time credential, until it is claimed or the account is closed. */
  credential: Credential | undefined;
  revocation: RevokeRequest | undefined;
  closed = false;
  /** Notices sent beside the grant's steps; the workflow waits for them before it ends. */
  readonly notices = new Notices();
  /** Counts the times the expiry was moved earlier, so an approval under way sees it was overtaken. */
  shortenings = 0;
  /** Read by the steps kept in files of their own (`shortening.ts`); only this class's methods replace them. */
  readonly journal: Journal;
  readonly reminders: Reminders;

  constructor(
    readonly input: GrantInput,
    private readonly door: DoorSteps,
  ) {
    this.state = { grantId: input.grantId, status: 'provisioning', expiresAt: input.expiresAt };
    this.journal = new Journal(input);
    this.reminders = new Reminders(input, ({ type, details }) =>
      this.journal.record(type, SYSTEM_ACTOR, undefined, details),
    );
  }

  /** A copy, so a handler's answer is not changed by what the workflow does after it. */
  snapshot(): GrantState {
    return JSON.parse(JSON.stringify(this.state)) as GrantState;
  }

  get live(): boolean {
    return LIVE_STATUSES.includes(this.state.status);
  }

  register(): Promise<void> {
    return this.journal.open();
  }

  /** Opens the door (creates the account with its expiry). False when the provider refused it for good (failed). */
  async provision(): Promise<boolean> {
    const { state } = this;
    try {
      const opened = await this.door.open();
      state.account = opened.account;
      this.credential = opened.credential;
    } catch (err) {
      await this.fail(err);
      return false;
    }
    // Active only once the registry says so: whoever waits for the account (the creating request) then reads
    // the grant back as active. Grants started before this rule keep the old order when they replay.
    const readYourWrites = patched('active-once-recorded');
    if (!readYourWrites) state.status = 'active';
    await this.journal.record(
      'provisioned',
      SYSTEM_ACTOR,
      { status: 'active', externalId: accountOf(state).externalId },
      { username: accountOf(state).username },
    );
    state.status = 'active';
    return true;
  }

  /**
   * Sleeps until the expiry, which an approved extension moves, or a revoke; the reminders of the current
   * expiry go out beside that wait.
   */
  async sleepUntilExpiryOrRevoke(): Promise<Ending> {
    const deadline = { expiresAt: () => this.state.expiresAt, revoked: () => this.revocation !== undefined };
    // Grants that started waiting with reminders inside the expiry loop keep it: their histories say so.
    if (!patched('reminders-beside-expiry')) {
      return untilExpiryOrRevokeRemindingInLine(deadline, this.reminders);
    }
    this.reminders.start(deadline.expiresAt);
    return untilExpiryOrRevoke(deadline);
  }

  /** Closes the door (disables the account and rotates its credentials), recording the ending and each step. */
  async close(ending: Ending): Promise<void> {
    const { state } = this;
    this.reminders.stop();
    state.status = ending;
    state.pendingExtension = undefined;
    const { ending: event, seqs } = this.journal.closing(
      ending,
      this.revocation?.actor ?? SYSTEM_ACTOR,
      { status: ending, pendingExtension: null, endedAt: new Date().toISOString() },
      ending === 'revoked' ? { reason: this.revocation?.reason ?? '' } : { expiresAt: state.expiresAt },
    );
    await this.door.close({ account: accountOf(state), ending: event, seqs });
    this.credential = undefined;
    this.closed = true;
  }

  /**
   * Hands the one-time credential out once, provided the caller still listens (`answerBy`). A claim that names
   * who makes it is recorded; only messages that carry such a name record anything, so histories recorded
   * before claims had names replay unchanged.
   */
  async claimCredential(answerBy: string, claimedBy?: string) {
    const waitMs = Date.parse(answerBy) - Date.now();
    if (waitMs > 0) await condition(() => this.state.status !== 'provisioning', waitMs);
    if (this.state.status === 'provisioning' || Date.now() >= Date.parse(answerBy)) {
      return { state: this.snapshot() };
    }
    // Whoever claims it first (the creating request, normally) takes it away.
    const handedOut = this.credential;
    this.credential = undefined;
    if (handedOut && claimedBy !== undefined) await this.journal.record('credential-claimed', claimedBy);
    return { state: this.snapshot(), credential: handedOut };
  }

  /**
   * Keeps a credential again whose claim was answered too late for anyone to hear (the API gives it back), so
   * the next claim gets it. Nothing to keep once the account is closed, or when a credential is already held.
   */
  async takeBackCredential({ credential, claimedBy }: ReturnCredentialRequest): Promise<GrantState> {
    if (this.closed || !this.live || this.credential) return this.snapshot();
    this.credential = credential;
    if (claimedBy !== undefined) await this.journal.record('credential-returned', claimedBy);
    return this.snapshot();
  }

  checkExtensionRequest({ expiresAt }: ExtensionRequest): void {
    const { state } = this;
    if (state.status === 'extension-requested') reject('Conflict', 'an extension is already pending');
    if (state.status !== 'active') reject('Conflict', `the grant is ${state.status}`);
    const requested = Date.parse(expiresAt);
    if (!(requested > Date.parse(state.expiresAt))) {
      reject('Invalid', `expiresAt must be later than the current expiry ${state.expiresAt}`);
    }
    if (requested > Date.now() + this.input.maxGrantDays * DAY_MS) {
      reject('Invalid', `expiresAt must be at most ${this.input.maxGrantDays} days from now`);
    }
  }

  async requestExtension({ expiresAt, reason, actor }: ExtensionRequest): Promise<GrantState> {
    const { state } = this;
    state.pendingExtension = { expiresAt, reason, requestedBy: actor, requestedAt: new Date().toISOString() };
    state.status = 'extension-requested';
    await this.journal.record(
      'extension-requested',
      actor,
      { status: state.status, pendingExtension: state.pendingExtension },
      { expiresAt, reason },
    );
    return this.snapshot();
  }

  /** A decision on the pending request asked at `requestedAt`; `actor` is checked when it approves. */
  checkDecision(requestedAt: string, actor?: string): void {
    const pending = this.state.pendingExtension;
    if (!pending || this.state.status !== 'extension-requested')
      reject('Conflict', 'no extension is pending');
    // An approval copied from the history and sent again must not decide a later request.
    if (pending.requestedAt !== requestedAt)
      reject('Conflict', 'the extension decided on is no longer pending');
    if (actor !== undefined && pending.requestedBy === actor) {
      reject('FourEyes', 'an extension must be approved by someone other than the person who requested it');
    }
  }

  /** Moves the expiry in the directory, then the durable timer (the main loop sees the new expiry). */
  async approveExtension(actor: string): Promise<GrantState> {
    const { state } = this;
    const extension = state.pendingExtension;
    if (!extension || !state.account) reject('Conflict', 'no extension is pending');
    // Taken before the first await so a concurrent approval or rejection finds nothing left to decide.
    state.pendingExtension = undefined;
    const shortenings = this.shortenings;
    const renewed = await this.door.setExpiry(state.account, extension.expiresAt);
    if (!this.live) return this.snapshot();
    this.keepRenewed(renewed);
    if (this.shortenings !== shortenings) {
      // The expiry was moved earlier meanwhile, dropping this extension: the directory gets the shorter one back.
      await this.applyExpiry();
      reject('Conflict', 'the expiry was shortened while the extension was being approved; ask again');
    }
    state.expiresAt = extension.expiresAt;
    this.reminders.expiryMoved();
    state.status = 'active';
    await this.journal.record(
      'extension-approved',
      actor,
      { status: 'active', expiresAt: extension.expiresAt, pendingExtension: null },
      { expiresAt: extension.expiresAt, requestedBy: extension.requestedBy },
    );
    return this.snapshot();
  }

  async rejectExtension(actor: string, reason: string | undefined): Promise<GrantState> {
    const { state } = this;
    const extension = state.pendingExtension;
    if (!extension) reject('Conflict', 'no extension is pending');
    state.pendingExtension = undefined;
    state.status = 'active';
    await this.journal.record(
      'extension-rejected',
      actor,
      { status: 'active', pendingExtension: null },
      { expiresAt: extension.expiresAt, reason: reason ?? '' },
    );
    return this.snapshot();
  }

  /** Asks the main loop to close the account now, and answers once it is closed. */
  async revoke(request: RevokeRequest): Promise<GrantState> {
    this.revocation ??= request;
    await condition(() => this.closed);
    return this.snapshot();
  }

  /**
   * Sets the directory's expiry to the grant's, and again if it moved while the directory was being written:
   * writes may finish out of order, so each writer checks after its own that the last one holds the current.
   */
  async applyExpiry(): Promise<void> {
    let applied: string | undefined;
    while (this.live && this.state.account && applied !== this.state.expiresAt) {
      applied = this.state.expiresAt;
      this.keepRenewed(await this.door.setExpiry(this.state.account, applied));
    }
  }

  /**
   * A new secret the provider issued with a moved expiry (an Entra client secret cannot change its end) replaces
   * the one-time credential: the supplier claims it once, like the first. Nothing to keep once closed.
   */
  private keepRenewed(renewed: Credential | undefined): void {
    if (renewed && this.live && !this.closed) this.credential = renewed;
  }

  private async fail(err: unknown): Promise<void> {
    const { state } = this;
    const failure = failureOf(err);
    state.status = 'failed';
    state.failure = failure;
    // A permanent refusal may come after a partial create (a group that does not exist, say): close what we made.
    await this.door.cleanUp();
    await this.journal.record('provisioning-failed', SYSTEM_ACTOR, {
      status: 'failed',
      failure,
      endedAt: new Date().toISOString(),
    });
    this.revocation = undefined;
    this.closed = true;
  }
}

/** A provider's refusal as the grant keeps it: its kind, the request field at fault if any, what it said. */
function failureOf(err: unknown): GrantFailure {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (!(cause instanceof ApplicationFailure)) return { kind: 'error', message: String(err) };
  const { field } = (cause.details?.[0] ?? {}) as FailureDetails;
  const kind = failureKind(cause.type ?? undefined);
  return field === undefined ? { kind, message: cause.message } : { kind, field, message: cause.message };
}

/** The account of a provisioned grant; the steps that need it run only after provisioning succeeded. */
function accountOf(state: GrantState) {
  if (!state.account) throw ApplicationFailure.nonRetryable('the grant has no account yet', 'NoAccount');
  return state.account;
}
