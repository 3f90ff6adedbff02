import type { NotificationChannel } from '../../domain/channels.js';

/** One message for people: a reminder before an expiry, a review summary. */
export interface Notification {
  /** One line: the e-mail subject, and the first line of the webhook text. */
  subject: string;
  /** Plain text body. */
  text: string;
  /** E-mail recipients; may be empty (then the e-mail channel has nothing to do). */
  to: string[];
  /** Structured facts for webhook consumers (no secrets), sent as `data`. */
  data?: Record<string, unknown>;
}

/** Sends notifications through the configured channels, one channel per call. */
export interface Notifier {
  /** The channels configured (SMTP_URL → 'email', WEBHOOK_URL → 'webhook'). */
  readonly channels: readonly NotificationChannel[];
  /**
   * Sends through ONE channel, so a caller (a Temporal activity) can retry each channel on its own and never
   * re-send what already went out. Resolves when the channel accepted the message; resolves without doing
   * anything when the channel is not configured or (e-mail) there are no recipients.
   * @throws NotificationError when the channel refused the message or could not be reached.
   */
  send(channel: NotificationChannel, notification: Notification): Promise<void>;
  /** Closes pooled connections; later sends fail (retryably, so another worker can take them). */
  close(): Promise<void>;
}

/**
 * Bounds on how long a channel may hold a caller. A hung mail server or webhook must not keep an activity
 * busy until its own timeout: each wait has a limit, and a whole e-mail delivery has one too.
 */
export interface NotifierTimeouts {
  /** TCP (and TLS) connection to the mail server. */
  smtpConnectMs: number;
  /** From connection to the server's greeting. */
  smtpGreetingMs: number;
  /** Inactivity on an open SMTP connection. */
  smtpSocketMs: number;
  /** One whole e-mail delivery, waiting in the pool's queue included (a server trickling replies). */
  smtpSendMs: number;
  /** One webhook request, response body included. */
  webhookMs: number;
}

/** The limits used unless `createNotifier` is given others (tests shorten them). */
export const DEFAULT_TIMEOUTS: NotifierTimeouts = {
  smtpConnectMs: 10_000,
  smtpGreetingMs: 10_000,
  smtpSocketMs: 30_000,
  smtpSendMs: 60_000,
  webhookMs: 10_000,
};

/** One configured channel, as the notifier drives it. */
export interface ChannelSender {
  send(notification: Notification): Promise<void>;
  close(): Promise<void>;
}
