/** What the shared-account routes answer, as zod schemas (see response-schemas.ts); they mirror views.ts. */
import { z } from 'zod';
import { PROVIDER_NAMES } from '../../domain/account.js';
import { ROTATION_REASONS, SHARED_ACCOUNT_EVENT_TYPES } from '../../domain/shared-account.js';
import { credentialSchema, grantSchema, nextCursorSchema } from './response-schemas.js';

const instant = (description: string) => z.iso.datetime().meta({ description });

/** The shared account as `sharedAccountView` renders it; never a password. */
export const sharedAccountSchema = z
  .object({
    id: z.uuid().meta({ description: 'The shared account id.' }),
    provider: z.enum(PROVIDER_NAMES).meta({ description: 'The identity provider holding the account.' }),
    account: z
      .object({
        username: z.string(),
        externalId: z.string().meta({ description: 'The DN (LDAP/AD) or user id (Okta, Entra).' }),
        displayName: z.string(),
      })
      .meta({ description: 'The existing account in its directory, as found when it was registered.' }),
    label: z.string().meta({ description: 'What the account is for.' }),
    custodian: z.object({ name: z.string(), email: z.email().optional() }).meta({
      description: 'Who owns the account: the token name that may claim its password, and an e-mail.',
    }),
    rotationIntervalDays: z.int().optional().meta({
      description: 'Rotated this often while not lent; absent: only around lends (and on demand).',
    }),
    lastRotatedAt: instant('When the directory last took a new password from the service.').optional(),
    credentialWaiting: z.boolean().meta({
      description:
        'Whether a new password waits for the custodian (`POST /v1/shared-accounts/{id}/credential`). The ' +
        'password itself is never shown here.',
    }),
    credentialWaitingSince: instant('Since when that password waits.').optional(),
    createdBy: z.string().meta({ description: 'The admin who registered it.' }),
    createdAt: instant('When it was registered.'),
    updatedAt: instant('When it last changed.'),
  })
  .meta({
    id: 'SharedAccount',
    description: 'An existing account lent to suppliers. Clients must ignore unknown fields.',
  });

/** One entry of a shared account's own trail. */
export const sharedAccountEventSchema = z
  .object({
    type: z.enum(SHARED_ACCOUNT_EVENT_TYPES).meta({ description: 'What happened.' }),
    at: instant('When it happened.'),
    actor: z.string().meta({ description: 'Who did it: a token name, or `supplier-access`.' }),
    details: z
      .record(z.string(), z.string())
      .optional()
      .meta({
        description: `For \`rotated\`: \`reason\` (${ROTATION_REASONS.join(', ')}) and the \`lendId\` that caused it.`,
      }),
  })
  .meta({ id: 'SharedAccountEvent', description: "One entry of a shared account's trail, oldest first." });

/** `GET /v1/shared-accounts/{id}`. */
export const sharedAccountDetailSchema = z
  .intersection(
    sharedAccountSchema,
    z.object({
      liveLend: grantSchema.optional().meta({ description: 'The lend that holds the account now, if any.' }),
      lends: z.array(grantSchema).meta({ description: 'The most recent lends, newest first.' }),
      events: z
        .array(sharedAccountEventSchema)
        .meta({ description: "The account's own trail, oldest first." }),
    }),
  )
  .meta({
    id: 'SharedAccountDetail',
    description: 'A shared account with its live lend, recent lends and trail.',
  });

/** `GET /v1/shared-accounts`. */
export const sharedAccountPageSchema = z
  .object({
    sharedAccounts: z.array(sharedAccountSchema).meta({ description: 'Newest first.' }),
    nextCursor: nextCursorSchema,
  })
  .meta({ id: 'SharedAccountPage', description: 'One page of shared accounts.' });

/** `GET /v1/shared-accounts/{id}/lends`. */
export const lendListSchema = z
  .object({ lends: z.array(grantSchema).meta({ description: 'Newest first.' }) })
  .meta({
    id: 'LendList',
    description: 'The lends of a shared account; each is a grant of the `lend` door.',
  });

/** `POST /v1/shared-accounts/{id}/credential`. */
export const custodianCredentialSchema = z
  .object({
    sharedAccountId: z.uuid(),
    credential: credentialSchema,
    rotatedAt: instant('When the directory took this password.'),
  })
  .meta({
    id: 'CustodianCredential',
    description:
      'The password waiting for the custodian, shown in this response only: it is gone afterwards.',
  });

/** The shared-account schemas with a `components.schemas` entry of their own. */
export const SHARED_ACCOUNT_COMPONENTS = [
  sharedAccountSchema,
  sharedAccountEventSchema,
  sharedAccountDetailSchema,
  sharedAccountPageSchema,
  lendListSchema,
  custodianCredentialSchema,
] as const;
