import { z } from 'zod';
import { hasNameCharacter } from '../../domain/naming.js';
import type { ProviderName } from '../../domain/account.js';
import { GRANT_STATUSES } from '../../domain/status.js';
import { DOOR_KINDS } from '../../domain/shared-account.js';
import { PROVIDER_VARIABLES } from '../config.js';
import { ruleForPresent } from './problem.js';

export const DAY_MS = 86_400_000;

/** Instants: ISO-8601 with `Z` or an explicit offset; normalised to UTC. */
export const instant = z.iso.datetime({
  offset: true,
  error: ruleForPresent('must be an ISO-8601 instant with Z or an offset'),
});

/**
 * Control characters and lone surrogates: a PostgreSQL registry refuses NUL (a 500, or a grant stuck before it is
 * recorded), and a directory or registry stores a lone surrogate as U+FFFD, not as sent.
 */
const LONE_SURROGATE = /\p{Cs}/u;
const CONTROL = /\p{Cc}/u;
const CONTROL_BUT_LINE_BREAKS = /(?![\t\n\r])\p{Cc}/u;

/** Trimmed text of 1 to `max` characters; `lines` allows tabs and line breaks (free text such as a reason). */
export const text = (max: number, { lines = false } = {}) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((v) => !LONE_SURROGATE.test(v), 'must be well-formed Unicode (no lone surrogate)')
    .refine(
      (v) => !(lines ? CONTROL_BUT_LINE_BREAKS : CONTROL).test(v),
      lines
        ? 'must not contain control characters other than tabs and line breaks'
        : 'must not contain control characters (NUL, line breaks…)',
    );

/** An e-mail address, as the API accepts one. */
export const email = z.email('must be an e-mail address').max(254, 'must be at most 254 characters');

/** A supplier's id in a path or a body. */
export const supplierIdSchema = z.uuid('must be a supplier id (a UUID)');

/** `supplierId` in a request for a supplier: the other way to name it than `supplier` (`checkSupplierReference`). */
export const supplierIdField = supplierIdSchema
  .optional()
  .meta({ description: 'A registered supplier. Give this or `supplier`.' });

/** What a grant request must say of its supplier. */
export const SUPPLIER_RULE = 'give exactly one of supplierId and supplier';

/** A listing's page: how many (1–500, 100 by default), and where to resume (the `next` cursor of the last page). */
export const paging = {
  limit: z.coerce
    .number('must be a number')
    .int('must be a whole number')
    .min(1, 'must be at least 1')
    .max(500, 'must be at most 500')
    .default(100),
  cursor: z.string().max(512, 'must be at most 512 characters').optional(),
};

/** What an organisation needs for an account to be named after it. */
export const ORGANISATION_RULE =
  'must contain a letter or a digit (in any script: it is transliterated, Ø counts as O)';

/** The supplier of a grant request: a registered one by id, or one by name (found or created). */
export const supplierByName = z
  .strictObject({
    // The account is named after it (docs/architecture.md): a letter of any script counts, transliterated.
    organisation: text(128).refine(hasNameCharacter, ORGANISATION_RULE),
    contactEmail: email.optional(),
  })
  .optional()
  .meta({
    description:
      'The supplier by name, as before suppliers were records: the registered supplier of the same legal ' +
      'name (any spelling), or a new one. Give this or `supplierId`.',
  });

/** Neither: `supplier` is required, as it was before suppliers were records. Both: which one is meant? */
export function checkSupplierReference(
  ctx: z.RefinementCtx,
  body: { supplier?: unknown; supplierId?: unknown },
): void {
  if (body.supplier === undefined && body.supplierId === undefined)
    ctx.addIssue({ code: 'custom', path: ['supplier'], message: 'is required' });
  if (body.supplier !== undefined && body.supplierId !== undefined)
    ctx.addIssue({ code: 'custom', path: ['supplierId'], message: SUPPLIER_RULE });
}

/** Providers that have both guest and member accounts; elsewhere `account` is refused. */
const KINDED_PROVIDERS: ProviderName[] = ['entra'];

export interface GrantPolicy {
  providers: ProviderName[];
  maxGrantDays: number;
}

/** `durationDays`: a request's end as whole days from now, the other way to give it than an instant. */
export function durationDays(policy: GrantPolicy) {
  return z
    .number('must be a number of days')
    .int('must be a whole number of days')
    .min(1, 'must be at least 1')
    .max(policy.maxGrantDays, `must be at most MAX_GRANT_DAYS (${policy.maxGrantDays})`)
    .optional();
}

/** `POST /v1/grants`: shape and rules of docs/api.md; unknown fields are refused. */
export function createGrantSchema(policy: GrantPolicy, now: () => number) {
  const providerNames = policy.providers as [ProviderName, ...ProviderName[]];
  return z
    .strictObject({
      provider: z.enum(providerNames, { error: providerRule(policy.providers) }),
      supplier: supplierByName,
      supplierId: supplierIdField,
      expiresAt: instant.optional(),
      durationDays: durationDays(policy),
      reason: text(500, { lines: true }),
      ticket: text(100).optional(),
      groups: z.array(text(256)).max(20, 'must list at most 20 groups').optional(),
      account: z.enum(['guest', 'member'], { error: 'must be guest or member' }).optional(),
      kind: z
        .enum(GRANT_KINDS, { error: `must be one of: ${GRANT_KINDS.join(', ')}` })
        .optional()
        .meta({
          description:
            "What the grant opens: `account` (the default) an account for the supplier's people; `service` a " +
            "credential for the supplier's integration (an Entra application secret, an Okta service app, an " +
            'LDAP/AD service account), handed out once like a password.',
        }),
    })
    .superRefine((body, ctx) => {
      checkSupplierReference(ctx, body);
      const end = { at: body.expiresAt, durationDays: body.durationDays };
      if (!checkEnd(ctx, 'expiresAt', end, policy, now())) return;
      if (body.kind === 'service') checkServiceRequest(ctx, body);
      else if (body.account !== undefined && !KINDED_PROVIDERS.includes(body.provider)) {
        ctx.addIssue({
          code: 'custom',
          path: ['account'],
          message: `${body.provider} has only one kind of account`,
        });
      }
      // With `supplierId`, the contact is the registered supplier's: GrantService checks it there.
      if (body.account === 'guest' && body.supplier && !body.supplier.contactEmail) {
        ctx.addIssue({
          code: 'custom',
          path: ['supplier', 'contactEmail'],
          message: 'a guest is invited by e-mail: give the supplier contact e-mail',
        });
      }
    })
    .transform((body) => ({
      ...body,
      expiresAt: endOf(body.expiresAt, body.durationDays, now()),
    }));
}

/** What `POST /v1/grants` may open: an account for the supplier (the default) or a service credential. */
export const GRANT_KINDS = ['account', 'service'] as const;

/** A service credential is no person's account: no guest or member kind, no groups. */
function checkServiceRequest(ctx: z.RefinementCtx, body: { account?: unknown; groups?: unknown }): void {
  if (body.account !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['account'],
      message: 'a service credential is not a guest or a member: leave account out with kind service',
    });
  }
  if (body.groups !== undefined) {
    ctx.addIssue({
      code: 'custom',
      path: ['groups'],
      message: 'a service credential joins no groups: leave groups out with kind service',
    });
  }
}

/**
 * What a request naming a provider this service does not run is told: how to configure one it knows of, or
 * which it runs.
 */
export function providerRule(enabled: readonly ProviderName[]) {
  return (issue: { input?: unknown }) => {
    if (issue.input === undefined) return undefined;
    const known = Object.keys(PROVIDER_VARIABLES) as ProviderName[];
    const name = known.find((p) => p === issue.input);
    if (!name) return `must be one of: ${enabled.join(', ')}`;
    const variables = PROVIDER_VARIABLES[name];
    const list = `${variables.slice(0, -1).join(', ')} and ${variables.at(-1) ?? ''}`;
    return `${name} is not configured on this service; set ${list} to enable it`;
  };
}

export type CreateGrantBody = z.output<ReturnType<typeof createGrantSchema>>;

/**
 * Checks a request whose end is given either as an instant (under `field`) or as `durationDays`: exactly one of the
 * two, and an instant in the future within `MAX_GRANT_DAYS`. False when neither or both were given.
 */
export function checkEnd(
  ctx: z.RefinementCtx,
  field: string,
  end: { at: string | undefined; durationDays: number | undefined },
  policy: GrantPolicy,
  now: number,
): boolean {
  if ((end.at === undefined) === (end.durationDays === undefined)) {
    ctx.addIssue({ code: 'custom', path: [field], message: `give exactly one of ${field} and durationDays` });
    return false;
  }
  if (end.at !== undefined) checkExpiry(ctx, [field], Date.parse(end.at), policy, now);
  return true;
}

/** The end a checked request asked for (see `checkEnd`): its instant, or `durationDays` from `now`, in UTC. */
export function endOf(at: string | undefined, durationDays: number | undefined, now: number): string {
  return new Date(at ?? now + (durationDays as number) * DAY_MS).toISOString();
}

/** What a request that ends at `until` holds besides its own fields (a lend, a manual door). */
interface UntilRequest {
  supplier?: unknown;
  supplierId?: unknown;
  until?: string | undefined;
  durationDays?: number | undefined;
}

/**
 * A request for a supplier that ends at `until`, given as an instant or as `durationDays` (a lend, a manual door):
 * its supplier reference and end checked as a grant's, and `until` answered as the instant the end falls on.
 */
export function endingUntil<S extends z.ZodType<UntilRequest>>(
  body: S,
  policy: GrantPolicy,
  now: () => number,
) {
  return body
    .superRefine((request, ctx) => {
      checkSupplierReference(ctx, request);
      checkEnd(ctx, 'until', { at: request.until, durationDays: request.durationDays }, policy, now());
    })
    .transform((request) => ({
      ...request,
      until: endOf(request.until, request.durationDays, now()),
    }));
}

/** Adds an issue at `path` when the instant `at` is not in the future or lies beyond `MAX_GRANT_DAYS`. */
export function checkExpiry(
  ctx: z.RefinementCtx,
  path: string[],
  at: number,
  policy: GrantPolicy,
  now: number,
): void {
  if (at <= now) ctx.addIssue({ code: 'custom', path, message: 'must be in the future' });
  else if (at > now + policy.maxGrantDays * DAY_MS) {
    ctx.addIssue({
      code: 'custom',
      path,
      message: `must be at most MAX_GRANT_DAYS (${policy.maxGrantDays}) days from now`,
    });
  }
}

/** `POST /v1/grants/{id}/extensions` */
export function extensionSchema(policy: GrantPolicy, now: () => number) {
  return z
    .strictObject({ expiresAt: instant, reason: text(500, { lines: true }) })
    .superRefine((body, ctx) => checkExpiry(ctx, ['expiresAt'], Date.parse(body.expiresAt), policy, now()))
    .transform((body) => ({ ...body, expiresAt: new Date(body.expiresAt).toISOString() }));
}

/**
 * `POST /v1/grants/{id}/shorten`: any instant, past ones included (they mean "now"); that it is no later than the
 * grant's current expiry is checked by the workflow, which holds that expiry.
 */
export const shortenSchema = z
  .strictObject({ expiresAt: instant, reason: text(500, { lines: true }) })
  .transform((body) => ({ ...body, expiresAt: new Date(body.expiresAt).toISOString() }));

/** `POST …/extensions/reject` and `…/revoke`. */
export const reasonSchema = z.strictObject({ reason: text(500, { lines: true }) });

/** `POST …/extensions/approve`: nothing to say, but a body may carry a note. */
export const approveSchema = z.strictObject({ reason: text(500, { lines: true }).optional() }).optional();

export const grantIdSchema = z.uuid('must be a grant id (a UUID)');

/** The path of the routes that work on one grant. */
export const grantParams = z.object({ id: grantIdSchema.meta({ description: 'The grant id.' }) });

/** A comma-separated list in a query string (`status=active,expired`), each item one of `values`. */
function listOf<T extends string>(values: readonly T[], what: string) {
  return z
    .string()
    .max(200, 'must be at most 200 characters')
    .transform((value, ctx) => {
      const items = value.split(',').map((item) => item.trim());
      const unknown = items.filter((item) => !(values as readonly string[]).includes(item));
      if (unknown.length === 0) return items as T[];
      ctx.addIssue({
        code: 'custom',
        message: `must be ${what}, comma-separated (not ${unknown.map((u) => JSON.stringify(u)).join(', ')})`,
      });
      return z.NEVER;
    });
}

/** `GET /v1/grants`: the registry's filters (docs/api.md, "The registry"), then cursor pagination. */
export function listGrantsQuerySchema(providers: readonly ProviderName[]) {
  const providerNames = [...providers] as [ProviderName, ...ProviderName[]];
  return z.strictObject({
    status: listOf(GRANT_STATUSES, `one of ${GRANT_STATUSES.join(', ')}`).optional(),
    provider: listOf(providerNames, `one of ${providers.join(', ')}`).optional(),
    supplierId: supplierIdSchema.optional(),
    door: listOf(DOOR_KINDS, `one of ${DOOR_KINDS.join(', ')}`).optional(),
    sharedAccountId: z.uuid('must be a shared account id (a UUID)').optional(),
    organisation: text(128).optional(),
    expiresBefore: instant.transform(utc).optional(),
    expiresAfter: instant.transform(utc).optional(),
    activeAt: instant.transform(utc).optional(),
    ...paging,
  });
}

export type ListGrantsQuery = z.output<ReturnType<typeof listGrantsQuerySchema>>;

/** The instant in the form the registry stores, `…Z`. */
export function utc(value: string): string {
  return new Date(value).toISOString();
}
