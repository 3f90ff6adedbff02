import { createServer, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/logger.js';
import { createNotifier, NotificationError, type Notifier } from '../../src/notify/index.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';

const silent = createLogger('silent');
const FROM = 'supplier-access@example.test';

const reminder = {
  subject: 'Supplier access for Müller & Söhne <GmbH> ends in 7 days',
  text: 'The account sup-muller-sohne will be disabled.\nAsk for an extension before then.',
  to: ['anna@example.test'],
};

/** The NotificationError a send rejects with (fails the test when it resolves or throws something else). */
async function failureOf(promise: Promise<unknown>): Promise<NotificationError> {
  const error = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(error).toBeInstanceOf(NotificationError);
  return error as NotificationError;
}

/** Header lines of a raw message, unfolded. */
function headerLines(raw: string): string[] {
  const head = raw.slice(0, raw.search(/\r?\n\r?\n/));
  return head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/);
}

describe('e-mail channel', () => {
  let sink: SmtpSink;
  let notifier: Notifier;

  beforeEach(async () => {
    sink = await startSmtpSink();
    notifier = createNotifier({ smtpUrl: sink.url, smtpFrom: FROM }, silent);
  });
  afterEach(async () => {
    await notifier.close();
    await sink.stop();
  });

  it('delivers a plain text mail with sender, recipients, subject and body', async () => {
    expect(notifier.channels).toEqual(['email']);
    await notifier.send('email', reminder);
    const [mail] = await sink.waitFor(1);
    expect(mail).toMatchObject({ from: FROM, to: ['anna@example.test'], subject: reminder.subject });
    expect(mail!.text).toBe(reminder.text);
    expect(mail!.raw).toMatch(/^Content-Type: text\/plain; charset=utf-8$/im);
  });

  it('sends one copy per person however often and in whatever case an address is listed', async () => {
    await notifier.send('email', {
      ...reminder,
      to: ['anna@example.test', ' Anna@Example.test ', 'bob@example.test', 'anna@example.test'],
    });
    const [mail] = await sink.waitFor(1);
    expect(mail!.to).toEqual(['anna@example.test', 'bob@example.test']);
  });

  it('keeps a CR/LF typed into an organisation name from adding a header', async () => {
    await notifier.send('email', {
      ...reminder,
      subject: 'Access for Evil Corp\r\nBcc: attacker@evil.test\r\nX-Injected: yes\nends soon',
    });
    const [mail] = await sink.waitFor(1);
    const names = headerLines(mail!.raw).map((line) => line.slice(0, line.indexOf(':')).toLowerCase());
    expect(names).not.toContain('bcc');
    expect(names).not.toContain('x-injected');
    expect(mail!.to).toEqual(['anna@example.test']);
    expect(mail!.subject).toBe('Access for Evil Corp Bcc: attacker@evil.test X-Injected: yes ends soon');
  });

  it('does nothing when there is no recipient', async () => {
    await notifier.send('email', { ...reminder, to: [] });
    await notifier.send('email', { ...reminder, to: ['not an address', 'a@x.test, b@y.test'] });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(sink.messages).toHaveLength(0);
  });

  it('reports a temporary refusal (451) as retryable', async () => {
    sink.setFailure(451);
    const error = await failureOf(notifier.send('email', reminder));
    expect(error).toMatchObject({ channel: 'email', retryable: true });
    expect(error.message).toContain('451');
  });

  it('reports a permanent refusal of every recipient (550) as not retryable', async () => {
    sink.setFailure(550);
    const error = await failureOf(
      notifier.send('email', { ...reminder, to: ['anna@example.test', 'bob@example.test'] }),
    );
    expect(error).toMatchObject({ channel: 'email', retryable: false });
    expect(error.message).toContain('550');
    // The server echoed the address; it is personal data and stays out of the error.
    expect(error.message).not.toContain('anna@example.test');
  });

  it('reports a permanent refusal of the message itself (554 after DATA) as not retryable', async () => {
    sink.setFailure(554, 'data');
    const error = await failureOf(notifier.send('email', reminder));
    expect(error).toMatchObject({ channel: 'email', retryable: false });
    expect(error.message).toContain('554');
  });

  it('delivers again once the server accepts again', async () => {
    sink.setFailure(451);
    await failureOf(notifier.send('email', reminder));
    sink.setFailure();
    await notifier.send('email', reminder);
    await sink.waitFor(1);
  });
});

describe('e-mail channel without a working mail server', () => {
  let server: Server | undefined;
  const sockets: Socket[] = [];
  afterEach(async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => (server ? server.close(resolve) : resolve(undefined)));
    server = undefined;
  });

  async function listen(onConnection: (socket: Socket) => void): Promise<number> {
    server = createServer((socket) => {
      sockets.push(socket);
      onConnection(socket);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return (server.address() as AddressInfo).port;
  }

  it('fails retryably and at once when nothing listens', async () => {
    const port = await listen(() => undefined);
    await new Promise((resolve) => server!.close(resolve));
    server = undefined;
    const notifier = createNotifier({ smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: FROM }, silent);
    const started = Date.now();
    const error = await failureOf(notifier.send('email', reminder));
    expect(error).toMatchObject({ channel: 'email', retryable: true });
    expect(error.message).toContain(`127.0.0.1:${port}`);
    expect(Date.now() - started).toBeLessThan(5_000);
    await notifier.close();
  });

  it('gives up on a server that accepts the connection but never greets', async () => {
    const port = await listen(() => undefined);
    const notifier = createNotifier({ smtpUrl: `smtp://127.0.0.1:${port}`, smtpFrom: FROM }, silent, {
      smtpGreetingMs: 300,
    });
    const started = Date.now();
    const error = await failureOf(notifier.send('email', reminder));
    expect(error).toMatchObject({ channel: 'email', retryable: true });
    expect(error.message).toMatch(/timed out/);
    expect(Date.now() - started).toBeLessThan(3_000);
    await notifier.close();
  });
});
