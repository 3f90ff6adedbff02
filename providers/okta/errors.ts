import { ProviderError, type ProviderErrorKind, unlessNotFoundBy } from '../errors.js';
import { unforeseenFailure } from '../operation.js';

/**
 * What the SDK throws for an error answer (`OktaApiError` for Okta's JSON error bodies, `HttpError` for any
 * other body), read by shape: the SDK's ESM entry does not export those classes, and no SDK type leaves here.
 */
export interface OktaHttpFailure {
  status: number;
  errorCode?: string;
  errorSummary?: string;
  errorCauses?: { errorSummary?: string }[];
  headers?: { get(name: string): string | null };
}

export function asOktaFailure(err: unknown): OktaHttpFailure | undefined {
  if (err === null || typeof err !== 'object') return undefined;
  const status = (err as { status?: unknown }).status;
  return typeof status === 'number' ? (err as OktaHttpFailure) : undefined;
}

/** The HTTP status of an error answer, if `err` is one. */
export function statusOf(err: unknown): number | undefined {
  return asOktaFailure(err)?.status;
}

/** Okta's `errorCode` (E0000…) of an error answer, if any. */
export function errorCodeOf(err: unknown): string | undefined {
  return asOktaFailure(err)?.errorCode;
}

/** 400 E0000001 with "An object with this field already exists" on `login`. */
export function isDuplicateLogin(err: unknown): boolean {
  const failure = asOktaFailure(err);
  if (failure?.status !== 400 || failure.errorCode !== 'E0000001') return false;
  return (failure.errorCauses ?? []).some((c) => /^login:.*already exists/i.test(c.errorSummary ?? ''));
}

/**
 * Okta's refusal of a password it will not take: 400 E0000001 on `password` (requirements not met, used too
 * recently), or E0000014 (the update of credentials failed, e.g. the password's minimum age).
 */
export function isRefusedPassword(err: unknown): boolean {
  const failure = asOktaFailure(err);
  if (failure?.errorCode === 'E0000014') return true;
  if (failure?.status !== 400 || failure.errorCode !== 'E0000001') return false;
  const summaries = [
    failure.errorSummary ?? '',
    ...(failure.errorCauses ?? []).map((c) => c.errorSummary ?? ''),
  ];
  return summaries.some((summary) => /(^|\s)password\b/i.test(summary));
}

/**
 * How long to wait after a 429, from `X-Rate-Limit-Reset` (epoch seconds) and the answer's `Date`, so the
 * client's clock does not matter. Undefined when the headers are missing.
 */
export function retryAfterMs(headers: OktaHttpFailure['headers']): number | undefined {
  const reset = Number(headers?.get('x-rate-limit-reset') ?? NaN);
  const date = Date.parse(headers?.get('date') ?? '');
  if (!Number.isFinite(reset) || !Number.isFinite(date)) return undefined;
  return Math.max(0, reset * 1000 - date);
}

/** Auth failures: E0000011 invalid token (401), E0000006 access denied (403). */
const AUTH_CODES = new Set(['E0000011', 'E0000006']);

function kindOfStatus(status: number, errorCode: string | undefined): ProviderErrorKind {
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  if (status === 401 || (status === 403 && (errorCode === undefined || AUTH_CODES.has(errorCode))))
    return 'auth';
  if (status === 404) return 'not-found';
  // 403 E0000038/E0000016 (not allowed in this status), 400 validation, 405, 413: a retry changes nothing.
  return 'invalid';
}

/** node-fetch's error for a connection that failed or timed out. */
function isNetworkError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'FetchError' || err.name === 'AbortError');
}

/**
 * Maps whatever the SDK or the network threw to a ProviderError. The message is built from Okta's error code
 * and summaries, which never echo the token or a password we sent; the raw error stays in `cause`.
 */
export function toProviderError(err: unknown, operation: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const details = { provider: 'okta', operation, cause: err };
  const failure = asOktaFailure(err);
  if (failure) {
    if (isDuplicateLogin(err)) {
      return new ProviderError('conflict', `${operation}: the login already exists`, details);
    }
    const causes = (failure.errorCauses ?? []).map((c) => c.errorSummary).filter(Boolean);
    const summary = [failure.errorCode, failure.errorSummary, ...causes].filter(Boolean).join(' ');
    const message = `${operation}: Okta answered ${failure.status}${summary ? ` ${summary}` : ''}`;
    const kind = kindOfStatus(failure.status, failure.errorCode);
    const wait = failure.status === 429 ? retryAfterMs(failure.headers) : undefined;
    return new ProviderError(
      kind,
      message,
      wait === undefined ? details : { ...details, retryAfterMs: wait },
    );
  }
  if (isNetworkError(err)) {
    const code = (err as { code?: unknown }).code;
    const what = typeof code === 'string' ? `Okta unreachable (${code})` : 'Okta unreachable or too slow';
    return new ProviderError('transient', `${operation}: ${what}`, details);
  }
  // The SDK's RequiredError (a missing parameter) fails the same way every time, as a bad value does.
  return unforeseenFailure(err, details, isSdkRequiredError(err));
}

function isSdkRequiredError(err: unknown): boolean {
  return err instanceof Error && err.name === 'RequiredError';
}

/** Runs `work` and answers `fallback` when Okta says 404 (the user or group is gone). */
export const unlessNotFound = unlessNotFoundBy(statusOf);
