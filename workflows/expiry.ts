import { condition } from '@temporalio/workflow';
import type { Reminders } from './reminders.js';

/** What the wait for the expiry watches: the grant's current expiry, and whether a revoke was asked. */
export interface Deadline {
  expiresAt(): string;
  revoked(): boolean;
}

/** How the wait ended: the expiry was reached, or someone revoked the grant. */
export type Ending = 'expired' | 'revoked';

/**
 * Sleeps on a durable timer until the expiry, which an approved extension moves; wakes early for a revoke.
 * Reminders run beside this timer (`Reminders.start`), never inside it.
 */
export async function untilExpiryOrRevoke(deadline: Deadline): Promise<Ending> {
  for (;;) {
    if (deadline.revoked()) return 'revoked';
    const expiresAt = deadline.expiresAt();
    const remaining = Date.parse(expiresAt) - Date.now();
    if (remaining <= 0) return 'expired';
    const changed = await condition(
      () => deadline.revoked() || deadline.expiresAt() !== expiresAt,
      remaining,
    );
    if (!changed && deadline.expiresAt() === expiresAt) return deadline.revoked() ? 'revoked' : 'expired';
  }
}

/**
 * The same wait as grants recorded it before reminders ran beside the timer: one timer at a time, to the next
 * reminder and then to the expiry. Kept so that those grants replay (the `reminders-beside-expiry` patch).
 */
export async function untilExpiryOrRevokeRemindingInLine(
  deadline: Deadline,
  reminders: Reminders,
): Promise<Ending> {
  for (;;) {
    if (deadline.revoked()) return 'revoked';
    const expiresAt = deadline.expiresAt();
    const remaining = Date.parse(expiresAt) - Date.now();
    if (remaining <= 0) return 'expired';
    const reminder = reminders.next(expiresAt);
    if (reminder && reminder.at <= Date.now()) {
      reminders.send(expiresAt, reminder);
      continue;
    }
    const wakeIn = reminder ? reminder.at - Date.now() : remaining;
    const changed = await condition(() => deadline.revoked() || deadline.expiresAt() !== expiresAt, wakeIn);
    if (changed || deadline.expiresAt() !== expiresAt) continue;
    if (reminder) reminders.send(expiresAt, reminder);
    else if (!deadline.revoked()) return 'expired';
  }
}
