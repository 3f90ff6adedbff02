import { createLogger } from '../../src/logger.js';
import { createNotifier, type Notifier } from '../../src/notify/index.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';
import { startWebhookSink, type WebhookSink } from './webhook-sink.js';

/** What a test of reminders or notices listens on: an SMTP sink, a webhook sink, and a notifier sending to both. */
export interface NotificationSinks {
  smtp: SmtpSink;
  webhook: WebhookSink;
  notifier: Notifier;
  /** Closes the notifier, then both sinks. */
  stop(): Promise<void>;
}

export async function startNotificationSinks(): Promise<NotificationSinks> {
  const [smtp, webhook] = await Promise.all([startSmtpSink(), startWebhookSink()]);
  const notifier = createNotifier(
    { smtpUrl: smtp.url, smtpFrom: 'supplier-access@example.test', webhookUrl: webhook.url },
    createLogger('silent'),
  );
  return {
    smtp,
    webhook,
    notifier,
    async stop() {
      await notifier.close();
      await Promise.all([smtp.stop(), webhook.stop()]);
    },
  };
}
