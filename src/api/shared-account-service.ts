import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import { WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/common';
import type { Actor } from '../../domain/actor.js';
import { LIVE_STATUSES } from '../../domain/status.js';
import type { Credential, ProviderName } from '../../domain/account.js';
import {
  sharedAccountWorkflowId,
  type LendInput,
  type SharedAccountRecord,
} from '../../domain/shared-account.js';
import { isProviderError } from '../../providers/errors.js';
import type { AccountState } from '../../providers/types.js';
import { ACCOUNT_KEY, initialSearchAttributes } from '../../workflows/search-attributes.js';
import { SharedAccountExistsError } from '../registry/shared-account-store.js';
import type { GrantRecord, RegistryStore } from '../registry/types.js';
import type { CredentialSealer } from '../sealing.js';
import { can } from './auth.js';
import type { CreatedGrant, GrantService } from './grant-service.js';
import { invalid, problem, type HttpProblem } from './problem.js';
import type { CreateSharedAccountBody, LendBody, PatchSharedAccountBody } from './shared-account-schemas.js';

/** Finds the existing account a shared account points at (`IdentityProvider.lookupAccount`); null: none. */
export type AccountLookup = (provider: ProviderName, ref: string) => Promise<AccountState | null>;

export interface SharedAccountServiceOptions {
  /** The registry: grants, suppliers and shared accounts. */
  registry: RegistryStore;
  grants: GrantService;
  client: Client;
  taskQueue: string;
  lookupAccount: AccountLookup;
  /** Opens the password sealed for the custodian. */
  sealer: CredentialSealer;
  now?: () => number;
}

/** What the custodian's claim answers, once. */
export interface CustodianCredential {
  sharedAccountId: string;
  credential: Credential;
  rotatedAt: string;
}

/** What a request's `account` must name, by provider. */
const ACCOUNT_RULES: Record<ProviderName, string> = {
  ldap: 'must be the DN of an existing directory account',
  okta: 'must be the user id or login of an existing Okta user',
  entra: 'must be the user id or userPrincipalName of an existing Entra user',
};

/**
 * Between the HTTP API and Temporal for shared accounts: registers them, lends them through `lendWorkflow`
 * (a lend is a grant of the `lend` door, started and claimed through GrantService), and hands the custodian the
 * password a rotation sealed for them.
 */
export class SharedAccountService {
  private readonly now: () => number;

  constructor(private readonly options: SharedAccountServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  private stamp(): string {
    return new Date(this.now()).toISOString();
  }

  /** Registers the account the provider finds for `body.account`: a 400 naming `account` when it finds none. */
  async register(body: CreateSharedAccountBody, actor: Actor): Promise<SharedAccountRecord> {
    const found = await this.lookup(body.provider, body.account);
    const stamp = this.stamp();
    try {
      return await this.options.registry.insertSharedAccount({
        id: randomUUID(),
        provider: body.provider,
        account: { username: found.username, externalId: found.externalId, displayName: found.displayName },
        label: body.label,
        custodian: body.custodian,
        rotationIntervalDays: body.rotationIntervalDays,
        createdBy: actor.name,
        createdAt: stamp,
        updatedAt: stamp,
      });
    } catch (err) {
      if (!(err instanceof SharedAccountExistsError)) throw err;
      throw problem(409, `this account is already registered as shared account ${err.existingId}`, {
        sharedAccountId: err.existingId,
      });
    }
  }

  private async lookup(provider: ProviderName, ref: string): Promise<AccountState> {
    let found: AccountState | null;
    try {
      found = await this.options.lookupAccount(provider, ref);
    } catch (err) {
      // A malformed reference is the caller's; a directory that does not answer is nobody's fault but its own.
      if (isProviderError(err) && (err.kind === 'invalid' || err.kind === 'not-found')) found = null;
      else if (isProviderError(err) && err.kind === 'transient')
        throw problem(503, `the ${provider} directory did not answer; try again`);
      else throw err;
    }
    if (!found) throw invalid([{ field: 'account', rule: ACCOUNT_RULES[provider] }]);
    return found;
  }

  async get(id: string): Promise<SharedAccountRecord> {
    const found = await this.options.registry.getSharedAccount(id);
    if (!found) throw problem(404, `no shared account ${id}`);
    return found;
  }

  async update(id: string, body: PatchSharedAccountBody, actor: Actor): Promise<SharedAccountRecord> {
    const updated = await this.options.registry.updateSharedAccount(id, body, actor.name, this.stamp());
    if (!updated) throw problem(404, `no shared account ${id}`);
    return updated;
  }

  /**
   * Lends the account: the supplier and expiry are checked as a grant's, then `lendWorkflow` rotates the
   * password and hands the new one to the requester once. One lend (or rotation) at a time: a 409 names who
   * holds the account and until when.
   */
  async lend(id: string, body: LendBody, actor: Actor): Promise<CreatedGrant> {
    const shared = await this.get(id);
    const live = await this.options.registry.liveLendOf(id);
    if (live) throw await this.heldBy(live);
    const { grants } = this.options;
    const { supplier, organisation, contactEmail } = await grants.grantSupplier(body, actor, {
      at: body.until,
      field: 'until',
    });
    const input: LendInput = {
      grantId: randomUUID(),
      provider: shared.provider,
      supplier: { organisation, contactEmail },
      supplierId: supplier.id,
      username: shared.account.username,
      displayName: shared.account.displayName,
      expiresAt: body.until,
      reason: body.reason,
      ticket: body.ticket,
      groups: [],
      requestedBy: actor.name,
      ...grants.inputPolicy(),
      door: 'lend',
      sharedAccountId: id,
      account: shared.account,
      custodian: shared.custodian,
    };
    return grants.startDoor({
      workflowType: 'lendWorkflow',
      workflowId: sharedAccountWorkflowId(id),
      input,
      // A shared account's name may be an e-mail address (an Okta login): search attributes are plaintext.
      searchAttributes: initialSearchAttributes(input).filter((pair) => pair.key !== ACCOUNT_KEY),
      // Who holds the account, for the 409 of a lend that loses the race before this one's row is written.
      memo: { holder: supplier.legalName, until: body.until },
      onConflict: () => this.busy(id),
    });
  }

  /** The live lend, which only its requester or an admin may end early (`return`). */
  async liveLendFor(id: string, actor: Actor): Promise<GrantRecord> {
    await this.get(id);
    const live = await this.options.registry.liveLendOf(id);
    if (!live) throw problem(409, `shared account ${id} is not lent`);
    if (live.requestedBy !== actor.name && !can(actor, 'admin')) {
      throw problem(
        403,
        `${actor.name} did not ask for this lend; only its requester (${live.requestedBy}) or an admin may ` +
          'return it.',
      );
    }
    return live;
  }

  /** The password waiting for the custodian, once; a 404 when none waits. */
  async claimForCustodian(id: string, actor: Actor): Promise<CustodianCredential> {
    const shared = await this.get(id);
    mustBeCustodian(shared, actor, 'take the password waiting for the custodian');
    const sealed = await this.options.registry.takeCustodianCredential(id, actor.name, this.stamp());
    if (!sealed) throw noneWaits(id);
    const credential = await this.options.sealer.open(sealed.sealed);
    return { sharedAccountId: id, credential, rotatedAt: sealed.at };
  }

  /** The custodian resets the password themselves: the waiting one is thrown away unseen. */
  async discardForCustodian(id: string, actor: Actor): Promise<void> {
    const shared = await this.get(id);
    mustBeCustodian(shared, actor, 'discard the password waiting for the custodian');
    if (!(await this.options.registry.discardCustodianCredential(id, actor.name, this.stamp())))
      throw noneWaits(id);
  }

  /** Starts a manual rotation; the new password waits for the custodian. A 409 while lent or rotating. */
  async rotate(id: string, actor: Actor): Promise<SharedAccountRecord> {
    const shared = await this.get(id);
    mustBeCustodian(shared, actor, 'rotate the password');
    const live = await this.options.registry.liveLendOf(id);
    if (live) throw await this.heldBy(live);
    try {
      await this.options.client.workflow.start('rotationWorkflow', {
        workflowId: sharedAccountWorkflowId(id),
        taskQueue: this.options.taskQueue,
        args: [{ sharedAccountId: id, reason: 'manual', actor: actor.name }],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE',
      });
    } catch (err) {
      if (err instanceof WorkflowExecutionAlreadyStartedError) throw await this.busy(id);
      throw err;
    }
    return shared;
  }

  /**
   * What holds the account's workflow id: a live lend (named with its holder), or a rotation. A lend whose
   * registry row is not written yet is found through its workflow's memo.
   */
  private async busy(id: string): Promise<HttpProblem> {
    const live = await this.options.registry.liveLendOf(id);
    if (live) return this.heldBy(live);
    try {
      const running = await this.options.client.workflow.getHandle(sharedAccountWorkflowId(id)).describe();
      const { grantId: lendId, holder, until } = running.memo ?? {};
      if (running.type === 'lendWorkflow' && typeof lendId === 'string') {
        const lend = await this.options.registry.getGrant(lendId);
        // An ended lend's run still rotates the password back and tells the custodian: nobody holds it.
        if (lend && !LIVE_STATUSES.includes(lend.status)) return rotating();
        if (lend) return this.heldBy(lend);
        if (typeof holder === 'string' && typeof until === 'string') return lentTo(holder, until, lendId);
        return problem(409, `shared account ${id} is being lent (lend ${lendId}); try again shortly`, {
          lendId,
        });
      }
    } catch (err) {
      if (!(err instanceof WorkflowNotFoundError)) throw err;
    }
    return rotating();
  }

  /** The 409 of a second lend: who holds the account (the supplier's legal name) and until when. */
  private async heldBy(lend: GrantRecord): Promise<HttpProblem> {
    const supplier = lend.supplierId ? await this.options.registry.getSupplier(lend.supplierId) : null;
    return lentTo(supplier?.legalName ?? lend.organisation, lend.expiresAt, lend.id);
  }
}

function rotating(): HttpProblem {
  return problem(409, 'the password is being rotated; try again shortly');
}

function lentTo(holder: string, until: string, lendId: string): HttpProblem {
  return problem(
    409,
    `the account is lent to ${holder} until ${until} (lend ${lendId}); one lend at a time`,
    {
      holder,
      until,
      lendId,
    },
  );
}

function noneWaits(id: string): HttpProblem {
  return problem(404, `no password waits for the custodian of shared account ${id}`);
}

/** The custodian's password goes to the custodian (the token named in `custodian.name`), or to an admin. */
function mustBeCustodian(shared: SharedAccountRecord, actor: Actor, what: string): void {
  if (actor.name === shared.custodian.name || can(actor, 'admin')) return;
  throw problem(
    403,
    `${actor.name} is not the custodian of this account; only its custodian (${shared.custodian.name}) or an ` +
      `admin may ${what}.`,
  );
}
