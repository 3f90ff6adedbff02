/** How a provider failure should be treated: only `transient` is worth retrying. */
export type ProviderErrorKind = 'transient' | 'not-found' | 'conflict' | 'auth' | 'invalid';

/**
 * Thrown when an identity provider refuses or fails an operation. Carries the provider, the operation, for
 * rate limits when to try again, and for bad input the request field at fault. Never carries a secret.
 */
export class ProviderError extends Error {
  override readonly name = 'ProviderError';
  constructor(
    readonly kind: ProviderErrorKind,
    message: string,
    readonly details: {
      provider: string;
      operation: string;
      retryAfterMs?: number;
      /** The request field at fault, when the input was bad (`groups`). */
      field?: string;
      cause?: unknown;
    },
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

/** Answers `fallback` instead of failing when the object `work` acts on is gone (404). */
export type UnlessNotFound = <T, F>(work: Promise<T>, fallback: F) => Promise<T | F>;

/** A provider's `unlessNotFound`, reading the HTTP status of a failure with its own `statusOf`. */
export function unlessNotFoundBy(statusOf: (err: unknown) => number | undefined): UnlessNotFound {
  return async (work, fallback) => {
    try {
      return await work;
    } catch (err) {
      if (statusOf(err) === 404) return fallback;
      throw err;
    }
  };
}
