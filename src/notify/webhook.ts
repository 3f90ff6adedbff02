import type { Logger } from 'pino';
import { NotificationError, redactSecrets } from './errors.js';
import { parseChannelUrl, safeDecode, singleLine, slackText, truncate } from './format.js';
import type { ChannelSender, Notification, NotifierTimeouts } from './types.js';

/** The parts of `WEBHOOK_URL` a request needs, and the only part a message may name (the origin). */
interface WebhookTarget {
  /** The URL without user info (fetch refuses URLs that carry credentials). */
  endpoint: string;
  /** `scheme://host[:port]`, safe to log: a Slack webhook's secret is its path. */
  origin: string;
  headers: Record<string, string>;
  /** Path and query, as written and decoded, to scrub from anything the endpoint answers. */
  secrets: string[];
}

function describeWebhookUrl(webhookUrl: string): WebhookTarget {
  const url = parseChannelUrl(webhookUrl, 'WEBHOOK_URL');
  const headers: Record<string, string> = {
    'content-type': 'application/json',
    'user-agent': 'supplier-access',
  };
  if (url.username || url.password) {
    const user = safeDecode(url.username);
    const password = safeDecode(url.password);
    headers.authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
    url.username = '';
    url.password = '';
  }
  const pathAndQuery = url.pathname + url.search;
  const secrets = pathAndQuery.length > 1 ? [pathAndQuery, url.pathname, url.search] : [];
  return { endpoint: url.href, origin: url.origin, headers, secrets };
}

/**
 * Whether an HTTP status is worth retrying: server errors, 408 and 429 are; other 4xx refuse the payload (or the
 * URL was revoked: Slack answers 404/410) and will again. A redirect means WEBHOOK_URL is not the endpoint; it
 * is not followed (that would re-post the payload elsewhere) and needs an operator, not a retry.
 */
export function isRetryableStatus(status: number): boolean {
  return status >= 500 || status === 408 || status === 429;
}

function unreachable(err: unknown, target: WebhookTarget, timeoutMs: number): NotificationError {
  const error = err instanceof Error ? err : new Error(String(err));
  const reason =
    error.name === 'TimeoutError' || error.name === 'AbortError'
      ? `no answer within ${timeoutMs} ms`
      : ((error.cause as { code?: string } | undefined)?.code ?? error.name);
  return new NotificationError(`webhook ${target.origin} unreachable: ${reason}`, 'webhook', true);
}

/** The first line of an error answer (Slack says why: `invalid_payload`, `no_service`…), scrubbed and short. */
async function answerSnippet(response: Response, target: WebhookTarget): Promise<string> {
  try {
    const body = await response.text();
    return truncate(redactSecrets(singleLine(body), target.secrets), 200);
  } catch {
    return '';
  }
}

/** The webhook channel: one JSON POST per notification, Slack-compatible `text` plus the structured `data`. */
export function createWebhookChannel(
  webhookUrl: string,
  logger: Logger,
  timeouts: NotifierTimeouts,
): ChannelSender {
  const target = describeWebhookUrl(webhookUrl);
  return {
    async send(notification: Notification): Promise<void> {
      const subject = singleLine(notification.subject);
      const body = JSON.stringify({
        text: slackText(subject, notification.text),
        subject,
        data: notification.data,
      });
      const signal = AbortSignal.timeout(timeouts.webhookMs);
      let response: Response;
      try {
        response = await fetch(target.endpoint, {
          method: 'POST',
          headers: target.headers,
          body,
          signal,
          redirect: 'manual',
        });
      } catch (err) {
        throw unreachable(err, target, timeouts.webhookMs);
      }
      if (!response.ok) {
        const snippet = await answerSnippet(response, target);
        throw new NotificationError(
          `webhook ${target.origin} answered HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`,
          'webhook',
          isRetryableStatus(response.status),
        );
      }
      // Drain the answer so the keep-alive connection can be reused.
      await response.arrayBuffer().catch(() => undefined);
      logger.info({ channel: 'webhook', endpoint: target.origin, subject }, 'notification sent');
    },
    async close(): Promise<void> {},
  };
}
