import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { ProviderName } from '../domain/account.js';
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

/** An empty variable (`SMTP_URL=`) means unset, as in most shells' env files. */
const blankAsUnset = <S extends z.ZodType>(schema: S) =>
  z.preprocess((v) => (typeof v === 'string' && v.trim() === '' ? undefined : v), schema);

const optionalString = z
  .string()
  .optional()
  .transform((v) => (v === undefined || v.trim() === '' ? undefined : v));

/** The variables that enable each provider: all of them set, or none. */
export const PROVIDER_VARIABLES = {
  ldap: ['LDAP_URL', 'LDAP_BIND_DN', 'LDAP_BIND_PASSWORD', 'LDAP_USERS_DN'],
  okta: ['OKTA_ORG_URL', 'OKTA_API_TOKEN', 'OKTA_LOGIN_DOMAIN'],
  entra: ['GRAPH_TENANT_ID', 'GRAPH_CLIENT_ID', 'GRAPH_CLIENT_SECRET'],
} as const satisfies Record<ProviderName, readonly string[]>;

/** The environment variables of DESIGN.md, checked once at start. */
export const envSchema = z.object({
  HOST: z.string().default('127.0.0.1'),
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  TEMPORAL_ADDRESS: optionalString,
  TEMPORAL_NAMESPACE: z.string().default('default'),
  TEMPORAL_TASK_QUEUE: z.string().default('supplier-access'),
  API_TOKENS: tokens.optional(),
  LDAP_URL: optionalString,
  LDAP_BIND_DN: optionalString,
  LDAP_BIND_PASSWORD: optionalString,
  LDAP_USERS_DN: optionalString,
  LDAP_GROUPS_DN: optionalString,
  LDAP_DIALECT: z.enum(['openldap', 'ad']).default('openldap'),
  LDAP_CA_FILE: optionalString.refine(
    (file) => file === undefined || existsSync(file),
    'must name a PEM file that exists',
  ),
  OKTA_ORG_URL: optionalString,
  OKTA_API_TOKEN: optionalString,
  OKTA_LOGIN_DOMAIN: optionalString,
  OKTA_GROUP_IDS: optionalString,
  GRAPH_TENANT_ID: optionalString,
  GRAPH_CLIENT_ID: optionalString,
  GRAPH_CLIENT_SECRET: optionalString,
  GRAPH_UPN_DOMAIN: optionalString,
  GRAPH_BASE_URL: optionalString,
  GRAPH_AUTHORITY_URL: optionalString,
  GRAPH_GROUP_IDS: optionalString,
  GRAPH_INVITE_REDIRECT_URL: optionalString,
  ACCOUNT_PREFIX: z
    .string()
    .regex(/^[a-z0-9-]{0,10}$/, 'must be at most 10 characters among a-z, 0-9 and -')
    .default('sup-'),
  MAX_GRANT_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  REMINDER_LEAD: z
    .string()
    .default('7d,1d')
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
  REVIEW_REPORT_TO: optionalString,
  REVIEW_DISABLE_ORPHANS: z
    .enum(['true', 'false'])
    .default('false')
    .transform((v) => v === 'true'),
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

export interface LdapSettings {
  url: string;
  bindDN: string;
  bindPassword: string;
  usersDN: string;
  groupsDN?: string | undefined;
  dialect: 'openldap' | 'ad';
  /** PEM file of the CAs trusted for `ldaps://` (only these, when set). */
  caFile?: string | undefined;
}

export interface OktaSettings {
  orgUrl: string;
  apiToken: string;
  loginDomain: string;
  /** Group ids every supplier account joins, besides those of the grant. */
  groups: string[];
}

export interface EntraSettings {
  tenantId: string;
  clientId: string;
  clientSecret: string;
  upnDomain?: string | undefined;
  baseUrl?: string | undefined;
  authorityUrl?: string | undefined;
  groups: string[];
  inviteRedirectUrl?: string | undefined;
}

/** The typed configuration the rest of the service reads. */
export interface Config {
  host: string;
  port: number;
  temporal: { address?: string | undefined; namespace: string; taskQueue: string };
  apiTokens?: ApiToken[] | undefined;
  ldap?: LdapSettings | undefined;
  okta?: OktaSettings | undefined;
  entra?: EntraSettings | undefined;
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
  /** Where reminders and review summaries go; neither set → none are sent. */
  notifications: { smtpUrl?: string | undefined; smtpFrom: string; webhookUrl?: string | undefined };
  /** The scheduled access review. */
  review: { intervalMs: number; disableOrphans: boolean; reportTo: string[] };
  payloadEncryptionKeys?: string | undefined;
  databaseUrl?: string | undefined;
  dataDir: string;
  logLevel: Env['LOG_LEVEL'];
  /** `json` or `pretty`; unset → pretty on a terminal, JSON otherwise (decided by `main`, which owns stdout). */
  logFormat?: Env['LOG_FORMAT'];
}

function group(env: Env, names: readonly (keyof Env)[], label: string): boolean {
  const set = names.filter((n) => env[n] !== undefined);
  if (set.length === 0) return false;
  if (set.length < names.length) {
    const missing = names.filter((n) => env[n] === undefined);
    throw new ConfigError(`${label}: ${missing.join(', ')} must be set too (got ${set.join(', ')})`);
  }
  return true;
}

/** Reads and checks the environment once. The only place that reads `process.env`. */
export function loadConfig(source: NodeJS.ProcessEnv = process.env): Config {
  const result = envSchema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const env = result.data;
  const ldapSet = group(env, PROVIDER_VARIABLES.ldap, 'LDAP');
  if (ldapSet && env.LDAP_DIALECT === 'ad' && !env.LDAP_URL?.startsWith('ldaps://')) {
    // AD takes passwords (unicodePwd) over TLS only, and refuses or exposes simple binds on plain LDAP.
    throw new ConfigError(
      'invalid configuration:\n  LDAP_URL: must be ldaps://host[:port] when LDAP_DIALECT=ad',
    );
  }
  const oktaSet = group(env, PROVIDER_VARIABLES.okta, 'Okta');
  const graphSet = group(env, PROVIDER_VARIABLES.entra, 'Entra');
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
    ldap: ldapSet
      ? {
          url: env.LDAP_URL as string,
          bindDN: env.LDAP_BIND_DN as string,
          bindPassword: env.LDAP_BIND_PASSWORD as string,
          usersDN: env.LDAP_USERS_DN as string,
          groupsDN: env.LDAP_GROUPS_DN,
          dialect: env.LDAP_DIALECT,
          caFile: env.LDAP_CA_FILE,
        }
      : undefined,
    okta: oktaSet
      ? {
          orgUrl: env.OKTA_ORG_URL as string,
          apiToken: env.OKTA_API_TOKEN as string,
          loginDomain: env.OKTA_LOGIN_DOMAIN as string,
          groups: ids(env.OKTA_GROUP_IDS),
        }
      : undefined,
    entra: graphSet
      ? {
          tenantId: env.GRAPH_TENANT_ID as string,
          clientId: env.GRAPH_CLIENT_ID as string,
          clientSecret: env.GRAPH_CLIENT_SECRET as string,
          upnDomain: env.GRAPH_UPN_DOMAIN,
          baseUrl: env.GRAPH_BASE_URL,
          authorityUrl: env.GRAPH_AUTHORITY_URL,
          groups: ids(env.GRAPH_GROUP_IDS),
          inviteRedirectUrl: env.GRAPH_INVITE_REDIRECT_URL,
        }
      : undefined,
    embeddedLdap: !ldapSet && !oktaSet && !graphSet,
    policy: {
      accountPrefix: env.ACCOUNT_PREFIX,
      maxGrantDays: env.MAX_GRANT_DAYS,
      reminderLeadMs: env.REMINDER_LEAD,
    },
    answerWithinMs: env.API_ANSWER_WITHIN,
    workerCachedGrants: env.WORKER_CACHED_GRANTS,
    rateLimitPerMinute: env.RATE_LIMIT_PER_MINUTE,
    codecCorsOrigins: env.CODEC_CORS_ORIGINS ? ids(env.CODEC_CORS_ORIGINS) : undefined,
    notifications: { smtpUrl: env.SMTP_URL, smtpFrom: env.SMTP_FROM, webhookUrl: env.WEBHOOK_URL },
    review: {
      intervalMs: env.REVIEW_INTERVAL,
      disableOrphans: env.REVIEW_DISABLE_ORPHANS,
      reportTo: ids(env.REVIEW_REPORT_TO),
    },
    payloadEncryptionKeys: env.PAYLOAD_ENCRYPTION_KEYS,
    databaseUrl: env.DATABASE_URL,
    dataDir: env.DATA_DIR,
    logLevel: env.LOG_LEVEL,
    logFormat: env.LOG_FORMAT,
  };
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
