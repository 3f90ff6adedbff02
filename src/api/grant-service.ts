import { randomUUID } from 'node:crypto';
import { WorkflowUpdateFailedError, type Client, type WorkflowHandle } from '@temporalio/client';
import {
  ApplicationFailure,
  WorkflowExecutionAlreadyStartedError,
  WorkflowNotFoundError,
  type SearchAttributePair,
} from '@temporalio/common';
import { supplierDisplayName } from '../../domain/naming.js';
import type { Credential, ProviderName } from '../../domain/account.js';
import {
  approveExtensionUpdate,
  claimCredentialUpdate,
  grantWorkflowId,
  rejectExtensionUpdate,
  requestExtensionUpdate,
  returnCredentialUpdate,
  revokeUpdate,
  shortenUpdate,
  type ClaimCredentialResult,
  type ExtensionDecision,
} from '../../workflows/messages.js';
import { LIVE_STATUSES } from '../../domain/status.js';
import type { GrantInput, GrantState } from '../../domain/grant.js';
import { serviceDisplayName, type ServiceInput } from '../../domain/service.js';
import { initialSearchAttributes } from '../../workflows/search-attributes.js';
import { grantRecordFromInput, type GrantRecord, type RegistryStore } from '../registry/types.js';
import { accountNameFor, serviceNameFor } from './account-name.js';
import { ANSWER_MARGIN_MS, answerWithin } from './answer-within.js';
import type { Actor } from '../../domain/actor.js';
import { invalid, problem } from './problem.js';
import { provisioningProblem } from './provisioning-problem.js';
import { ORGANISATION_RULE, type CreateGrantBody } from './schemas.js';
import { checkContractEnd, SupplierService } from './supplier-service.js';
import type { SupplierRecord } from '../../domain/supplier.js';

export interface GrantServiceOptions {
  client: Client;
  registry: RegistryStore;
  taskQueue: string;
  accountPrefix: string;
  maxGrantDays: number;
  /** Per provider, the longest account name it accepts. */
  usernameLimits: ReadonlyMap<ProviderName, number>;
  /** How long a request waits for the workflow before answering 202. */
  answerWithinMs?: number;
  /** Whether the server knows the grant search attributes (see `ensureSearchAttributes`). */
  indexed?: boolean;
  /** `REMINDER_LEAD`: how long before the expiry reminders go out. */
  reminderLeadsMs?: number[];
  /** Told when a credential whose answer came too late could not be given back to its grant. */
  onLostCredential?: (err: unknown) => void;
  /** The supplier registry; by default one on `registry`. */
  suppliers?: SupplierService | undefined;
}

/** What `POST /v1/grants` answers: the grant, and the one-time credential when it is ready. */
export interface CreatedGrant {
  provisioned: boolean;
  grant: GrantRecord;
  credential?: Credential | undefined;
}

/** Between the HTTP API and Temporal: starts grant workflows and sends them their messages. */
export class GrantService {
  private readonly answerWithinMs: number;
  private readonly suppliers: SupplierService;

  constructor(private readonly options: GrantServiceOptions) {
    this.answerWithinMs = options.answerWithinMs ?? 10_000;
    this.suppliers = options.suppliers ?? new SupplierService({ registry: options.registry });
  }

  async create(body: CreateGrantBody, actor: Actor): Promise<CreatedGrant> {
    const { supplier, organisation, contactEmail } = await this.grantSupplier(body, actor, {
      at: body.expiresAt,
      field: 'expiresAt',
    });
    // The schema checks it; the account name is derived here, so it is checked where it is made too.
    if (supplier.key === '') {
      const field = body.supplierId ? 'supplierId' : 'supplier.organisation';
      throw invalid([{ field, rule: ORGANISATION_RULE }]);
    }
    const service = body.kind === 'service';
    // The account is the supplier's, whichever spelling the request used: its reserved name on this provider. A
    // service credential has a name of its own beside it, reserved the same way (`sup-acme-svc`).
    const username = service
      ? await serviceNameFor(this.options, body.provider, supplier.key)
      : await accountNameFor(this.options, body.provider, supplier.key);
    const input: GrantInput | ServiceInput = {
      ...(service ? { door: 'service' as const } : {}),
      grantId: randomUUID(),
      provider: body.provider,
      supplier: { organisation, contactEmail },
      supplierId: supplier.id,
      username,
      displayName: (service ? serviceDisplayName : supplierDisplayName)(supplier.legalName),
      expiresAt: body.expiresAt,
      reason: body.reason,
      ticket: body.ticket,
      groups: body.groups ?? [],
      kind: body.account,
      requestedBy: actor.name,
      ...this.inputPolicy(),
    };
    const workflowId = grantWorkflowId(input.provider, username);
    return this.startDoor({
      workflowType: 'grantWorkflow',
      workflowId,
      input,
      searchAttributes: initialSearchAttributes(input),
      onConflict: () => this.liveGrantConflict(workflowId, username),
    });
  }

  /** What every new door's input carries of the policy in force: checked against it for its whole life. */
  inputPolicy() {
    return {
      createdAt: new Date().toISOString(),
      maxGrantDays: this.options.maxGrantDays,
      indexed: this.options.indexed ?? false,
      reminderLeadsMs: this.options.reminderLeadsMs ?? [],
    };
  }

  /**
   * Starts the workflow of a new door (a grant, or a lend of a shared account) and waits a while for its
   * one-time credential. Temporal itself refuses a second run under the same id while one is open: `onConflict`
   * says what that conflict is.
   */
  async startDoor(door: {
    workflowType: 'grantWorkflow' | 'lendWorkflow';
    workflowId: string;
    input: GrantInput;
    searchAttributes: SearchAttributePair[];
    /** More for the run's memo (encrypted like every payload), beside the `grantId` every door has. */
    memo?: Record<string, string>;
    onConflict: () => Promise<unknown>;
  }): Promise<CreatedGrant> {
    const { input, workflowId } = door;
    let handle: WorkflowHandle;
    try {
      handle = await this.options.client.workflow.start(door.workflowType, {
        workflowId,
        taskQueue: this.options.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
        // The grant's own run is found by this memo (ownRun): the id outlives the grant.
        memo: { ...door.memo, grantId: input.grantId },
        ...(input.indexed ? { typedSearchAttributes: door.searchAttributes } : {}),
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw await door.onConflict();
      throw err;
    }
    const pending = grantRecordFromInput(input, workflowId);
    const answer = await this.claim(handle, input.grantId);
    if (!answer) return { provisioned: false, grant: pending };
    const grant = withState(pending, answer.state);
    if (answer.state.status === 'failed') throw provisioningProblem(answer.state);
    return { provisioned: answer.state.status !== 'provisioning', grant, credential: answer.credential };
  }

  /**
   * The supplier of a new grant (found, or made on the fly from `supplier`), and what the grant records of it:
   * the organisation as the request wrote it (or the legal name), the contact given (or the supplier's first).
   * Refuses an expiry past the supplier's contract end, and a guest for a supplier with no contact.
   */
  async grantSupplier(
    body: Pick<CreateGrantBody, 'supplierId' | 'supplier' | 'durationDays' | 'account'>,
    actor: Actor,
    expiry: { at: string; field: string },
  ) {
    const supplier: SupplierRecord = await this.suppliers.forGrant(body, actor);
    checkContractEnd(supplier, expiry.at, body.durationDays === undefined ? expiry.field : 'durationDays');
    const contactEmail = body.supplier?.contactEmail ?? supplier.contactEmails[0];
    if (body.account === 'guest' && !contactEmail) {
      throw invalid([
        { field: 'supplierId', rule: 'a guest is invited by e-mail: the supplier has no contact e-mail' },
      ]);
    }
    return { supplier, organisation: body.supplier?.organisation ?? supplier.legalName, contactEmail };
  }

  /**
   * The one-time credential of a grant answered with 202, for `actor` (recorded as who took it); without
   * `credential` once handed out, `null` when the workflow did not answer in time.
   */
  async claimCredential(grant: GrantRecord, actor: Actor): Promise<ClaimCredentialResult | null> {
    if (!LIVE_STATUSES.includes(grant.status))
      throw problem(409, `the grant is ${grant.status}`, { grantStatus: grant.status });
    const own = await this.ownRun(grant);
    let answer: ClaimCredentialResult | null;
    try {
      answer = await this.claim(own, grant.id, actor.name);
    } catch (err) {
      throw this.mapUpdateError(err, grant);
    }
    if (answer?.state.status === 'failed') throw provisioningProblem(answer.state);
    return answer;
  }

  /**
   * Asks the workflow for the credential, listening a margin past the deadline it gives the workflow, as the
   * workflow hands nothing out after it. An answer that still comes too late (this process was paused, say)
   * reached nobody: its credential goes back to the grant, so the next claim gets it.
   */
  private claim(
    handle: WorkflowHandle,
    grantId: string,
    claimedBy?: string,
  ): Promise<ClaimCredentialResult | null> {
    const answerBy = new Date(Date.now() + this.answerWithinMs).toISOString();
    return answerWithin(
      handle.executeUpdate(claimCredentialUpdate, { args: [{ grantId, answerBy, claimedBy }] }),
      this.answerWithinMs + ANSWER_MARGIN_MS,
      ({ credential }) => {
        if (!credential) return;
        handle
          .executeUpdate(returnCredentialUpdate, { args: [{ grantId, credential, claimedBy }] })
          .catch((err: unknown) => this.options.onLostCredential?.(err));
      },
    );
  }

  async requestExtension(grant: GrantRecord, actor: Actor, expiresAt: string, reason: string) {
    await this.suppliers.checkNotBlocked(grant.supplierId);
    await this.suppliers.checkExpiry(grant.supplierId, expiresAt, 'expiresAt');
    return this.send(grant, (h) =>
      h.executeUpdate(requestExtensionUpdate, {
        args: [{ grantId: grant.id, expiresAt, reason, actor: actor.name }],
      }),
    );
  }

  async approveExtension(grant: GrantRecord, actor: Actor, reason?: string) {
    await this.suppliers.checkPendingExtension(grant);
    return this.send(grant, (h) =>
      h.executeUpdate(approveExtensionUpdate, { args: [decision(grant, actor, reason)] }),
    );
  }

  rejectExtension(grant: GrantRecord, actor: Actor, reason: string) {
    return this.send(grant, (h) =>
      h.executeUpdate(rejectExtensionUpdate, { args: [decision(grant, actor, reason)] }),
    );
  }

  /**
   * Moves the grant's expiry earlier, to `expiresAt` (now or past: the account is closed at once, and the answer
   * waits for it). A later expiry than the current one is a `400` naming `expiresAt`; a grant no longer live a
   * `409`. `null` when the workflow did not answer in time (the shortening stays queued).
   */
  shorten(grant: GrantRecord, expiresAt: string, actor: Actor, reason: string) {
    return this.send(grant, (h) =>
      h.executeUpdate(shortenUpdate, { args: [{ grantId: grant.id, expiresAt, reason, actor: actor.name }] }),
    );
  }

  /** Revokes and waits for the door to close; `null` when that takes longer than the answer window. */
  revoke(grant: GrantRecord, actor: Actor, reason: string) {
    return this.send(grant, (h) =>
      h.executeUpdate(revokeUpdate, { args: [{ grantId: grant.id, actor: actor.name, reason }] }),
    );
  }

  /**
   * Sends one update to the grant's own run. Validator rejections become 409/403/400; a grant whose workflow
   * has ended answers 409 with its final status. `null` when the workflow did not answer in time (the update
   * stays queued and takes effect when a worker picks it up).
   */
  private async send<T>(grant: GrantRecord, call: (h: WorkflowHandle) => Promise<T>): Promise<T | null> {
    if (!LIVE_STATUSES.includes(grant.status))
      throw problem(409, `the grant is ${grant.status}`, { grantStatus: grant.status });
    const own = await this.ownRun(grant);
    try {
      return await answerWithin(call(own), this.answerWithinMs);
    } catch (err) {
      throw this.mapUpdateError(err, grant);
    }
  }

  /** The run that belongs to this grant: after it ends, the same workflow id may carry a newer grant. */
  private async ownRun(grant: GrantRecord): Promise<WorkflowHandle> {
    const handle = this.options.client.workflow.getHandle(grant.workflowId);
    try {
      const description = await handle.describe();
      if (description.memo?.grantId === grant.id)
        return this.options.client.workflow.getHandle(grant.workflowId, description.runId);
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    throw problem(409, `the grant is no longer live`, { grantStatus: grant.status });
  }

  private mapUpdateError(err: unknown, grant: GrantRecord): unknown {
    if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
      const status = { Conflict: 409, FourEyes: 403, Invalid: 400 }[err.cause.type ?? ''];
      if (status === 400) return invalid([{ field: 'expiresAt', rule: err.cause.message }]);
      if (status) return problem(status, err.cause.message);
    }
    if (err instanceof WorkflowNotFoundError)
      return problem(409, 'the grant is no longer live', { grantId: grant.id });
    return err;
  }

  private async liveGrantConflict(workflowId: string, username: string) {
    let liveGrantId: string | undefined;
    try {
      const memo = (await this.options.client.workflow.getHandle(workflowId).describe()).memo;
      liveGrantId = typeof memo?.grantId === 'string' ? memo.grantId : undefined;
    } catch {
      liveGrantId = undefined;
    }
    return problem(
      409,
      `a live grant already covers account ${username}${liveGrantId ? ` (${liveGrantId})` : ''}; extend it instead`,
      {
        liveGrantId,
      },
    );
  }
}

/** A decision on the extension the registry shows pending (the workflow refuses it if that is no longer so). */
function decision(grant: GrantRecord, actor: Actor, reason: string | undefined): ExtensionDecision {
  const requestedAt = grant.pendingExtension?.requestedAt ?? '';
  return { grantId: grant.id, actor: actor.name, reason, requestedAt };
}

export function withState(record: GrantRecord, state: GrantState): GrantRecord {
  return {
    ...record,
    status: state.status,
    expiresAt: state.expiresAt,
    externalId: state.account?.externalId ?? record.externalId,
    pendingExtension: state.pendingExtension,
    failure: state.failure,
  };
}
