import { pino, type Logger, type LoggerOptions } from 'pino';

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

/** The service's logger: JSON lines on stdout, secrets redacted. */
export function createLogger(
  level: LoggerOptions['level'] = 'info',
  destination?: NodeJS.WritableStream,
): Logger {
  const options: LoggerOptions = {
    level,
    base: { service: 'supplier-access' },
    redact: { paths: REDACTED_PATHS, censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
