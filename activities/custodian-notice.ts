import type { RotationReason, SharedAccountRecord } from '../domain/shared-account.js';
import type { Notification } from '../src/notify/index.js';
import { addressesOf } from './reminders.js';

/** What the custodian's notice says: which shared account, and why its password changed. */
export interface CustodianFacts {
  sharedAccountId: string;
  reason: RotationReason;
  lendId?: string | undefined;
}

/** Why the password changed, as the custodian reads it. */
const WHY: Record<RotationReason, string> = {
  'hand-over': 'it was handed over to a supplier',
  'lend-ended': 'its lend to a supplier ended',
  scheduled: 'its rotation interval ran out',
  manual: 'a rotation was asked for',
};

/**
 * The custodian's notice: which shared account (by its label), why its password changed, and how to take the new
 * one (once) or reset it themselves. Never the password itself: it waits, sealed, for the custodian's claim.
 */
export function custodianMessage(n: CustodianFacts, shared: SharedAccountRecord): Notification {
  const { custodian, label, provider, account, id } = shared;
  return {
    subject: `A new password for ${label} waits for you`,
    text: [
      `The password of the shared account ${label} (${provider} account ${account.username}) was changed:`,
      `${WHY[n.reason]}.${n.lendId ? ` Lend ${n.lendId}.` : ''}`,
      '',
      `The new password waits for ${custodian.name}, to be taken once:`,
      `  POST /v1/shared-accounts/${id}/credential`,
      `or thrown away unseen, if you prefer to reset it yourself:`,
      `  DELETE /v1/shared-accounts/${id}/credential`,
    ].join('\n'),
    to: addressesOf({ contactEmails: custodian.email ? [custodian.email] : [] }),
    data: {
      sharedAccountId: id,
      label,
      provider,
      username: account.username,
      custodian: custodian.name,
      reason: n.reason,
      ...(n.lendId ? { lendId: n.lendId } : {}),
    },
  };
}
