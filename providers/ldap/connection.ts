import { Client, ResultCodeError } from 'ldapts';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import type { ResolvedLdapConfig } from './config.js';

const CONNECT_TIMEOUT_MS = 5_000;
const OPERATION_TIMEOUT_MS = 10_000;

/** LDAP result codes (RFC 4511 §4.1.9) the provider reacts to by name. */
export const ResultCode = {
  noSuchAttribute: 16,
  typeOrValueExists: 20,
  noSuchObject: 32,
  invalidCredentials: 49,
  objectClassViolation: 65,
  entryAlreadyExists: 68,
} as const;

/** True when `err` is an LDAP result with one of these codes. */
export function hasCode(err: unknown, ...codes: number[]): boolean {
  return err instanceof ResultCodeError && codes.includes(err.code);
}

/**
 * Runs `work` on a fresh connection bound as the service account, and always unbinds: ldapts keeps the socket
 * of a failed bind. A connection per operation costs a round trip but never reuses a socket the directory
 * closed while restarting. Every failure leaves as a ProviderError.
 */
export async function withClient<T>(
  config: ResolvedLdapConfig,
  operation: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({
    url: config.url,
    connectTimeout: CONNECT_TIMEOUT_MS,
    timeout: OPERATION_TIMEOUT_MS,
  });
  try {
    await client.bind(config.bindDN, config.bindPassword);
    return await work(client);
  } catch (err) {
    throw toProviderError(err, operation);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** Result codes worth retrying: the directory is busy, unavailable, or gave up on time. */
const TRANSIENT_CODES = new Set([1, 3, 11, 51, 52, 80]);
/** The service account cannot act: its credentials or rights are wrong, which a retry will not change. */
const AUTH_CODES = new Set([48, 49, 50]);

function kindOfResultCode(code: number): ProviderErrorKind {
  if (TRANSIENT_CODES.has(code)) return 'transient';
  if (AUTH_CODES.has(code)) return 'auth';
  if (code === ResultCode.noSuchObject) return 'not-found';
  if (code === ResultCode.entryAlreadyExists || code === ResultCode.typeOrValueExists) return 'conflict';
  // Constraint, syntax, naming, schema, 53 unwillingToPerform (AD's answer to a password it will not take or a
  // password write without TLS), 8/13 (TLS required): all need a change of request or setup, not a retry.
  return 'invalid';
}

/** Node socket errors that mean the directory could not be reached right now. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/** Maps whatever ldapts or the socket threw to a ProviderError; the message never holds a password. */
export function toProviderError(err: unknown, operation: string): ProviderError {
  if (err instanceof ProviderError) return err;
  const details = { provider: 'ldap', operation, cause: err };
  if (err instanceof ResultCodeError) {
    return new ProviderError(
      kindOfResultCode(err.code),
      `${operation}: LDAP ${err.code} ${err.message}`,
      details,
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  const code = (err as { code?: unknown } | null)?.code;
  if (err instanceof TypeError || err instanceof RangeError) {
    // A bad value (an unreadable date, a malformed DN) fails the same way every time.
    return new ProviderError('invalid', `${operation}: ${message}`, details);
  }
  // Network codes, ldapts's "Connection timeout", "Operation timed out", "Connection closed…", "Socket error…"
  // and anything unforeseen: the directory may answer next time, and deprovisioning must not give up.
  const what =
    typeof code === 'string' && NETWORK_CODES.has(code) ? `directory unreachable (${code})` : message;
  return new ProviderError('transient', `${operation}: ${what}`, details);
}
