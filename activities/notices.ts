import type { ProviderName } from '../domain/account.js';
import type { Notification } from '../src/notify/index.js';
import type { Recipients } from './recipients.js';
import { addressesOf, deliveryActivity, instantText, type NotificationDeps } from './reminders.js';

/** What the notice of a shortened grant says: the grant, its old and new expiry, who moved it and why. */
export interface ShorteningFacts {
  grantId: string;
  provider: ProviderName;
  organisation: string;
  username: string;
  requestedBy: string;
  /** The expiry before it was moved. */
  from: string;
  /** The new expiry: the instant asked for, or the moment of the shortening when that was already past. */
  expiresAt: string;
  reason: string;
  shortenedBy: string;
  shortenedAt: string;
}

/** Notices of changes the grant's people must hear of at once (not at a reminder's lead). */
export function createNoticeActivities(deps: NotificationDeps) {
  return {
    /**
     * Tells the sponsor and the supplier contacts (and a requester named by address) that a grant now ends
     * earlier, through one channel; false when that channel is not configured or has no one to tell.
     */
    deliverShorteningNotice: deliveryActivity(deps, 'notice', 'shortening notice', shorteningMessage),
  };
}

/** The notice's words: the old and the new expiry, why, and what happens then. */
export function shorteningMessage(n: ShorteningFacts, recipients: Recipients): Notification {
  const when = instantText(n.expiresAt);
  const { sponsor, sharedAccount } = recipients;
  const now = Date.parse(n.expiresAt) <= Date.parse(n.shortenedAt);
  const what = sharedAccount
    ? `The end of the lend of ${sharedAccount.label} (the ${n.provider} account ${n.username}) to ${n.organisation}`
    : `The expiry of the ${n.provider} account ${n.username} of ${n.organisation}`;
  // A lent account is its custodian's: it is never disabled, only its password taken back from the supplier.
  const then = sharedAccount
    ? now
      ? `The lend ends now: its password is being rotated now, and the new one waits for ${sharedAccount.custodian.name}.`
      : `At ${when} the lend ends: its password is rotated and the new one waits for ${sharedAccount.custodian.name}.`
    : now
      ? 'The account is being disabled now and its password rotated.'
      : `At ${when} the account will be disabled and its password rotated.`;
  return {
    subject: `Supplier access for ${n.organisation} now ends earlier: ${when}`,
    text: [
      `${what} was moved earlier by ${n.shortenedBy},`,
      `from ${instantText(n.from)} to ${when}.`,
      `Why: ${n.reason}`,
      '',
      then,
      `Requested by ${n.requestedBy}; ${sharedAccount ? 'lend' : 'grant'} ${n.grantId}.${sponsor ? ` Sponsor: ${sponsor.name}.` : ''}`,
    ].join('\n'),
    to: addressesOf(recipients, n.requestedBy),
    data: {
      grantId: n.grantId,
      provider: n.provider,
      organisation: n.organisation,
      username: n.username,
      from: n.from,
      expiresAt: n.expiresAt,
    },
  };
}
