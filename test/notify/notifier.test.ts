import { createServer } from 'node:net';
import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createNotifier, NotificationError } from '../../src/notify/index.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';

const PASSWORD = 'Sm7p-s3cret/pw';
const message = {
  subject: 'Supplier access for Acme ends in 1 day',
  text: 'The account sup-acme will be disabled.',
  to: ['anna@example.test', 'bob@example.test'],
  data: { grantId: 'grant-1' },
};

/** A logger at the most verbose level whose JSON lines the test reads back. */
function capturedLogger() {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(chunk.toString('utf8'));
      done();
    },
  });
  return { logger: createLogger('trace', destination), output: () => lines.join('') };
}

async function errorOf(promise: Promise<unknown>): Promise<NotificationError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(NotificationError);
  return error as NotificationError;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('notifier', () => {
  let smtp: SmtpSink;
  let webhook: WebhookSink;
  beforeEach(async () => {
    [smtp, webhook] = await Promise.all([startSmtpSink(), startWebhookSink()]);
  });
  afterEach(async () => {
    await Promise.all([smtp.stop(), webhook.stop()]);
  });

  it('has no channel when neither URL is set, and sending through one does nothing', async () => {
    const notifier = createNotifier({ smtpFrom: 'sa@example.test' }, createLogger('silent'));
    expect(notifier.channels).toEqual([]);
    await notifier.send('email', message);
    await notifier.send('webhook', message);
    await notifier.close();
  });

  it('sends through the one channel asked for, never the other', async () => {
    const notifier = createNotifier(
      { smtpUrl: smtp.url, smtpFrom: 'sa@example.test', webhookUrl: webhook.url },
      createLogger('silent'),
    );
    expect(notifier.channels).toEqual(['email', 'webhook']);
    await notifier.send('webhook', message);
    await webhook.waitFor(1);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(smtp.messages).toHaveLength(0);
    await notifier.send('email', message);
    await smtp.waitFor(1);
    expect(webhook.requests).toHaveLength(1);
    await notifier.close();
  });

  it('logs each delivery with its channel, recipient count and subject, but no address', async () => {
    const { logger, output } = capturedLogger();
    const notifier = createNotifier(
      { smtpUrl: smtp.url, smtpFrom: 'sa@example.test', webhookUrl: webhook.url },
      logger,
    );
    await notifier.send('email', message);
    await notifier.send('webhook', message);
    await notifier.close();
    const entries = output()
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 30, channel: 'email', recipients: 2, subject: message.subject }),
    );
    expect(entries).toContainEqual(
      expect.objectContaining({ level: 30, channel: 'webhook', subject: message.subject }),
    );
    expect(output()).not.toContain('anna@example.test');
    expect(output()).not.toContain(new URL(webhook.url).pathname);
  });

  it('keeps the SMTP password and the webhook path out of every error and log line', async () => {
    const { logger, output } = capturedLogger();
    const withPassword = (url: string) =>
      url.replace('smtp://', `smtp://supplier:${encodeURIComponent(PASSWORD)}@`);
    const webhookPath = new URL(webhook.url).pathname;
    const errors: NotificationError[] = [];
    const attempt = async (smtpUrl: string, webhookUrl: string) => {
      const notifier = createNotifier({ smtpUrl, smtpFrom: 'sa@example.test', webhookUrl }, logger);
      await notifier.send('email', message).catch((err: NotificationError) => errors.push(err));
      await notifier.send('webhook', message).catch((err: NotificationError) => errors.push(err));
      await notifier.close();
    };

    await attempt(withPassword(smtp.url), webhook.url); // delivered: the info lines
    smtp.setFailure(535, 'auth');
    webhook.setStatus(500);
    await attempt(withPassword(smtp.url), webhook.url);
    smtp.setFailure(550);
    webhook.setStatus(404);
    await attempt(withPassword(smtp.url), webhook.url);
    const closed = await freePort();
    await attempt(withPassword(`smtp://127.0.0.1:${closed}`), `http://127.0.0.1:${closed}${webhookPath}`);

    expect(errors).toHaveLength(6);
    for (const text of [...errors.map((e) => e.message), output()]) {
      expect(text).not.toContain(PASSWORD);
      expect(text).not.toContain(encodeURIComponent(PASSWORD));
      expect(text).not.toContain(webhookPath);
      expect(text).not.toContain(webhookPath.split('/').at(-1));
    }
    expect(errors.find((e) => e.channel === 'email')?.message).toContain('535');
  });

  it('does not repeat a malformed URL (and so its secrets) when it cannot be parsed', () => {
    const create = () =>
      createNotifier(
        { smtpFrom: 'sa@example.test', webhookUrl: `http://[bad/${PASSWORD}` },
        createLogger('silent'),
      );
    expect(create).toThrow('WEBHOOK_URL is not a valid URL');
    expect(() => create()).not.toThrow(PASSWORD);
  });

  it('refuses to send once closed, retryably (another worker can deliver)', async () => {
    const notifier = createNotifier(
      { smtpUrl: smtp.url, smtpFrom: 'sa@example.test' },
      createLogger('silent'),
    );
    await notifier.close();
    const error = await errorOf(notifier.send('email', message));
    expect(error).toMatchObject({ channel: 'email', retryable: true });
  });
});
