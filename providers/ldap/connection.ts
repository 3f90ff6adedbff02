import { Client, ResultCodeError } from 'ldapts';
import { ProviderError, type ProviderErrorKind } from '../errors.js';
import { unforeseenFailure } from '../operation.js';
import type { ResolvedLdapConfig } from './config.js';

const CONNECT_TIMEOUT_MS = 5_000;
const OPERATION_TIMEOUT_MS = 10_000;

/** LDAP result codes (RFC 4511 §4.1.9) the provider reacts to by name. */
export const ResultCode = {
  noSuchAttribute: 16,
  constraintViolation: 19,
  typeOrValueExists: 20,
  noSuchObject: 32,
  invalidDNSyntax: 34,
  invalidCredentials: 49,
  unwillingToPerform: 53,
  objectClassViolation: 65,
  entryAlreadyExists: 68,
} as const;

/** True when `err` is an LDAP result with one of these codes. */
export function hasCode(err: unknown, ...codes: number[]): boolean {
  return err instanceof ResultCodeError && codes.includes(err.code);
}

/** Bound connections kept open between operations; beyond this, connections are closed after use. */
const MAX_IDLE = 16;

/**
 * Bound connections to the directory, reused between operations so a wave of expiries does not pay a TCP
 * connect and a bind for every write. A connection that failed is closed, never reused; an idle one the
 * directory dropped (a restart) is noticed when it fails and the operation is tried once on a fresh one.
 */
export class ConnectionPool {
  private readonly idle: Client[] = [];

  constructor(private readonly config: ResolvedLdapConfig) {}

  /** Runs `work` on a bound connection. Every failure leaves as a ProviderError. */
  async run<T>(operation: string, work: (client: Client) => Promise<T>): Promise<T> {
    const reused = this.take();
    if (reused) {
      try {
        return await this.use(reused, work);
      } catch (err) {
        // A connection-level failure on a reused socket says nothing about the directory now: retry fresh
        // (every operation is idempotent). An answer from the directory stands.
        if (isAnswer(err)) throw toProviderError(err, operation);
        this.drain();
      }
    }
    try {
      return await this.use(await this.open(), work);
    } catch (err) {
      throw toProviderError(err, operation);
    }
  }

  /**
   * A fresh connection and bind, closed at once: a pooled connection would say the directory answered some time
   * ago, with credentials it may have changed since.
   */
  async probe(): Promise<void> {
    try {
      await (await this.open()).unbind();
    } catch (err) {
      throw toProviderError(err, 'checkReachable');
    }
  }

  /** Closes every idle connection. */
  close(): Promise<void> {
    this.drain();
    return Promise.resolve();
  }

  private take(): Client | undefined {
    for (let client = this.idle.pop(); client; client = this.idle.pop()) {
      if (client.isConnected) return client;
      void client.unbind().catch(() => undefined);
    }
    return undefined;
  }

  private async open(): Promise<Client> {
    const client = new Client({
      url: this.config.url,
      connectTimeout: CONNECT_TIMEOUT_MS,
      timeout: OPERATION_TIMEOUT_MS,
      // Which CAs to trust, never whether: the directory's certificate and name are always checked.
      ...(this.config.ca ? { tlsOptions: { ca: this.config.ca } } : {}),
    });
    try {
      await client.bind(this.config.bindDN, this.config.bindPassword);
      return client;
    } catch (err) {
      // ldapts keeps the socket of a failed bind.
      await client.unbind().catch(() => undefined);
      throw err;
    }
  }

  private async use<T>(client: Client, work: (client: Client) => Promise<T>): Promise<T> {
    let healthy = false;
    try {
      const result = await work(client);
      healthy = true;
      return result;
    } catch (err) {
      // An LDAP answer (no such entry, constraint…) leaves the connection as good as it was.
      healthy = isAnswer(err) && client.isConnected;
      throw err;
    } finally {
      if (healthy && this.idle.length < MAX_IDLE) this.idle.push(client);
      else await client.unbind().catch(() => undefined);
    }
  }

  private drain(): void {
    for (const client of this.idle.splice(0)) void client.unbind().catch(() => undefined);
  }
}

/** The directory answered (an LDAP result, or our reading of one): the connection itself is fine. */
function isAnswer(err: unknown): boolean {
  return err instanceof ResultCodeError || err instanceof ProviderError;
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
  const code = (err as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) {
    return new ProviderError('transient', `${operation}: directory unreachable (${code})`, details);
  }
  // A bad value (an unreadable date, a malformed DN) is invalid; ldapts's "Connection timeout", "Operation timed
  // out", "Connection closed…", "Socket error…" and anything unforeseen are transient.
  return unforeseenFailure(err, details);
}
