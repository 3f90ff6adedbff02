import type { NotificationChannel } from '../../domain/channels.js';

/**
 * Thrown when a channel refused a notification or could not be reached. `retryable` is false for permanent
 * refusals (SMTP 5xx for every recipient or for the message, webhook 4xx other than 408/429, a redirect), true
 * otherwise. The message never carries the SMTP password, the webhook URL's path or query (Slack webhook URLs
 * are secrets: only the origin is named), nor the e-mail addresses a mail server echoes back.
 */
export class NotificationError extends Error {
  override readonly name = 'NotificationError';

  constructor(
    message: string,
    readonly channel: NotificationChannel,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** Replaces every occurrence of each secret (ignoring empty and one-character ones) with `[redacted]`. */
export function redactSecrets(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    if (secret.length > 1) out = out.split(secret).join('[redacted]');
  }
  return out;
}

const ADDRESS = /<?[^\s<>@"',;:()]+@[^\s<>@"',;:()]+>?/g;

/**
 * Replaces e-mail addresses with `[address]`: mail servers echo recipients in their replies ("550 <x@y>:
 * unknown user"), and error messages end up in logs and Temporal histories, which must not hold personal data.
 */
export function redactAddresses(text: string): string {
  return text.replace(ADDRESS, '[address]');
}
