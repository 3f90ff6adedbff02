import { z } from 'zod';

/** Okta's rule for custom profile property names. */
const PROPERTY_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

const propertyName = z
  .string()
  .regex(PROPERTY_NAME, 'must be letters, digits and underscores, not starting with a digit');

/**
 * Okta logins must look like e-mail addresses, and 64 characters is the longest local part an address may
 * have (RFC 5321); the login (`<username>@<loginDomain>`) must also fit Okta's 100 characters.
 */
const MAX_USERNAME_LENGTH = 64;
const OKTA_LOGIN_MAX = 100;

/** The longest account name whose login fits with this login domain. */
export function oktaUsernameLimit(loginDomain: string): number {
  return Math.min(MAX_USERNAME_LENGTH, OKTA_LOGIN_MAX - 1 - loginDomain.length);
}

/** The Okta provider's settings, checked once when the provider is created. */
export const oktaConfigSchema = z
  .object({
    /** `https://<org>.okta.com` (any http(s) URL, so a local fake can stand in). */
    orgUrl: z
      .url({ protocol: /^https?$/, error: 'must be an http(s) URL' })
      // The SDK appends paths to it.
      .transform((url) => url.replace(/\/+$/, '')),
    /** An SSWS API token; it acts with the rights of the admin who created it. */
    apiToken: z.string().min(1),
    /**
     * Logins are `<username>@<loginDomain>`. Okta logins have at most 100 characters, so the domain may take
     * at most 79 and leave 20 for the account name (the AD minimum).
     */
    loginDomain: z
      .string()
      .max(79)
      .regex(/^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/, {
        error: 'must be a domain name such as suppliers.example.com',
      }),
    /** Group ids every supplier account joins, besides those of its grant. */
    groups: z.array(z.string().min(1)).default([]),
    /** The custom profile attribute that holds the expiry (created in the user schema when missing). */
    expiryAttribute: propertyName.default('supplierAccessExpiresAt'),
    /** The custom profile attribute that names the grant owning the account. */
    grantAttribute: propertyName.default('supplierAccessGrantId'),
    rateLimit: z
      .object({
        /**
         * Requests per window in each of Okta's endpoint buckets: our share of the org's budget (Okta publishes
         * 600 a minute for creating and updating users on most plans). A lower `X-Rate-Limit-Limit` wins.
         */
        requestsPerMinute: z.number().int().positive().default(600),
        /** Requests in flight at once, over all buckets (Okta allows 75 per org on most plans). */
        maxConcurrent: z.number().int().positive().default(20),
        /** Okta counts in one-minute windows; tests and benchmarks shrink the window to run faster. */
        windowMs: z.number().int().positive().default(60_000),
      })
      .prefault({}),
  })
  .refine((c) => c.expiryAttribute !== c.grantAttribute, {
    error: 'expiryAttribute and grantAttribute must differ',
    path: ['grantAttribute'],
  });

/** What callers pass: everything but the org URL, token and login domain may be left out. */
export type OktaConfig = z.input<typeof oktaConfigSchema>;

/** The settings with every default applied and the org URL without a trailing slash. */
export type ResolvedOktaConfig = z.output<typeof oktaConfigSchema>;

/** Validates the settings (throws a ZodError naming the bad fields, never their values) and fills in defaults. */
export const resolveOktaConfig = (config: OktaConfig): ResolvedOktaConfig => oktaConfigSchema.parse(config);
