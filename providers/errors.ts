/** How a provider failure should be treated: only `transient` is worth retrying. */
export type ProviderErrorKind = 'transient' | 'not-found' | 'conflict' | 'auth' | 'invalid';

/**
 * Thrown when an identity provider refuses or fails an operation. Carries the provider, the operation and,
 * for rate limits, when to try again. Never carries a secret.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: { provider: string; operation: string; retryAfterMs?: number; cause?: unknown },
  ) {
    super(message, { cause: details.cause });
  }

  /** True for failures that a later attempt may not meet (network, 5xx, 429, directory busy). */
  get retryable(): boolean {
    return this.kind === 'transient';
  }
}

export function isProviderError(err: unknown): err is ProviderError {
  return err instanceof ProviderError;
}
