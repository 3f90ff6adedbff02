/**
 * The grant workflow's messages, shared by the workflow and the API; the grant's data is in `domain/`. Types
 * and message definitions only: this file is loaded inside the deterministic workflow sandbox.
 */
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { Credential, ProviderName } from '../domain/account.js';
import type { GrantState } from '../domain/grant.js';

/**
 * Every message names the grant it is for: a message is encrypted, but anyone who reads a history holds its
 * ciphertext, and sent to another grant it must not count there.
 */
interface ForGrant {
  grantId: string;
}

export interface ClaimCredentialRequest extends ForGrant {
  /**
   * When the caller stops listening. The workflow waits for provisioning until then, and never hands the
   * credential out after it: an answer nobody reads would lose the credential.
   */
  answerBy: string;
  /**
   * Who claims it through `POST /v1/grants/{id}/credential`, recorded as `credential-claimed`; absent for the
   * creating request, whose answer already carries the credential to the person who asked.
   */
  claimedBy?: string | undefined;
}

/** A credential handed out by `claimCredential` whose answer nobody heard: the grant keeps it again. */
export interface ReturnCredentialRequest extends ForGrant {
  credential: Credential;
  /** Whom the late answer was for, when the claim was recorded with a name. */
  claimedBy?: string | undefined;
}

export interface ClaimCredentialResult {
  state: GrantState;
  /** The one-time credential: present in the first answer after provisioning, never again. */
  credential?: Credential | undefined;
}

export interface ExtensionRequest extends ForGrant {
  expiresAt: string;
  reason: string;
  actor: string;
}

export interface ExtensionDecision extends ForGrant {
  actor: string;
  reason?: string | undefined;
  /** The request decided on, by when it was asked: a decision counts for that request only. */
  requestedAt: string;
}

export interface RevokeRequest extends ForGrant {
  actor: string;
  reason: string;
}

/**
 * Moves the expiry earlier (a supplier's contract that now ends sooner). An expiry now or past closes the account
 * at once; one later than the current expiry is refused (that is an extension, which needs a second person).
 */
export interface ShortenRequest extends ForGrant {
  expiresAt: string;
  reason: string;
  actor: string;
}

export const claimCredentialUpdate = defineUpdate<ClaimCredentialResult, [ClaimCredentialRequest]>(
  'claimCredential',
);
export const returnCredentialUpdate = defineUpdate<GrantState, [ReturnCredentialRequest]>('returnCredential');
export const requestExtensionUpdate = defineUpdate<GrantState, [ExtensionRequest]>('requestExtension');
export const approveExtensionUpdate = defineUpdate<GrantState, [ExtensionDecision]>('approveExtension');
export const rejectExtensionUpdate = defineUpdate<GrantState, [ExtensionDecision]>('rejectExtension');
export const revokeUpdate = defineUpdate<GrantState, [RevokeRequest]>('revoke');
export const shortenUpdate = defineUpdate<GrantState, [ShortenRequest]>('shorten');
export const stateQuery = defineQuery<GrantState>('state');

/**
 * A revoke sent by another workflow (an incident's): workflows cannot send updates, so it is a signal, believed
 * only when it came encrypted with the service's key and names this grant. A grant no longer live ignores it.
 */
export const revokeSignal = defineSignal<[RevokeRequest]>('revokeForIncident');

/** One workflow per live (provider, account): Temporal itself refuses a second live grant. */
export function grantWorkflowId(provider: ProviderName, username: string): string {
  return `grant-${provider}-${username}`;
}
