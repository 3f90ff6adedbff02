/**
 * The HTTP API's answers as the CLI reads them (docs/api.md). Declared here rather than imported
 * from the service because the CLI is a client of the wire contract, not of the server's internals: it must
 * keep working against a server built from another commit.
 */

/** One entry of a grant's event trail. */
export interface GrantEvent {
  type: string;
  at: string;
  actor: string;
  details?: Record<string, string>;
}

/** An extension waiting for an approver. */
export interface PendingExtension {
  expiresAt: string;
  reason: string;
  requestedBy: string;
  requestedAt: string;
}

/** A grant as `GET /v1/grants/{id}` and the other grant routes answer it. */
export interface Grant {
  id: string;
  provider: string;
  supplier: { organisation: string; contactEmail?: string };
  account: { username: string; externalId: string | null; displayName: string };
  status: string;
  expiresAt: string;
  reason: string;
  ticket?: string;
  groups?: string[];
  requestedBy: string;
  createdAt: string;
  /** When the grant ended; `expiresAt` stays the planned expiry, which a revoked grant never reached. */
  endedAt?: string;
  /** How it ended (`expired`, `revoked`, `failed`), by whom and why; absent while it has not. */
  ending?: string;
  endedBy?: string;
  endReason?: string;
  /** When the account was disabled and its credentials rotated; absent until both are done. */
  closedAt?: string;
  /** On expired and revoked grants: true while the account is not closed yet (still usable). */
  closing?: boolean;
  pendingExtension?: PendingExtension;
  failure?: { kind: string; message: string };
  events?: GrantEvent[];
}

/** The one-time credential of a password-based account. */
export interface Credential {
  username: string;
  password: string;
  /** What the supplier must do with the password first (Active Directory: change it before LDAP sign-in). */
  firstSignIn?: string;
}

/** `POST /v1/grants` (201) and `POST /v1/grants/{id}/credential` (200) add the credential to the grant. */
export type GrantWithCredential = Grant & { credential?: Credential };

/** `GET /v1/grants`: one page of the registry. */
export interface GrantPage {
  grants: Grant[];
  nextCursor?: string;
}

/** One failing field of a request and the rule it broke. */
export interface FieldError {
  field: string;
  rule: string;
}

/** An RFC 9457 problem, as every error answer carries. */
export interface Problem {
  type?: string;
  title: string;
  status: number;
  detail: string;
  errors?: FieldError[];
  /** A `409` on `POST /v1/grants` names the supplier's live grant. */
  liveGrantId?: string;
}
