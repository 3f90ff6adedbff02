import { GraphClientError, GraphError } from '@microsoft/microsoft-graph-client';
import { ProviderError, type ProviderErrorKind, unlessNotFoundBy } from '../errors.js';
import { unforeseenFailure } from '../operation.js';

/**
 * Where a failure that is not a Graph answer came from. The Graph client turns whatever a middleware throws into
 * a `GraphError` without status or cause, except a `GraphClientError`, which it rethrows unchanged: so our token
 * provider and our throttling middleware throw one of those, carrying this in `customError`.
 */
interface ClientSideFailure {
  source: 'token' | 'transport' | 'closed';
  cause: unknown;
}

/** Wraps a failure of the token request, the connection, or a closed provider for the trip through the client. */
export function clientSideFailure(source: ClientSideFailure['source'], cause: unknown): GraphClientError {
  const err = new GraphClientError(`Graph ${source} failure`);
  err.customError = { source, cause } satisfies ClientSideFailure;
  return err;
}

function asClientSideFailure(err: unknown): ClientSideFailure | undefined {
  if (!(err instanceof GraphClientError)) return undefined;
  const custom: unknown = err.customError;
  if (custom === null || typeof custom !== 'object' || !('source' in custom)) return undefined;
  return custom as ClientSideFailure;
}

/** The HTTP status of a Graph error answer, if `err` is one. */
export function statusOf(err: unknown): number | undefined {
  return err instanceof GraphError && err.statusCode >= 400 ? err.statusCode : undefined;
}

/** 400 "Another object with the same value for property userPrincipalName already exists." */
export function isDuplicateValue(err: unknown): boolean {
  return statusOf(err) === 400 && /another object with the same value/i.test((err as GraphError).message);
}

/** 400 "One or more added object references already exist…": adding a member twice. */
export function isAlreadyMember(err: unknown): boolean {
  return statusOf(err) === 400 && /references already exist/i.test((err as GraphError).message);
}

/**
 * 400 "The specified password does not comply with password complexity requirements…" (or a banned password):
 * Graph's refusal of a password its policy will not take.
 */
export function isRefusedPassword(err: unknown): boolean {
  return (
    statusOf(err) === 400 &&
    /password (does not comply|complexity)|banned password/i.test((err as GraphError).message)
  );
}

/**
 * The wait a `Retry-After` header asks for: delay-seconds or an HTTP-date. Undefined when absent or unreadable.
 */
export function retryAfterMs(value: string | null | undefined, now = Date.now()): number | undefined {
  if (value === null || value === undefined || value.trim() === '') return undefined;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const at = Date.parse(trimmed);
  return Number.isFinite(at) ? Math.max(0, at - now) : undefined;
}

function kindOfStatus(status: number): ProviderErrorKind {
  if (status === 429 || status === 408 || status >= 500) return 'transient';
  // 401: the token was refused; 403 Authorization_RequestDenied: a permission or role is missing.
  if (status === 401 || status === 403) return 'auth';
  if (status === 404) return 'not-found';
  if (status === 409) return 'conflict';
  return 'invalid';
}

function fromGraphAnswer(err: GraphError, operation: string): ProviderError {
  const details = { provider: 'entra', operation, cause: err };
  const status = err.statusCode;
  // Graph's messages name properties and ids, never the values of passwords we sent.
  const message = `${operation}: Graph answered ${status}${err.code ? ` ${err.code}` : ''}: ${err.message}`;
  if (isDuplicateValue(err)) return new ProviderError('conflict', message, details);
  const kind = kindOfStatus(status);
  const wait = kind === 'transient' ? retryAfterMs(err.headers?.get('retry-after')) : undefined;
  return new ProviderError(kind, message, wait === undefined ? details : { ...details, retryAfterMs: wait });
}

/** OAuth error codes of the token endpoint that no retry fixes: a wrong tenant, client, secret or scope. */
const PERMANENT_TOKEN_ERRORS = new Set([
  'invalid_client',
  'unauthorized_client',
  'invalid_request',
  'invalid_scope',
  'invalid_resource',
  'invalid_grant',
  'unsupported_grant_type',
]);

/**
 * A failed token request. @azure/identity reports a refusal of the token endpoint as `AuthenticationRequiredError`
 * or `AuthenticationError` whose message starts with the OAuth error code and carries the AADSTS text (which
 * names the app, never the secret). It reports an authority it cannot reach, and equally a tenant the authority
 * does not know, as `CredentialUnavailableError` (MSAL's endpoints_resolution_error): those two look the same,
 * so both count as transient, and a wrong tenant shows up as an alert that keeps retrying.
 */
function fromTokenFailure(cause: unknown, operation: string): ProviderError {
  const details = { provider: 'entra', operation, cause };
  const name = cause instanceof Error ? cause.name : '';
  const text = cause instanceof Error ? cause.message : String(cause);
  const status = (cause as { statusCode?: unknown }).statusCode;
  const code =
    /^([a-z_]+):/.exec(text)?.[1] ?? (cause as { errorResponse?: { error?: string } }).errorResponse?.error;
  const aadsts = /AADSTS\d+: [^\r\n]*/.exec(text)?.[0];
  const summary = [code, aadsts].filter(Boolean).join(' ') || name || 'no detail';
  const message = `${operation}: Entra ID refused the token request (${summary})`;
  if (typeof status === 'number' && (status >= 500 || status === 429 || status === 408)) {
    return new ProviderError('transient', `${operation}: the token endpoint answered ${status}`, details);
  }
  if ((code !== undefined && PERMANENT_TOKEN_ERRORS.has(code)) || typeof status === 'number') {
    return new ProviderError('auth', message, details);
  }
  return new ProviderError(
    'transient',
    `${operation}: no token from Entra ID (authority unreachable, or unknown tenant): ${summary}`,
    details,
  );
}

/**
 * Maps whatever the Graph client, the credential or the network threw to a ProviderError. Messages are built
 * from status codes, Graph's error code and message and the token endpoint's AADSTS text: none of them echo the
 * client secret, a token or a password. The raw error stays in `cause`.
 */
export function toProviderError(err: unknown, operation: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const details = { provider: 'entra', operation, cause: err };
  const failure = asClientSideFailure(err);
  if (failure?.source === 'token') return fromTokenFailure(failure.cause, operation);
  if (failure?.source === 'closed') {
    return new ProviderError('transient', `${operation}: the Entra provider was closed`, details);
  }
  if (failure?.source === 'transport') {
    const cause = failure.cause as { name?: unknown; cause?: { code?: unknown } } | undefined;
    const code = typeof cause?.cause?.code === 'string' ? ` (${cause.cause.code})` : '';
    const what = cause?.name === 'TimeoutError' ? 'did not answer in time' : `unreachable${code}`;
    return new ProviderError('transient', `${operation}: Microsoft Graph ${what}`, details);
  }
  // A GraphError below 400 is an answer whose body could not be read (cut off, timed out): worth a retry.
  if (err instanceof GraphError && err.statusCode >= 400) return fromGraphAnswer(err, operation);
  // An unreadable answer, among others: Graph may answer next time.
  return unforeseenFailure(err, details);
}

/** Runs `work` and answers `fallback` when Graph says 404 (the user, group or membership is gone). */
export const unlessNotFound = unlessNotFoundBy(statusOf);
