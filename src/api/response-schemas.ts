/**
 * What the API answers, as zod schemas: the routes declare them as their answers, the OpenAPI document
 * (`openapi.ts`) shows them and the CLI reads its types from them (cli/api-types.ts). They mirror `grantView`
 * (views.ts), `sendProblem` (problem.ts) and the health routes (health-routes.ts);
 * test/api/openapi.test.ts checks real answers against them.
 *
 * Schemas with an `id` in `.meta()` become `components.schemas` entries referenced by `$ref`.
 */
import { z } from 'zod';
import { PROVIDER_NAMES } from '../../domain/account.js';
import { inventoriedCredentialSchema } from './door-responses.js';
import { GRANT_EVENT_TYPES } from '../../domain/events.js';
import { REVIEW_ACTIONS, REVIEW_FINDINGS } from '../../domain/review.js';
import { GRANT_STATUSES } from '../../domain/status.js';
import { DOOR_KINDS } from '../../domain/shared-account.js';

/** Every instant the API sends is ISO-8601 in UTC (`…Z`). */
const instant = (description: string) => z.iso.datetime().meta({ description });

/** An unapproved request to move the expiry. */
export const pendingExtensionSchema = z
  .object({
    expiresAt: instant('The expiry asked for.'),
    reason: z.string().meta({ description: 'Why the supplier needs longer.' }),
    requestedBy: z.string().meta({ description: 'Who asked; they may not approve it themselves.' }),
    requestedAt: instant('When it was asked.'),
  })
  .meta({
    id: 'PendingExtension',
    description: 'An extension waiting for an approver other than the person who requested it.',
  });

/** One entry of a grant's trail. */
export const grantEventSchema = z
  .object({
    type: z.enum(GRANT_EVENT_TYPES).meta({ description: 'What happened.' }),
    at: instant('When it happened.'),
    actor: z.string().meta({
      description: 'Who did it: a token name, or `supplier-access` for what the service does by itself.',
    }),
    details: z
      .record(z.string(), z.string())
      .optional()
      .meta({ description: 'Event-specific facts, e.g. the new `expiresAt` or the `reason`.' }),
  })
  .meta({ id: 'GrantEvent', description: "One entry of a grant's event trail, oldest first." });

/** The grant as `grantView` renders it. */
export const grantSchema = z
  .object({
    id: z.uuid().meta({ description: 'The grant id.' }),
    provider: z.enum(PROVIDER_NAMES).meta({ description: 'The identity provider holding the account.' }),
    door: z.enum(DOOR_KINDS).meta({
      description:
        '`account`: an account made for the supplier; `lend`: a lend of a shared account, whose password is ' +
        'rotated before the hand-over and after the return.',
    }),
    sharedAccountId: z.uuid().optional().meta({
      description: 'For a lend: the shared account lent (`GET /v1/shared-accounts/{id}`).',
    }),
    supplierId: z.uuid().optional().meta({
      description: 'The registered supplier the grant is for (`GET /v1/suppliers/{id}`).',
    }),
    supplier: z
      .object({
        organisation: z.string().meta({ description: 'The supplier organisation as written.' }),
        contactEmail: z.email().optional().meta({ description: 'Where the supplier can be reached.' }),
      })
      .meta({ description: 'Who the access is for: an organisation, never a person.' }),
    account: z
      .object({
        username: z.string().meta({
          description: "Reserved for the supplier: prefix + its canonical key, never another supplier's.",
        }),
        externalId: z.string().nullable().meta({
          description: "The provider's own id (a DN, a user id); null until the account exists.",
        }),
        displayName: z.string().meta({ description: 'The organisation, marked as a supplier.' }),
      })
      .meta({ description: 'The account in the directory.' }),
    status: z.enum(GRANT_STATUSES).meta({
      description:
        'Where the grant is in its lifecycle. `expired` and `revoked` say the grant ended, not that its ' +
        'account is closed: see `closing` and `closedAt`.',
    }),
    expiresAt: instant(
      'The planned expiry: when the account is disabled and its credentials rotated. Once the grant has ended it ' +
        'stays as it was planned: a revoked grant never reached it (see `endedAt`), and the account closed at ' +
        '`closedAt`.',
    ),
    reason: z.string().meta({ description: 'Why the supplier needs access.' }),
    ticket: z.string().optional().meta({ description: 'The change or support ticket, when given.' }),
    groups: z.array(z.string()).optional().meta({ description: 'Groups the account joins; absent if none.' }),
    requestedBy: z.string().meta({ description: 'The token name that asked for the grant.' }),
    createdAt: instant('When the grant was requested.'),
    endedAt: instant(
      'When the grant ended: its expiry was reached, it was revoked, or provisioning failed.',
    ).optional(),
    ending: z
      .enum(['expired', 'revoked', 'failed'])
      .optional()
      .meta({ description: 'How the grant ended; absent while it has not. Shown with its event trail.' }),
    endedBy: z.string().optional().meta({
      description: 'Who ended it: the revoker, or `supplier-access` for an expiry or a failed provisioning.',
    }),
    endReason: z.string().optional().meta({
      description: "Why: the revoker's reason, the expiry that was reached, or the provider's refusal.",
    }),
    closedAt: instant(
      'When the account was disabled and its credentials rotated. Absent until both are done: an ended grant ' +
        'without it is still closing, and its account is still usable.',
    ).optional(),
    closing: z
      .boolean()
      .optional()
      .meta({
        description:
          'On `expired` and `revoked` grants: `true` while the account is not yet disabled and rotated (the ' +
          'directory is down and the service keeps trying) — the door is still open whatever the status says — ' +
          'and `false` once it is closed. Absent on live and failed grants.',
      }),
    pendingExtension: pendingExtensionSchema.optional(),
    failure: z
      .object({
        kind: z.string().meta({ description: 'The class of error, e.g. `provider-conflict`.' }),
        message: z.string().meta({ description: 'What the provider said.' }),
      })
      .optional()
      .meta({ description: 'Why provisioning failed; only on `failed` grants.' }),
    events: z
      .array(grantEventSchema)
      .optional()
      .meta({ description: 'The event trail; only in `GET /v1/grants/{id}`.' }),
  })
  .meta({
    id: 'Grant',
    description: 'A grant of expiring access. Instants are ISO-8601 UTC. Clients must ignore unknown fields.',
  });

/** The one-time credential of a password-based account. */
export const credentialSchema = z
  .object({
    username: z.string().meta({ description: 'The account name to sign in with.' }),
    password: z.string().meta({ description: 'The initial password; the directory asks for a new one.' }),
    firstSignIn: z
      .string()
      .optional()
      .meta({
        description:
          'What the supplier must do with the password first, where using it is not enough. Active Directory ' +
          'refuses it for LDAP sign-in until it is changed through a Windows sign-in or `kpasswd`; this says how.',
      }),
  })
  .meta({
    id: 'Credential',
    description: 'Shown in this response only and never stored by the service: hand it to the supplier now.',
  });

/** `201` of `POST /v1/grants` and `200` of `POST /v1/grants/{id}/credential`. */
export const createdGrantSchema = z
  .intersection(
    grantSchema,
    z.object({
      credential: credentialSchema
        .optional()
        .meta({ description: 'Absent where the supplier activates through the provider (e.g. guests).' }),
    }),
  )
  .meta({ id: 'CreatedGrant', description: 'A grant whose account exists, with its one-time credential.' });

/** Where a listing's next page starts. */
export const nextCursorSchema = z
  .string()
  .optional()
  .meta({ description: 'Pass as `cursor` for the next page; absent on the last page.' });

/** `GET /v1/grants`. */
export const grantPageSchema = z
  .object({
    grants: z.array(grantSchema).meta({ description: 'Newest first (by `createdAt`, then `id`).' }),
    nextCursor: nextCursorSchema,
  })
  .meta({ id: 'GrantPage', description: 'One page of the registry.' });

/** One failing field of a request. */
export const fieldErrorSchema = z
  .object({
    field: z.string().meta({ description: 'Dotted path of the field, e.g. `supplier.organisation`.' }),
    rule: z.string().meta({ description: 'The rule it broke, e.g. `unknown field`.' }),
  })
  .meta({ id: 'FieldError', description: 'A field of the request and the rule it broke.' });

/** The RFC 9457 body `sendProblem` writes. */
export const problemSchema = z
  .object({
    type: z.string().optional().meta({ description: 'Always `about:blank`: the status says it all.' }),
    title: z.string().meta({ description: 'The status in words, e.g. `Invalid request`.' }),
    status: z.int().min(100).max(599).meta({ description: 'The HTTP status code.' }),
    detail: z.string().meta({ description: 'What went wrong, for a person to read.' }),
    errors: z.array(fieldErrorSchema).optional().meta({ description: 'For `400`: every failing field.' }),
    grantId: z.uuid().optional().meta({ description: 'The grant concerned, when there is one.' }),
    liveGrantId: z.uuid().optional().meta({
      description: 'For `409` on creation: the live grant that already covers the account (extend it).',
    }),
    supplierId: z
      .uuid()
      .optional()
      .meta({
        description:
          'For `409` on creating a supplier: the registered supplier of the same legal name; on a new door for a ' +
          'blocked supplier: that supplier.',
      }),
    incidentId: z
      .uuid()
      .optional()
      .meta({
        description:
          'For `409` on a new door, or an extension, for a blocked supplier, and on opening a second incident for ' +
          'it: the incident whose block holds it.',
      }),
    sharedAccountId: z.uuid().optional().meta({
      description:
        'For `409` on registering a shared account: the shared account of the same directory account.',
    }),
    lendId: z.uuid().optional().meta({
      description:
        'For `409` on lending a shared account: the live lend that holds it (`GET /v1/grants/{id}`).',
    }),
    holder: z.string().optional().meta({
      description: 'For `409` on lending a shared account: the legal name of the supplier that holds it now.',
    }),
    until: z.iso.datetime().optional().meta({
      description: 'For `409` on lending a shared account: when the live lend ends, unless it is extended.',
    }),
  })
  .meta({ id: 'Problem', description: 'An RFC 9457 problem, sent as `application/problem+json`.' });

/** `GET /healthz`. */
export const healthSchema = z
  .object({ status: z.literal('ok') })
  .meta({ id: 'Health', description: 'The process is up.' });

/** `GET /readyz`. */
export const readinessSchema = z
  .object({
    status: z.enum(['ready', 'not-ready']),
    checks: z.record(z.string(), z.string().regex(/^(ok|down: .+)$/)).meta({
      description:
        'Each backing service by name (`temporal`, then each configured directory: `ldap`, `okta`, `entra`): `ok`, or `down: <why>`.',
    }),
  })
  .meta({
    id: 'Readiness',
    description:
      'Whether Temporal and every configured directory answer; `not-ready` (503) when one does not.',
  });

/** One supplier-convention account as a review found it (docs/lifecycle.md, the access review). */
export const reviewedAccountSchema = z
  .object({
    provider: z.enum(PROVIDER_NAMES),
    username: z.string(),
    externalId: z.string(),
    displayName: z.string(),
    enabled: z.boolean().describe('As found, before any correction.'),
    expiresAt: z.iso.datetime().optional().describe('The expiry the directory held, as found.'),
    coveredByGrant: z.boolean().describe('Whether a live grant covers the account.'),
    grantId: z.uuid().optional().describe('The latest grant for this account, if any.'),
    grantStatus: z.enum(GRANT_STATUSES).optional(),
    grantExpiresAt: z.iso.datetime().optional(),
    finding: z.enum(REVIEW_FINDINGS),
    action: z.enum(REVIEW_ACTIONS),
    error: z.string().optional().describe('Why a correction failed; the next review tries again.'),
  })
  .meta({ id: 'ReviewedAccount' });

/** The access review report. */
export const reviewReportSchema = z
  .object({
    id: z.uuid(),
    trigger: z.string().describe('`schedule`, or the admin who ran it.'),
    startedAt: z.iso.datetime(),
    finishedAt: z.iso.datetime().optional(),
    providers: z.array(
      z.object({
        provider: z.enum(PROVIDER_NAMES),
        accounts: z.number().int(),
        findings: z.partialRecord(z.enum(REVIEW_FINDINGS), z.number().int()),
        error: z.string().optional().describe('Set when the provider could not be listed.'),
        inventory: z
          .object({
            holders: z.number().int(),
            flagged: z.number().int(),
            error: z.string().optional().describe('Set when its service credentials could not be listed.'),
          })
          .optional()
          .describe(
            'Its non-human credentials: how many holders, how many flagged. Absent without an inventory.',
          ),
      }),
    ),
    accounts: z.array(reviewedAccountSchema),
    credentials: z
      .array(inventoriedCredentialSchema)
      .describe(
        'The inventory: every non-human credential holder found, flagged or not (ours carry `grantId`).',
      ),
  })
  .meta({
    id: 'ReviewReport',
    description:
      'The access review: every supplier-convention account in every provider, and whether a grant covers it.',
  });

/** `POST /v1/reviews` answered before the review finished. */
export const reviewRunningSchema = z
  .object({ id: z.uuid(), status: z.literal('running') })
  .meta({ id: 'ReviewRunning', description: 'The review goes on; its report will be at the Location.' });

/** Every schema that gets its own `components.schemas` entry, so `$ref`s to it resolve. */
export const RESPONSE_COMPONENTS = [
  grantSchema,
  grantEventSchema,
  pendingExtensionSchema,
  credentialSchema,
  createdGrantSchema,
  grantPageSchema,
  fieldErrorSchema,
  problemSchema,
  healthSchema,
  readinessSchema,
  reviewedAccountSchema,
  reviewReportSchema,
  reviewRunningSchema,
] as const;
