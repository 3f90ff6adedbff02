import { isProviderError } from '../providers/errors.js';
import type { Logger } from './logger.js';

/** Resolves when a backing service answers; rejects when it does not. */
export type Probe = () => Promise<unknown>;

/** What `/readyz` says of one backing service: `ok`, or `down: <why>` without addresses or secrets. */
export type CheckResult = 'ok' | `down: ${string}`;

/** Short: a load balancer polls `/readyz` often and must not wait on a directory that hangs. */
export const PROBE_TIMEOUT_MS = 2_000;

/** Thrown when a probe did not answer in time. */
class ProbeTimeoutError extends Error {
  override readonly name = 'ProbeTimeoutError';
}

/**
 * Runs every probe at once, each bounded by `timeoutMs`. The reason of a failure is kept coarse (the answer is
 * public); the full error is logged.
 */
export async function runProbes(
  probes: Record<string, Probe>,
  logger: Pick<Logger, 'warn'>,
  timeoutMs = PROBE_TIMEOUT_MS,
): Promise<Record<string, CheckResult>> {
  const entries = await Promise.all(
    Object.entries(probes).map(async ([name, probe]): Promise<[string, CheckResult]> => {
      try {
        await withTimeout(probe(), timeoutMs);
        return [name, 'ok'];
      } catch (err) {
        logger.warn({ err, check: name }, 'readiness check failed');
        return [name, `down: ${reasonOf(err, timeoutMs)}`];
      }
    }),
  );
  return Object.fromEntries(entries);
}

async function withTimeout<T>(work: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new ProbeTimeoutError()), ms);
  });
  try {
    return await Promise.race([work, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/** Socket error codes worth naming: they say what is wrong without saying where. */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND']);

function reasonOf(err: unknown, timeoutMs: number): string {
  if (err instanceof ProbeTimeoutError) return `no answer within ${timeoutMs} ms`;
  const cause = isProviderError(err) ? err.details.cause : err;
  const code = (cause as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && NETWORK_CODES.has(code)) return `unreachable (${code})`;
  if (!isProviderError(err)) return 'error (see the log)';
  // A provider's message may quote what the provider said: the kind is enough for a public answer.
  if (err.kind === 'auth') return 'our credentials are refused';
  if (err.kind === 'transient') return 'not answering (see the log)';
  return `error: ${err.kind} (see the log)`;
}
