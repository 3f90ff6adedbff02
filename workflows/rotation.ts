import { proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.js';
import { requireAuthentic } from './authentic.js';
import { Notices } from './notices.js';

/** What starts a rotation outside a lend: the review for a due interval, or the custodian or an admin by hand. */
export interface RotationInput {
  sharedAccountId: string;
  reason: 'scheduled' | 'manual';
  /** Who asked: the service itself for a scheduled rotation, the person for a manual one. */
  actor: string;
}

// A rotation never gives up: the activity makes a new password at every attempt, so retrying is always safe, and
// a directory that is down is retried with capped backoff until it answers. Heartbeats tell a lost worker.
const { rotateSharedPassword } = proxyActivities<Activities>({
  startToCloseTimeout: '1h',
  heartbeatTimeout: '10s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '10s' },
});

/**
 * One rotation of a shared account's password for its custodian: the directory takes a new password, the
 * registry keeps it sealed until the custodian's one claim, and the custodian is told it waits for them. Runs
 * under the shared account's workflow id, so it never overlaps a lend of the same account.
 */
export async function rotationWorkflow(input: RotationInput): Promise<void> {
  // Who asked is believed only from the service (or its review), which holds the key.
  requireAuthentic(input);
  const { sharedAccountId, reason, actor } = input;
  await rotateSharedPassword({ sharedAccountId, reason, actor });
  const notices = new Notices();
  notices.custodianCredentialWaits({ sharedAccountId, reason });
  await notices.delivered();
}
