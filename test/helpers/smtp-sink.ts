import type { AddressInfo } from 'node:net';
import { setTimeout as delay } from 'node:timers/promises';
import { SMTPServer } from 'smtp-server';

/** A message as the sink received it over SMTP. */
export interface ReceivedMail {
  /** The envelope sender (MAIL FROM). */
  from: string;
  /** The envelope recipients (RCPT TO), in order. */
  to: string[];
  /** The decoded Subject header. */
  subject: string;
  /** The decoded body, line ends as `\n`, without the line end that closes every message. */
  text: string;
  /** The message exactly as sent in DATA (headers and encoded body). */
  raw: string;
}

/** Where the sink refuses: at AUTH (535-style), at every RCPT TO, or at the end of DATA. */
export type SmtpFailureStage = 'auth' | 'rcpt' | 'data';

/** A local SMTP server for tests: plain TCP on 127.0.0.1, any (or no) credentials accepted. */
export interface SmtpSink {
  /** `smtp://127.0.0.1:<port>`; add `user:password@` freely, any login is accepted. */
  url: string;
  /** Every message accepted so far, oldest first. */
  messages: ReceivedMail[];
  /** From now on, refuse with this SMTP code at `stage` (default `rcpt`); no code → accept again. */
  setFailure(code?: number, stage?: SmtpFailureStage): void;
  /** Resolves with the messages once at least `count` have arrived; rejects after `timeoutMs` (5 s). */
  waitFor(count: number, timeoutMs?: number): Promise<ReceivedMail[]>;
  /** Stops listening and drops open connections. */
  stop(): Promise<void>;
}

/**
 * Starts an SMTP sink. It never offers STARTTLS (clients then send in clear, as they may on loopback) and
 * parses what it receives the way a mail client would, so tests assert on what a recipient would see.
 * @param options.failWith an SMTP code to refuse every RCPT TO with from the start (e.g. 451 or 550).
 */
export async function startSmtpSink(options: { failWith?: number } = {}): Promise<SmtpSink> {
  const messages: ReceivedMail[] = [];
  let failure: { code: number; stage: SmtpFailureStage } | undefined =
    options.failWith === undefined ? undefined : { code: options.failWith, stage: 'rcpt' };
  const refusal = (stage: SmtpFailureStage, text: string): Error | null =>
    failure?.stage === stage
      ? Object.assign(new Error(`${failure.code >= 500 ? 'Refused' : 'Try again later'}: ${text}`), {
          responseCode: failure.code,
        })
      : null;

  const server = new SMTPServer({
    secure: false,
    authOptional: true,
    allowInsecureAuth: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    closeTimeout: 200,
    onAuth: (auth, _session, callback) => {
      const error = refusal('auth', 'authentication failed');
      if (error) callback(error);
      else callback(null, { user: auth.username ?? 'anonymous' });
    },
    // Real servers echo the address in the refusal; the notifier must not repeat it.
    onRcptTo: (address, _session, callback) => callback(refusal('rcpt', `mailbox <${address.address}>`)),
    onData: (stream, session, callback) => {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const error = refusal('data', 'message content rejected');
        if (error) return callback(error);
        const raw = Buffer.concat(chunks).toString('utf8');
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : '';
        messages.push({ from, to: session.envelope.rcptTo.map((r) => r.address), ...parseMessage(raw), raw });
        callback();
      });
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.server.address() as AddressInfo;

  return {
    url: `smtp://127.0.0.1:${port}`,
    messages,
    setFailure: (code, stage = 'rcpt') => {
      failure = code === undefined ? undefined : { code, stage };
    },
    waitFor: async (count, timeoutMs = 5000) => {
      const deadline = Date.now() + timeoutMs;
      while (messages.length < count) {
        if (Date.now() > deadline) {
          throw new Error(`expected ${count} mail(s) within ${timeoutMs} ms, got ${messages.length}`);
        }
        await delay(10);
      }
      return [...messages];
    },
    stop: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Subject and text of a single-part message: headers unfolded, RFC 2047 words and the body decoded. */
function parseMessage(raw: string): { subject: string; text: string } {
  const split = raw.search(/\r?\n\r?\n/);
  const head = split < 0 ? raw : raw.slice(0, split);
  const body = split < 0 ? '' : raw.slice(split).replace(/^\r?\n\r?\n/, '');
  const headers = new Map<string, string>();
  for (const line of head.replace(/\r?\n(?=[ \t])/g, '').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const charset = /charset="?([^";\s]+)/i.exec(headers.get('content-type') ?? '')?.[1] ?? 'utf-8';
  const text = new TextDecoder(charset)
    .decode(bodyBytes(body, encoding))
    .replace(/\r\n/g, '\n')
    .replace(/\n$/, '');
  return { subject: decodeWords(headers.get('subject') ?? ''), text };
}

function bodyBytes(body: string, encoding: string): Buffer {
  if (encoding === 'base64') return Buffer.from(body.replace(/\s+/g, ''), 'base64');
  if (encoding === 'quoted-printable') return quotedPrintableBytes(body.replace(/=\r?\n/g, ''));
  return Buffer.from(body, 'utf8');
}

function quotedPrintableBytes(text: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i += 1) {
    const hex = text.slice(i + 1, i + 3);
    if (text[i] === '=' && /^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(text[i] ?? '', 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`); whitespace between two of them is dropped. */
function decodeWords(value: string): string {
  return value
    .replace(/(\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?]+)\?([BbQq])\?([^?]*)\?=/g, (_word, charset: string, kind: string, data: string) => {
      const bytes =
        kind.toUpperCase() === 'B'
          ? Buffer.from(data, 'base64')
          : quotedPrintableBytes(data.replace(/_/g, ' '));
      return new TextDecoder(charset).decode(bytes);
    });
}
