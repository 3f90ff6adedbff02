import nodemailer from 'nodemailer';
import type { NodemailerError } from 'nodemailer';
import type { Logger } from 'pino';
import { NotificationError, redactAddresses, redactSecrets } from './errors.js';
import { parseChannelUrl, safeDecode, singleLine, truncate } from './format.js';
import type { ChannelSender, Notification, NotifierTimeouts } from './types.js';

/** What the e-mail channel needs to know about its server, without keeping the URL's secrets in sight. */
interface SmtpTarget {
  /** `host:port`, safe to log. */
  label: string;
  /** The password as written in the URL and decoded, to scrub from anything a library says. */
  secrets: string[];
}

function describeSmtpUrl(smtpUrl: string): SmtpTarget {
  const url = parseChannelUrl(smtpUrl, 'SMTP_URL');
  const secure = url.protocol === 'smtps:';
  const port = url.port || (secure ? '465' : '587');
  const secrets = url.password ? [url.password, safeDecode(url.password)] : [];
  return { label: `${url.hostname}:${port}`, secrets };
}

// Deliberately loose: the sender validated addresses already. This only keeps out what would change the
// envelope or the To header (whitespace, commas, angle brackets, quotes), i.e. a list smuggled in one entry.
const PLAIN_ADDRESS = /^[^\s@<>,;"']+@[^\s@<>,;"']+$/;

/** Trimmed, plausible, de-duplicated (case-insensitively: one person, one copy) recipients, in order. */
export function cleanRecipients(to: readonly string[]): { recipients: string[]; dropped: number } {
  const seen = new Set<string>();
  const recipients: string[] = [];
  let dropped = 0;
  for (const entry of to) {
    const address = entry.trim();
    if (!PLAIN_ADDRESS.test(address)) {
      dropped += 1;
      continue;
    }
    const key = address.toLowerCase();
    if (seen.has(key)) continue;
    seen.add(key);
    recipients.push(address);
  }
  return { recipients, dropped };
}

/**
 * Whether retrying the same message would meet the same refusal. Only replies that refuse the message for
 * good count: every recipient (or the sender) refused with 5xx, or the DATA refused with 5xx. Connection
 * trouble, timeouts, 4xx and authentication failures (an operator fixes the password, then it goes) retry.
 */
function isPermanent(err: NodemailerError): boolean {
  if (err.code === 'EENVELOPE') {
    const replies = err.rejectedErrors ?? [];
    if (replies.length > 0) return replies.every((r) => r.permanent === true);
    // No reply at all: nodemailer refused the envelope itself (no usable recipient), which will not change.
    return err.responseCode === undefined || err.permanent === true;
  }
  if (err.code === 'EMESSAGE') return err.permanent === true;
  return err.code === 'ECONFIG';
}

function describeFailure(err: NodemailerError): string {
  const firstRefusal = err.rejectedErrors?.[0];
  if (err.code === 'EENVELOPE' && firstRefusal) return `every recipient refused (${firstRefusal.message})`;
  if (err.code === 'ETIMEDOUT') return `timed out (${err.timeoutType ?? 'no answer'})`;
  if (err.name === 'AbortError' || err.code === 'EABORT') return 'no delivery within the time limit';
  return `${err.code ?? err.name}: ${err.message}`;
}

function toNotificationError(error: unknown, target: SmtpTarget, recipients: number): NotificationError {
  const err = (error instanceof Error ? error : new Error(String(error))) as NodemailerError;
  const detail = truncate(redactSecrets(redactAddresses(singleLine(describeFailure(err))), target.secrets));
  return new NotificationError(
    `e-mail to ${recipients} recipient(s) via ${target.label} failed: ${detail}`,
    'email',
    !isPermanent(err),
  );
}

/** A pooled SMTP transport whose every wait is bounded, so a hung mail server cannot hold an activity. */
function createTransport(smtpUrl: string, timeouts: NotifierTimeouts) {
  // Pooled and capped: a wave of reminders (many grants created together expire together) must not open a
  // connection per message and trip the mail server's connection limits.
  return nodemailer.createTransport({
    url: smtpUrl,
    pool: true,
    maxConnections: 3,
    connectionTimeout: timeouts.smtpConnectMs,
    greetingTimeout: timeouts.smtpGreetingMs,
    socketTimeout: timeouts.smtpSocketMs,
    // Messages are plain text we compose: nothing may make nodemailer read a file or fetch a URL.
    disableFileAccess: true,
    disableUrlAccess: true,
    logger: false,
  });
}

/** The e-mail channel: plain text mail from `from` through a small pool of SMTP connections to `smtpUrl`. */
export function createEmailChannel(
  smtpUrl: string,
  from: string,
  logger: Logger,
  timeouts: NotifierTimeouts,
): ChannelSender {
  const target = describeSmtpUrl(smtpUrl);
  const transport = createTransport(smtpUrl, timeouts);
  // An EventEmitter 'error' without a listener would crash the worker; a dropped idle connection is no news.
  transport.on('error', (err: Error) => {
    const detail = redactSecrets(redactAddresses(singleLine(err.message)), target.secrets);
    logger.warn({ channel: 'email', server: target.label, detail }, 'SMTP connection error');
  });

  return {
    async send(notification: Notification): Promise<void> {
      const { recipients, dropped } = cleanRecipients(notification.to);
      if (dropped > 0) logger.warn({ channel: 'email', dropped }, 'malformed e-mail recipients left out');
      if (recipients.length === 0) return;
      const subject = singleLine(notification.subject);
      let rejected = 0;
      try {
        const info = await transport.sendMail({
          from,
          to: recipients,
          subject,
          text: notification.text,
          // Bounds the whole delivery; an abort cannot prove the server did not take the message, so a retry
          // may rarely send it twice, which beats a reminder held forever.
          signal: AbortSignal.timeout(timeouts.smtpSendMs),
        });
        rejected = info.rejected.length;
      } catch (err) {
        throw toNotificationError(err, target, recipients.length);
      }
      // Some recipients refused, the others have it: success, since a retry would mail the others again.
      if (rejected > 0) logger.warn({ channel: 'email', rejected }, 'some e-mail recipients were refused');
      logger.info(
        { channel: 'email', recipients: recipients.length - rejected, subject },
        'notification sent',
      );
    },
    async close(): Promise<void> {
      transport.close();
    },
  };
}
