/**
 * How a grant fails, as data: the activity that met the failure, the workflow that keeps it and the API that
 * answers with it share these types. Deterministic: the workflow bundle loads this file.
 */

/**
 * Why a provider refused an account for good: `provider-` and the provider error's kind (`invalid` for bad
 * input, `conflict` for an account that is not ours, `auth`, `not-found`). `error` is anything else.
 */
export const FAILURE_KINDS = [
  'provider-invalid',
  'provider-conflict',
  'provider-auth',
  'provider-not-found',
  'error',
] as const;

export type FailureKind = (typeof FAILURE_KINDS)[number];

/** The kind of a failure raised with this type: one of {@link FAILURE_KINDS}, anything else is `error`. */
export function failureKind(type: string | undefined): FailureKind {
  return FAILURE_KINDS.find((kind) => kind === type) ?? 'error';
}

/** Why provisioning failed, kept on `failed` grants. */
export interface GrantFailure {
  kind: FailureKind;
  /** The request field the provider refused (`groups`), when bad input was the reason. */
  field?: string | undefined;
  /** What the provider said. */
  message: string;
}

/**
 * The failure as the API shows it and the registry export names it: the kind, with the field at fault after a
 * colon (`provider-invalid:groups`). Written for people and clients, never parsed back.
 */
export function failureView({ kind, field, message }: GrantFailure): { kind: string; message: string } {
  return { kind: field === undefined ? kind : `${kind}:${field}`, message };
}

/**
 * The details of a provisioning failure as the activity raises it (Temporal's `ApplicationFailure.details`):
 * the failure's type is its kind, and these name the field at fault.
 */
export interface FailureDetails {
  field?: string | undefined;
}

/**
 * Failure types the update validators reject with; the API maps them to HTTP statuses.
 * `Conflict` → 409, `FourEyes` → 403, `Invalid` → 400.
 */
export type GrantRejection = 'Conflict' | 'FourEyes' | 'Invalid';
