/**
 * The request schemas of the shared-account routes (docs/api.md, "Shared accounts"): strict bodies, rules named
 * per field. A lend is asked for like a grant: the same supplier reference, expiry rules and reason.
 */
import { z } from 'zod';
import type { ProviderName } from '../../domain/account.js';
import {
  durationDays,
  email,
  endingUntil,
  instant,
  paging,
  providerRule,
  supplierByName,
  supplierIdField,
  text,
  type GrantPolicy,
} from './schemas.js';

/** The longest rotation interval: ten years, beyond which "rotate on schedule" means nothing. */
export const MAX_ROTATION_INTERVAL_DAYS = 3650;

const label = text(128).meta({
  description: 'What the account is for, in the custodian\'s words ("Website admin").',
});
const custodian = z
  .strictObject({
    name: text(128).meta({ description: "The custodian's API token name: who may claim the password." }),
    email: email.optional().meta({ description: 'Where the custodian is told that a new password waits.' }),
  })
  .meta({
    description: 'The internal person who owns the account and gets its password back after each rotation.',
  });
const rotationIntervalDays = z
  .number('must be a number of days')
  .int('must be a whole number of days')
  .min(1, 'must be at least 1')
  .max(MAX_ROTATION_INTERVAL_DAYS, `must be at most ${MAX_ROTATION_INTERVAL_DAYS}`)
  .meta({ description: 'Rotate the password this often while the account is not lent.' });

/** `POST /v1/shared-accounts`. */
export function createSharedAccountSchema(providers: readonly ProviderName[]) {
  const providerNames = [...providers] as [ProviderName, ...ProviderName[]];
  return z.strictObject({
    provider: z.enum(providerNames, { error: providerRule(providers) }),
    account: text(512).meta({
      description:
        'The existing account: an LDAP/AD DN; an Okta user id or login; an Entra user id or userPrincipalName.',
    }),
    label,
    custodian,
    rotationIntervalDays: rotationIntervalDays.optional(),
  });
}

export type CreateSharedAccountBody = z.output<ReturnType<typeof createSharedAccountSchema>>;

/** `PATCH /v1/shared-accounts/{id}`: absent leaves alone, `null` clears the rotation interval. */
export const patchSharedAccountSchema = z
  .strictObject({
    label: label.optional(),
    custodian: custodian.optional(),
    rotationIntervalDays: rotationIntervalDays.nullable().optional(),
  })
  .superRefine((body, ctx) => {
    if (Object.values(body).every((v) => v === undefined))
      ctx.addIssue({ code: 'custom', path: [], message: 'must change at least one field' });
  });

export type PatchSharedAccountBody = z.output<typeof patchSharedAccountSchema>;

/** `POST /v1/shared-accounts/{id}/lends`: a grant request's supplier, expiry and reason; `until` is its expiry. */
export function lendSchema(policy: GrantPolicy, now: () => number) {
  return endingUntil(
    z.strictObject({
      supplierId: supplierIdField,
      supplier: supplierByName,
      until: instant.optional().meta({ description: 'When the lend ends. Give this or `durationDays`.' }),
      durationDays: durationDays(policy),
      reason: text(500, { lines: true }),
      ticket: text(100).optional(),
    }),
    policy,
    now,
  );
}

export type LendBody = z.output<ReturnType<typeof lendSchema>>;

export const sharedAccountIdSchema = z.uuid('must be a shared account id (a UUID)');

/** The path of the routes that work on one shared account. */
export const sharedAccountParams = z.object({
  id: sharedAccountIdSchema.meta({ description: 'The shared account id.' }),
});

/** `GET /v1/shared-accounts`. */
export function listSharedAccountsQuerySchema(providers: readonly ProviderName[]) {
  const providerNames = [...providers] as [ProviderName, ...ProviderName[]];
  return z.strictObject({
    provider: z.enum(providerNames, { error: `must be one of: ${providers.join(', ')}` }).optional(),
    ...paging,
  });
}

/** Descriptions of the `GET /v1/shared-accounts` query parameters. */
export const SHARED_ACCOUNT_QUERY_DESCRIPTIONS: Record<string, string> = {
  provider: 'Only the shared accounts of this provider.',
  limit: 'At most this many shared accounts on the page.',
  cursor: 'The `nextCursor` of the previous page.',
};
