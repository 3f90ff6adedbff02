import { existsSync } from 'node:fs';
import { z } from 'zod';
import { moduleOf, PROVIDER_MODULES, type ProviderSettings } from '../providers/modules.js';
import { PROVIDER_NAMES, type ProviderName } from '../domain/account.js';
import { NAME_HASH_LENGTH } from '../domain/naming.js';
import { ROLES, type Role } from '../domain/actor.js';

/** A bearer token and who holds it; `admin` has every right, `auditor` only reads. */
export interface ApiToken {
  name: string;
  roles: Role[];
  token: string;
}

const durationPattern = /^(\d+)(ms|s|m|h|d)$/;
const UNIT_MS = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Parses `90s`, `15m`, `7d` into milliseconds; `null` when malformed. */
export function parseDuration(text: string): number | null {
  const match = durationPattern.exec(text.trim());
  if (!match) return null;
  return Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
}

const duration = z.string().transform((text, ctx) => {
  const ms = parseDuration(text);
  if (ms === null) {
    ctx.addIssue({ code: 'custom', message: `"${text}" is not a duration like 90s, 15m, 1h or 7d` });
    return z.NEVER;
  }
  return ms;
});

const tokens = z.string().transform((text, ctx): ApiToken[] => {
  const parsed: ApiToken[] = [];
  for (const [index, entry] of text
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean)
    .entries()) {
    const [name, roleList, ...rest] = entry.split(':');
    const token = rest.join(':');
    const roles = (roleList ?? '').split('+').filter(Boolean);
    const bad = roles.filter((r) => !(ROLES as readonly string[]).includes(r));
    if (!name || !token || roles.length === 0 || bad.length > 0) {
      ctx.addIssue({
        code: 'custom',
        message: `entry ${index + 1} must be name:role[+role]:token with roles among ${ROLES.join(', ')}`,
      });
      return z.NEVER;
    }
    if (token.length < 16) {
      ctx.addIssue({ code: 'custom', message: `the token of "${name}" must be at least 16 characters` });
      return z.NEVER;
    }
    // Four eyes compares names: two spellings of one person would approve each other.
    const lookalike = parsed.find((t) => t.name !== name && t.name.toLowerCase() === name.toLowerCase());
    if (lookalike) {
      ctx.addIssue({
        code: 'custom',
        message: `"${name}" and "${lookalike.name}" differ only in case; spell one person's name one way`,
      });
      return z.NEVER;
    }
    const twin = parsed.find((t) => t.token === token);
    if (twin) {
      // One token for two names would record the wrong person on every action.
      ctx.addIssue({ code: 'custom', message: `"${name}" and "${twin.name}" have the same token` });
      return z.NEVER;
    }
    parsed.push({ name, roles: roles as Role[], token });
  }
  return parsed;
});

/** A retention period: a number of days (a fraction too), up to a century, or `never`; `undefined` is never. */
const retentionDays = z.string().transform((text, ctx): number | undefined => {
  const value = text.trim();
  if (value === 'never') return undefined;
  const days = /^\d+(\.\d+)?$/.test(value) ? Number(value) : NaN;
  if (!(days <= 36_500)) {
    ctx.addIssue({
      code: 'custom',
      message: 'must be a number of days (like 30 or 0.5, at most 36500) or never',
    });
    return z.NEVER;
  }
  return days;
});

/** An empty variable (`SMTP_URL=`) means unset, as in most shells' env files. */
const blankAsUnset = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** The variables that enable each provider (all of them set, or none), as each provider declares them. */
export const PROVIDER_VARIABLES: Record<ProviderName, readonly string[]> = {
  ldap: PROVIDER_MODULES.ldap.variables,
  okta: PROVIDER_MODULES.okta.variables,
  entra: PROVIDER_MODULES.entra.variables,
};

/**
 * The service's own environment variables (docs/configuration.md), checked once at start; each provider declares
 * its own.
 */
export const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('supplier-access'),
  API_TOKENS: blankAsUnset(tokens.optional()),
  ACCOUNT_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]{0,10}$/, 'must be at most 10 characters among a-z, 0-9 and -')
    .default('sup-'),
  MAX_GRANT_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  REMINDER_LEAD: z
    .string()
    .default('14d,7d,1d')
    .pipe(
      z.string().transform((text, ctx) => {
        const leads = text.split(',').map((t) => parseDuration(t));
        if (leads.some((l) => l === null)) {
          ctx.addIssue({ code: 'custom', message: 'must be durations separated by commas, like 7d,1d' });
          return z.NEVER;
        }
        return leads as number[];
      }),
    ),
  PAYLOAD_ENCRYPTION_KEYS: optionalString,
  SMTP_URL: blankAsUnset(
    z
      .string()
      .regex(
        /^smtps?:\/\/[^\s]+$/,
        'must be an smtp:// or smtps:// URL, like smtp://user:password@mail.example.com:587',
      )
      .optional(),
  ),
  SMTP_FROM: blankAsUnset(z.email('must be an e-mail address').default('supplier-access@localhost')),
  WEBHOOK_URL: blankAsUnset(
    z.url({ protocol: /^https?$/, message: 'must be an http:// or https:// URL' }).optional(),
  ),
  PUBLIC_URL: blankAsUnset(
    z
      .url({
        protocol: /^https?$/,
        message: 'must be an http:// or https:// URL, like https://access.example.com',
      })
      .transform((url) => url.replace(/\/+$/, ''))
      .optional(),
  ),
  REVIEW_INTERVAL: z.string().default('1h').pipe(duration),
  API_ANSWER_WITHIN: z.string().default('10s').pipe(duration),
  RATE_LIMIT_PER_MINUTE: z.coerce.number().int().min(0).max(1_000_000).default(120),
  CODEC_CORS_ORIGINS: blankAsUnset(
    z
      .string()
      .regex(
        /^https?:\/\/[^\s/,]+(,\s*https?:\/\/[^\s/,]+)*$/,
        'must be origins separated by commas, like https://temporal-ui.example.com',
      )
      .optional(),
  ),
  WORKER_CACHED_GRANTS: z.coerce.number().int().min(2).max(100_000).default(2000),
  WORKFLOW_BUNDLE_PATH: blankAsUnset(
    z
      .string()
      .refine((path) => existsSync(path), 'must name an existing file: a workflow bundle of this version')
      .optional(),
  ),
  REVIEW_REPORT_TO: optionalString,
  REVIEW_DISABLE_ORPHANS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
  ACCOUNT_RETENTION_DAYS: blankAsUnset(z.string().default('30')).pipe(retentionDays),
  CONTACT_RETENTION_DAYS: blankAsUnset(z.string().default('365')).pipe(retentionDays),
  DATABASE_URL: optionalString,
  DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  LOG_FORMAT: blankAsUnset(z.enum(['json', 'pretty']).optional()),
});

export type Env = z.output<typeof envSchema>;

/** Thrown when the environment does not describe a valid configuration; lists every bad variable. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/** The typed configuration the rest of the service reads. */
export interface Config {
  host: string;
  port: number;
  temporal: { address?: string | undefined; namespace: string; taskQueue: string };
  apiTokens?: ApiToken[] | undefined;
  ldap?: ProviderSettings['ldap'] | undefined;
  okta?: ProviderSettings['okta'] | undefined;
  entra?: ProviderSettings['entra'] | undefined;
  /** True when no provider is configured: the embedded OpenLDAP is used. */
  embeddedLdap: boolean;
  policy: { accountPrefix: string; maxGrantDays: number; reminderLeadMs: number[] };
  /** How long a request waits for its workflow (a slow directory, no worker) before answering 202. */
  answerWithinMs: number;
  /** Changing API requests per token per minute; 0 → unlimited. */
  rateLimitPerMinute: number;
  /** Browser origins (the Temporal UI) allowed to call the codec endpoint; unset → the embedded UI's. */
  codecCorsOrigins?: string[] | undefined;
  /** Grants a worker keeps in memory: more is faster under a wave of expiries, fewer keeps memory flat. */
  workerCachedGrants: number;
  /** A workflow bundle built beforehand from this version's `workflows/`; unset → bundled at worker start. */
  workflowBundlePath?: string | undefined;
  /** Where people reach the web page (`https://access.example.com`); reminders link to it. Unset → no links. */
  publicUrl?: string | undefined;
  /** Where reminders and review summaries go; neither set → none are sent. */
  notifications: { smtpUrl?: string | undefined; smtpFrom: string; webhookUrl?: string | undefined };
  /** The scheduled access review. */
  review: { intervalMs: number; disableOrphans: boolean; reportTo: string[] };
  /**
   * Law 25 retention, in days (`undefined`: never): a closed account is deleted from its directory `accountDays`
   * after it was closed, and a grant's contact e-mail erased from the registry `contactDays` after it ended.
   */
  retention: { accountDays: number | undefined; contactDays: number | undefined };
  payloadEncryptionKeys?: string | undefined;
  databaseUrl?: string | undefined;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  /** `json` or `pretty`; unset → pretty on a terminal, JSON otherwise (decided by `main`, which owns stdout). */
  logFormat?: Env['LOG_FORMAT'];
}

/** Reads and checks the environment once. The only place that reads `process.env`. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(source);
  const ldap = PROVIDER_MODULES.ldap.environment.safeParse(source);
  const okta = PROVIDER_MODULES.okta.environment.safeParse(source);
  const entra = PROVIDER_MODULES.entra.environment.safeParse(source);
  if (!result.success || !ldap.success || !okta.success || !entra.success) {
    const issues = [result, ldap, okta, entra].flatMap((r) => r.error?.issues ?? []);
    const lines = issues.map((i) => `  ${i.path.length > 0 ? `${i.path.join('.')}: ` : ''}${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const env = result.data;
  const prefixIssue = accountPrefixIssue(env.ACCOUNT_PREFIX, {
    ldap: ldap.data,
    okta: okta.data,
    entra: entra.data,
  });
  if (prefixIssue) throw new ConfigError(`invalid configuration:\n  ACCOUNT_PREFIX: ${prefixIssue}`);
  const ids = (list: string | undefined) =>
    (list ?? '')
      .split(',')
      .map((g) => g.trim())
      .filter(Boolean);
  return {
    host: env.HOST,
    port: env.PORT,
    temporal: {
      address: env.TEMPORAL_ADDRESS,
      namespace: env.TEMPORAL_NAMESPACE,
      taskQueue: env.TEMPORAL_TASK_QUEUE,
    },
    apiTokens: env.API_TOKENS,
    ldap: ldap.data,
    okta: okta.data,
    entra: entra.data,
    embeddedLdap: !ldap.data && !okta.data && !entra.data,
    policy: {
      accountPrefix: env.ACCOUNT_PREFIX,
      maxGrantDays: env.MAX_GRANT_DAYS,
      reminderLeadMs: env.REMINDER_LEAD,
    },
    answerWithinMs: env.API_ANSWER_WITHIN,
    workerCachedGrants: env.WORKER_CACHED_GRANTS,
    workflowBundlePath: env.WORKFLOW_BUNDLE_PATH,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    codecCorsOrigins: env.CODEC_CORS_ORIGINS ? ids(env.CODEC_CORS_ORIGINS) : undefined,
    publicUrl: env.PUBLIC_URL,
    notifications: { smtpUrl: env.SMTP_URL, smtpFrom: env.SMTP_FROM, webhookUrl: env.WEBHOOK_URL },
    review: {
      intervalMs: env.REVIEW_INTERVAL,
      disableOrphans: env.REVIEW_DISABLE_ORPHANS,
      reportTo: ids(env.REVIEW_REPORT_TO),
    },
    retention: { accountDays: env.ACCOUNT_RETENTION_DAYS, contactDays: env.CONTACT_RETENTION_DAYS },
    payloadEncryptionKeys: env.PAYLOAD_ENCRYPTION_KEYS,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
  };
}

/**
 * Why ACCOUNT_PREFIX does not fit an enabled provider, if it does not: an account name cut to the provider's
 * limit keeps the whole prefix (the access review finds supplier accounts by it) and a 64-bit hash.
 */
function accountPrefixIssue(
  prefix: string,
  settings: { [N in ProviderName]?: ProviderSettings[N] | undefined },
): string | undefined {
  for (const name of PROVIDER_NAMES) {
    const own = settings[name];
    if (!own) continue;
    const limit = moduleOf(name).usernameLimit(own);
    if (prefix.length + NAME_HASH_LENGTH > limit) {
      return (
        `must be at most ${limit - NAME_HASH_LENGTH} characters with ${name}, whose account names hold ` +
        `${limit}: a name cut to fit keeps the prefix and ${NAME_HASH_LENGTH} characters of hash`
      );
    }
  }
  return undefined;
}

/** What the `supplier-access` CLI takes from its environment; its flags win over these. */
export interface CliEnvironment {
  /** `SUPPLIER_ACCESS_URL`: the API's base URL. */
  apiUrl?: string | undefined;
  /** `SUPPLIER_ACCESS_TOKEN`: the bearer token. */
  token?: string | undefined;
}

/** Reads the CLI's two variables as they are; the CLI checks them where it uses them. */
export function loadCliEnvironment(source: NodeJS.ProcessEnv = process.env): CliEnvironment {
  return { apiUrl: source.SUPPLIER_ACCESS_URL, token: source.SUPPLIER_ACCESS_TOKEN };
}
