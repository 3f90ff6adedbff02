/**
 * Which messages a workflow believes. Anyone who reaches the Temporal frontend can start a workflow or send it
 * an update; only the service holds the payload key, so only a payload encrypted with it may speak for a person.
 * Deterministic: loaded inside the workflow sandbox.
 */
import { ApplicationFailure, log } from '@temporalio/workflow';

/**
 * What the worker's codec hands a workflow in place of a payload it cannot decrypt with a key it holds (a
 * plaintext payload, an unknown key id, tampered bytes). A value, not an error: a payload that fails to decode
 * fails the whole workflow task, again on every retry, and one such message would stall the grant for good.
 */
export const UNAUTHENTIC_PAYLOAD = {
  'supplier-access': 'refused: not encrypted with a key this service holds',
} as const;

/** The failure type of a refused message; the service itself never sends one, so nothing maps it. */
export const UNAUTHENTIC = 'Unauthentic';

/** A message argument the service sent: an object that came out of an encrypted payload. */
export function isAuthentic(value: unknown): boolean {
  return typeof value === 'object' && value !== null && !('supplier-access' in value);
}

/**
 * Throws, refusing the start or the update, unless `value` came encrypted with a key this service holds and,
 * given `grantId`, names that grant: a message copied from another grant's history does not count here. An
 * absent argument is refused too: it carries no key either.
 */
export function requireAuthentic(value: unknown, grantId?: string): void {
  if (!isAuthentic(value)) refuse('was not encrypted with a key this service holds');
  if (grantId !== undefined && (value as { grantId?: unknown }).grantId !== grantId)
    refuse('is meant for another grant');
}

function refuse(why: string): never {
  // Someone reaches the Temporal frontend and is trying: operators should hear of it.
  log.warn(`refused a message that ${why}`);
  throw ApplicationFailure.create({
    type: UNAUTHENTIC,
    message: `the message ${why}; it is refused`,
    nonRetryable: true,
  });
}
