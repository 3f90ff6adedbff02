/**
 * What the request schemas cannot say as JSON Schema, for the routes to declare: example bodies, the rules
 * refinements check in code, and what each registry filter does.
 */
import type { JsonObject, QueryOptions } from './json-schema.js';
import { GRANT_STATUSES } from '../../domain/status.js';
import { DOOR_KINDS } from '../../domain/shared-account.js';
import type { GrantPolicy } from './schemas.js';

const DAY = 86_400_000;

/** Example bodies shown in the document; the tests check that the zod schemas accept them. */
export function exampleBodies(policy: GrantPolicy, now = Date.now()) {
  return {
    create: {
      provider: policy.providers[0],
      supplier: { organisation: 'Acme Printers Ltd', contactEmail: 'support@acme.example' },
      durationDays: Math.min(7, policy.maxGrantDays),
      reason: 'printer maintenance',
      ticket: 'CHG-1234',
    },
    // The next midnight UTC: less than a day away, so valid under any MAX_GRANT_DAYS.
    extension: {
      expiresAt: new Date((Math.floor(now / DAY) + 1) * DAY).toISOString(),
      reason: 'the job overran',
    },
    reason: { reason: 'the work is finished' },
    // The same midnight: earlier than the expiry of most grants; a later one is refused naming `expiresAt`.
    shorten: {
      expiresAt: new Date((Math.floor(now / DAY) + 1) * DAY).toISOString(),
      reason: 'the supplier contract ends sooner',
    },
  };
}

/**
 * What `createGrantSchema` checks in code (its superRefine), in words, plus the one rule JSON Schema states
 * exactly: `oneOf` two `required` lists is "exactly one of expiresAt and durationDays".
 */
export function createRules(policy: GrantPolicy): JsonObject {
  return {
    description:
      'Exactly one of `supplierId` and `supplier`. Exactly one of `expiresAt` and `durationDays`; ' +
      '`expiresAt` must be in the future and at most ' +
      `MAX_GRANT_DAYS (${policy.maxGrantDays}) days away, and neither may reach past the supplier's contract ` +
      'end. `account` is accepted only by providers ' +
      'that have both guest and member accounts (Entra ID), and a `guest` needs `supplier.contactEmail`. ' +
      'Text is trimmed before its length is checked and must be well-formed Unicode without control ' +
      'characters (`reason` may hold tabs and line breaks); `supplier.organisation` must contain a letter ' +
      'or a digit, in any script (it is transliterated: Ø counts as O), since the account is named after ' +
      'it. Unknown fields are refused. `groups` are group DNs under LDAP_GROUPS_DN (LDAP), group ids (Okta) or group ' +
      'object ids (Entra); the provider checks each before creating anything, and one it does not have is a ' +
      '`400` naming `groups`.',
    oneOf: [{ required: ['expiresAt'] }, { required: ['durationDays'] }],
    // The second "exactly one": at least one of the two, and not both.
    anyOf: [{ required: ['supplierId'] }, { required: ['supplier'] }],
    not: { required: ['supplierId', 'supplier'] },
  };
}

/** Filter descriptions of `GET /v1/grants` and `GET /v1/registry.csv`. */
export const QUERY_DESCRIPTIONS: Record<string, string> = {
  status: 'Grants in any of these statuses.',
  provider: 'Grants in any of these providers.',
  supplierId: 'Grants of this supplier.',
  door: "`account`: accounts made for suppliers; `lend`: lends of shared accounts; `service`: credentials for suppliers' integrations.",
  sharedAccountId: 'The lends of this shared account.',
  organisation: 'Part of the organisation name, ignoring case and diacritics.',
  expiresBefore: 'Grants whose current expiry is strictly before this instant.',
  expiresAfter: 'Grants whose current expiry is at or after this instant.',
  activeAt: 'Grants whose account was usable at this instant: provisioned by then and not yet ended.',
  limit: 'At most this many grants on the page.',
  cursor: 'The `nextCursor` of the previous page.',
};

/** How the registry's query parameters are documented; the tests check the lists against the zod schema. */
export function registryFilters(policy: GrantPolicy, omit?: string[]): QueryOptions {
  return {
    descriptions: QUERY_DESCRIPTIONS,
    lists: { status: GRANT_STATUSES, provider: policy.providers, door: DOOR_KINDS },
    ...(omit ? { omit } : {}),
  };
}
