import { z } from 'zod';

/** An Entra object id (users, groups, tenants, app registrations are GUIDs). */
const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const guid = z.string().regex(GUID, 'must be a GUID');

/** A DNS name such as suppliers.example.com (no scheme, no port). */
const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/;

/** An https URL without path, query or fragment: what `baseUrl` and `authorityUrl` must be. */
const httpsOrigin = z
  .url({ protocol: /^https$/, error: 'must be an https URL' })
  .refine((value) => ['', '/'].includes(new URL(value).pathname) && !/[?#]/.test(value), {
    error: 'must be a bare origin such as https://graph.microsoft.com (no path: the client adds /v1.0)',
  })
  .transform((url) => url.replace(/\/+$/, ''));

/**
 * Account names are the users' mailNickname, which Entra limits to 64 characters, as it does a UPN's local part.
 */
export const ENTRA_USERNAME_LIMIT = 64;

/** Which `onPremisesExtensionAttributes.extensionAttributeN` holds a marker: 1 to 15. */
const extensionAttribute = z.number().int().min(1).max(15);

/** The Entra ID provider's settings, checked once when the provider is created. */
export const entraConfigSchema = z
  .object({
    /** The directory (tenant) id of the app registration. */
    tenantId: z.string().min(1),
    /** The application (client) id of the app registration. */
    clientId: z.string().min(1),
    /** A client secret of the app registration (its value, not its id). */
    clientSecret: z.string().min(1),
    /**
     * Member accounts are `<username>@<upnDomain>`; a verified domain of the tenant. Without it, only guest
     * accounts can be made. At most 48 characters: Entra allows 113 for a UPN and the name takes up to 64.
     */
    upnDomain: z
      .string()
      .max(48)
      .regex(DOMAIN, 'must be a domain name such as suppliers.example.com')
      .optional(),
    /** Microsoft Graph's origin; the client appends `/v1.0`. A national cloud's Graph, or a test fake. */
    baseUrl: httpsOrigin.default('https://graph.microsoft.com'),
    /** The Entra ID authority host the client-credentials token is requested from. */
    authorityUrl: httpsOrigin.default('https://login.microsoftonline.com'),
    /** Group object ids every supplier account joins, besides those of its grant. */
    groups: z.array(guid).default([]),
    /** Where a guest lands after redeeming the invitation. */
    inviteRedirectUrl: z.url({ protocol: /^https?$/ }).default('https://myapplications.microsoft.com'),
    /**
     * The `onPremisesExtensionAttributes` that carry our markers (writable for cloud-only users). Change them
     * when the tenant already uses 14 and 15 (they are Exchange's custom attributes too).
     */
    extensionAttributes: z
      .object({
        /** Holds the grant id that owns the account. */
        grantId: extensionAttribute.default(14),
        /** Holds the expiry, ISO-8601 UTC. */
        expiresAt: extensionAttribute.default(15),
      })
      .prefault({})
      .refine((a) => a.grantId !== a.expiresAt, {
        error: 'grantId and expiresAt must use different extension attributes',
        path: ['expiresAt'],
      }),
    /**
     * Also write the expiry to `employeeLeaveDateTime`, so an Entra ID Governance lifecycle workflow can act on it
     * in the directory itself. Needs the extra permission User-LifeCycleInfo.ReadWrite.All.
     */
    mirrorExpiryToEmployeeLeaveDateTime: z.boolean().default(false),
    rateLimit: z
      .object({
        /**
         * Requests started per second by this provider instance (one per worker process): our share of the
         * tenant's Graph budget (identity and access: thousands per 10 s per app and tenant).
         */
        requestsPerSecond: z.number().positive().default(20),
        /** Requests in flight at once. */
        maxConcurrent: z.number().int().positive().default(8),
      })
      .prefault({}),
  })
  .refine((c) => !c.groups.some((g, i) => c.groups.indexOf(g) !== i), {
    error: 'groups must not repeat',
    path: ['groups'],
  });

/** What callers pass: everything but the tenant, client id and secret may be left out. */
export type EntraConfig = z.input<typeof entraConfigSchema>;

/** The settings with every default applied, and the origins without a trailing slash. */
export type ResolvedEntraConfig = z.output<typeof entraConfigSchema>;

/** Validates the settings (throws a ZodError naming the bad fields, never their values) and fills in defaults. */
export const resolveEntraConfig = (config: EntraConfig): ResolvedEntraConfig =>
  entraConfigSchema.parse(config);

/** True for an Entra object id (a GUID). */
export function isGuid(value: string): boolean {
  return GUID.test(value);
}
