import { pino, type Logger, type LoggerOptions } from 'pino';
import { build as prettyStream } from 'pino-pretty';

/** Paths whose values never reach a log line, whatever logs them. */
export const REDACTED_PATHS = [
  'password',
  '*.password',
  '*.*.password',
  'credential',
  '*.credential',
  'token',
  '*.token',
  'bindPassword',
  '*.bindPassword',
  'req.headers.authorization',
  'headers.authorization',
  '*.headers.authorization',
  '*.*.headers.authorization',
  'authorization',
  '*.authorization',
  'req.headers.cookie',
  // Provider secrets and keys, should a settings object be logged whole.
  'apiToken',
  '*.apiToken',
  'apiTokens',
  '*.apiTokens',
  'clientSecret',
  '*.clientSecret',
  'payloadEncryptionKeys',
  '*.payloadEncryptionKeys',
  // Personal data: the supplier's contact address.
  'contactEmail',
  '*.contactEmail',
  '*.*.contactEmail',
  // URLs that carry credentials: an SMTP password, a secret webhook path, a database password.
  'smtpUrl',
  '*.smtpUrl',
  'webhookUrl',
  '*.webhookUrl',
  'databaseUrl',
  '*.databaseUrl',
];

export type { Logger };

/** `json`: one JSON object per line, for log collectors. `pretty`: one readable line per event, for people. */
export type LogFormat = 'json' | 'pretty';

/** The service's logger: JSON lines (or readable lines) on stdout, secrets redacted either way. */
export function createLogger(
  level: LoggerOptions['level'] = 'info',
  destination?: NodeJS.WritableStream,
  format: LogFormat = 'json',
): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'supplier-access' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  if (format === 'pretty') return pino(options, readable(destination));
  return destination ? pino(options, destination) : pino(options);
}

/**
 * pino-pretty as a stream in this thread, not as a transport: synchronous writes keep the log lines in order
 * with what the process prints itself (the start banner comes after the lines that led to it). Redaction
 * happened before, in pino.
 */
function readable(destination: NodeJS.WritableStream | undefined) {
  return prettyStream({
    sync: true,
    colorize: destination === undefined && Boolean(process.stdout.isTTY),
    translateTime: 'SYS:HH:MM:ss',
    ignore: 'pid,hostname,service',
    singleLine: true,
    ...(destination ? { destination } : {}),
  });
}
