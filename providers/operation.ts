import { ProviderError, type ProviderErrorKind } from './errors.js';
import type { AccountSpec } from './types.js';

/** Runs one operation of a provider; whatever it throws leaves as a ProviderError naming the operation. */
export type RunOperation = <T>(operation: string, work: () => Promise<T>) => Promise<T>;

/** The operation wrapper of a provider, turning its library's failures into ProviderErrors with `toError`. */
export function operationRunner(toError: (err: unknown, operation: string) => ProviderError): RunOperation {
  return async (operation, work) => {
    try {
      return await work();
    } catch (err) {
      throw toError(err, operation);
    }
  };
}

/** A failure of `operation` that a provider raises itself, its message prefixed with the operation. */
export function failureOf(provider: string, operation: string) {
  return (kind: ProviderErrorKind, message: string, extra: { field?: string; cause?: unknown } = {}) =>
    new ProviderError(kind, `${operation}: ${message}`, { provider, operation, ...extra });
}

/**
 * What no provider-specific rule recognised. A bad value of ours (a TypeError, a RangeError, or what `permanent`
 * says) fails the same way every time; anything else may pass next time, and deprovisioning must not give up.
 */
export function unforeseenFailure(
  err: unknown,
  details: { provider: string; operation: string },
  permanent = false,
): ProviderError {
  const message = err instanceof Error ? err.message : String(err);
  const kind = permanent || err instanceof TypeError || err instanceof RangeError ? 'invalid' : 'transient';
  return new ProviderError(kind, `${details.operation}: ${message}`, { ...details, cause: err });
}

/** The expiry as ISO-8601 UTC with milliseconds, as the providers store it; anything unreadable is `invalid`. */
export function instant(value: string, provider: string, operation: string): string {
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) throw failureOf(provider, operation)('invalid', 'expiresAt is not an instant');
  return new Date(ms).toISOString();
}

/** Refuses an account name the provider cannot hold, before anything is made. */
export function checkUsernameLength(spec: AccountSpec, max: number, provider: string): void {
  if (spec.username === '' || spec.username.length > max) {
    throw failureOf(provider, 'createAccount')('invalid', `account name must have 1 to ${max} characters`);
  }
}

/**
 * The directory refused the new password of a `resetPassword` (its password policy: complexity, history, minimum
 * age). Transient on purpose: the next attempt makes a new password, which the policy may well take, and a
 * rotation must not give up. The refused password is never tried again, and never named.
 */
export function refusedPassword(provider: string, cause: unknown): ProviderError {
  return failureOf(provider, 'resetPassword')(
    'transient',
    'the directory refused the new password (password policy); the next attempt makes a new one',
    { cause },
  );
}

/** `resetPassword` on an account that is not there (any more). */
export function missingAccount(provider: string, name: string): ProviderError {
  return failureOf(provider, 'resetPassword')('not-found', `${name} does not exist`);
}
