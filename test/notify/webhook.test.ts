import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createNotifier, NotificationError, type Notifier } from '../../src/notify/index.js';
import { startWebhookSink, type WebhookSink } from '../helpers/webhook-sink.js';

const silent = createLogger('silent');

const summary = {
  subject: 'Access review: 2 accounts of Smith & <Jones> without a grant',
  text: 'sup-smith-jones (ldap) has no grant.\nsup-acme (okta) was re-enabled.',
  to: ['anna@example.test'],
  data: { orphans: 2, providers: ['ldap', 'okta'] },
};

async function failureOf(promise: Promise<unknown>): Promise<NotificationError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(NotificationError);
  return error as NotificationError;
}

describe('webhook channel', () => {
  let sink: WebhookSink;
  let notifier: Notifier;

  beforeEach(async () => {
    sink = await startWebhookSink();
    notifier = createNotifier({ smtpFrom: 'sa@example.test', webhookUrl: sink.url }, silent);
  });
  afterEach(async () => {
    await notifier.close();
    await sink.stop();
  });

  it('posts Slack-compatible text (bold subject, escaped &, <, >) with the subject and data', async () => {
    expect(notifier.channels).toEqual(['webhook']);
    await notifier.send('webhook', summary);
    const [request] = await sink.waitFor(1);
    expect(request!.body).toEqual({
      text:
        '*Access review: 2 accounts of Smith &amp; &lt;Jones&gt; without a grant*\n' +
        'sup-smith-jones (ldap) has no grant.\nsup-acme (okta) was re-enabled.',
      subject: summary.subject,
      data: summary.data,
    });
    expect(request!.headers['content-type']).toBe('application/json');
    expect(request!.headers['user-agent']).toBe('supplier-access');
  });

  it('keeps the subject on the first line of the text', async () => {
    await notifier.send('webhook', { ...summary, subject: 'Acme\nLtd\r\n*bold*', data: undefined });
    const [request] = await sink.waitFor(1);
    expect(request!.body.subject).toBe('Acme Ltd *bold*');
    expect(request!.body.text.split('\n')[0]).toBe('*Acme Ltd *bold**');
    expect(request!.body).not.toHaveProperty('data');
  });

  it('sends even when there is no e-mail recipient', async () => {
    await notifier.send('webhook', { ...summary, to: [] });
    await sink.waitFor(1);
  });

  it.each([500, 503, 408, 429])('reports HTTP %i as retryable, naming the status', async (status) => {
    sink.setStatus(status);
    const error = await failureOf(notifier.send('webhook', summary));
    expect(error).toMatchObject({ channel: 'webhook', retryable: true });
    expect(error.message).toContain(`HTTP ${status}`);
    expect(sink.requests).toHaveLength(1);
  });

  it.each([400, 403, 404, 410])('reports HTTP %i as not retryable', async (status) => {
    sink.setStatus(status);
    const error = await failureOf(notifier.send('webhook', summary));
    expect(error).toMatchObject({ channel: 'webhook', retryable: false });
    expect(error.message).toContain(`HTTP ${status}`);
  });
});

describe('webhook channel without a working endpoint', () => {
  let server: Server | undefined;
  afterEach(async () => {
    server?.closeAllConnections();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function serve(handler: Parameters<typeof createServer>[1]): Promise<string> {
    server = createServer(handler);
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/secret-token`;
  }

  it('fails retryably when nothing listens', async () => {
    const url = await serve(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const notifier = createNotifier({ smtpFrom: 'sa@example.test', webhookUrl: url }, silent);
    const error = await failureOf(notifier.send('webhook', summary));
    expect(error).toMatchObject({ channel: 'webhook', retryable: true });
    expect(error.message).toContain('unreachable');
  });

  it('gives up on an endpoint that never answers', async () => {
    const url = await serve(() => undefined);
    const notifier = createNotifier({ smtpFrom: 'sa@example.test', webhookUrl: url }, silent, {
      webhookMs: 300,
    });
    const started = Date.now();
    const error = await failureOf(notifier.send('webhook', summary));
    expect(error).toMatchObject({ channel: 'webhook', retryable: true });
    expect(error.message).toContain('no answer within 300 ms');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('does not follow a redirect (the payload would go elsewhere) and does not retry it', async () => {
    let followed = false;
    const url = await serve((request, response) => {
      if (request.url === '/elsewhere') followed = true;
      response.writeHead(307, { location: '/elsewhere' }).end();
    });
    const notifier = createNotifier({ smtpFrom: 'sa@example.test', webhookUrl: url }, silent);
    const error = await failureOf(notifier.send('webhook', summary));
    expect(error).toMatchObject({ retryable: false });
    expect(error.message).toContain('HTTP 307');
    expect(followed).toBe(false);
  });

  it('sends user info in the URL as basic authentication', async () => {
    let authorization: string | undefined;
    const url = await serve((request, response) => {
      authorization = request.headers.authorization;
      request.resume().on('end', () => response.end('ok'));
    });
    const withUser = url.replace('http://', 'http://hook:p%40ss@');
    const notifier = createNotifier({ smtpFrom: 'sa@example.test', webhookUrl: withUser }, silent);
    await notifier.send('webhook', summary);
    expect(authorization).toBe(`Basic ${Buffer.from('hook:p@ss').toString('base64')}`);
  });
});
