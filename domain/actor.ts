/** Who acts on a grant. Deterministic: the workflow bundle loads this file. */

/** What a token may do; a token holds one or more. */
export const ROLES = ['requester', 'approver', 'admin', 'auditor'] as const;
export type Role = (typeof ROLES)[number];

/** Who is calling, as recorded on every action they take. */
export interface Actor {
  name: string;
  roles: Role[];
}

/** The actor recorded on events the service does by itself (the expiry, deprovisioning, the review). */
export const SYSTEM_ACTOR = 'supplier-access';
