import type { Logger } from 'pino';
import type { NotificationChannel } from '../../domain/channels.js';
import type { Config } from '../config.js';
import { createEmailChannel } from './email.js';
import { NotificationError } from './errors.js';
import { DEFAULT_TIMEOUTS, type ChannelSender, type Notifier, type NotifierTimeouts } from './types.js';
import { createWebhookChannel } from './webhook.js';

export { NotificationError } from './errors.js';
export { DEFAULT_TIMEOUTS } from './types.js';
export type { Notification, Notifier, NotifierTimeouts } from './types.js';

/**
 * The notifier of `config.notifications`: e-mail when `smtpUrl` is set, a webhook when `webhookUrl` is set,
 * neither (every send a no-op) when both are unset. Delivered messages are logged with their channel, the
 * number of recipients and the subject, never an address, the SMTP password or the webhook's path.
 *
 * @param timeouts overrides of {@link DEFAULT_TIMEOUTS} (tests use short ones).
 * @throws Error when a URL cannot be parsed; the message does not repeat the URL.
 */
export function createNotifier(
  settings: Config['notifications'],
  logger: Logger,
  timeouts: Partial<NotifierTimeouts> = {},
): Notifier {
  const limits = { ...DEFAULT_TIMEOUTS, ...timeouts };
  const senders = new Map<NotificationChannel, ChannelSender>();
  if (settings.smtpUrl) {
    senders.set('email', createEmailChannel(settings.smtpUrl, settings.smtpFrom, logger, limits));
  }
  if (settings.webhookUrl) senders.set('webhook', createWebhookChannel(settings.webhookUrl, logger, limits));
  const channels = Object.freeze([...senders.keys()]);
  let closed = false;

  return {
    channels,
    async send(channel, notification) {
      // Retryable: a worker shutting down closes its notifier, and another worker can deliver the message.
      if (closed) throw new NotificationError('the notifier is closed', channel, true);
      const sender = senders.get(channel);
      if (!sender) return;
      await sender.send(notification);
    },
    async close() {
      if (closed) return;
      closed = true;
      await Promise.all([...senders.values()].map((sender) => sender.close()));
    },
  };
}
