/**
 * The operations of the HTTP API as DESIGN.md's table lists them, with the request schemas of schemas.ts and
 * the answers particular to each. openapi.ts turns them into the OpenAPI document, adding security, roles
 * and the errors every operation of a kind can give.
 */
import {
  csv,
  json,
  problem,
  type JsonObject,
  type JsonSchemaConverter,
  type OperationSpec,
  type QueryOptions,
} from './openapi-parts.js';
import { codecBodySchema } from './codec-routes.js';
import { GRANT_STATUSES } from '../../domain/status.js';
import {
  approveSchema,
  createGrantSchema,
  extensionSchema,
  listGrantsQuerySchema,
  reasonSchema,
  type GrantPolicy,
} from './schemas.js';

const grant = (description: string) => json(description, 'Grant');

const LOCATION = { Location: { description: 'The grant, `/v1/grants/{id}`.', schema: { type: 'string' } } };
const NO_STORE = {
  'Cache-Control': { description: '`no-store`: the body holds a credential.', schema: { type: 'string' } },
};
const NOT_ANSWERED = problem('The grant did not answer in time; the request stays queued. Try again.');
const NOT_LIVE = problem('The grant is no longer live, or (for extensions) nothing is pending.');
const REFUSED = problem('The provider refused the account; the grant is `failed`.');

const DAY = 86_400_000;

/** Filter descriptions of `GET /v1/grants` and `GET /v1/registry.csv`. */
export const QUERY_DESCRIPTIONS: Record<string, string> = {
  status: 'Grants in any of these statuses.',
  provider: 'Grants in any of these providers.',
  organisation: 'Part of the organisation name, ignoring case and diacritics.',
  expiresBefore: 'Grants whose current expiry is strictly before this instant.',
  expiresAfter: 'Grants whose current expiry is at or after this instant.',
  activeAt: 'Grants whose account was usable at this instant: provisioned by then and not yet ended.',
  limit: 'At most this many grants on the page.',
  cursor: 'The `nextCursor` of the previous page.',
};

/** How the registry's query parameters are documented; the tests check the lists against the zod schema. */
function registryFilters(policy: GrantPolicy, omit?: string[]): QueryOptions {
  return {
    descriptions: QUERY_DESCRIPTIONS,
    lists: { status: GRANT_STATUSES, provider: policy.providers },
    ...(omit ? { omit } : {}),
  };
}

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
  };
}

/**
 * What `createGrantSchema` checks in code (its superRefine), in words, plus the one rule JSON Schema states
 * exactly: `oneOf` two `required` lists is "exactly one of expiresAt and durationDays".
 */
function createRules(policy: GrantPolicy): JsonObject {
  return {
    description:
      'Exactly one of `expiresAt` and `durationDays`; `expiresAt` must be in the future and at most ' +
      `MAX_GRANT_DAYS (${policy.maxGrantDays}) days away. \`account\` is accepted only by providers ` +
      'that have both guest and member accounts (Entra ID), and a `guest` needs `supplier.contactEmail`. ' +
      'Text is trimmed before its length is checked and must be well-formed Unicode without control ' +
      'characters (`reason` may hold tabs and line breaks); `supplier.organisation` must contain a letter ' +
      'or a digit from a-z or 0-9 once accents are dropped, since the account is named after it. Unknown ' +
      'fields are refused. `groups` are group DNs under LDAP_GROUPS_DN (LDAP), group ids (Okta) or group ' +
      'object ids (Entra); the provider checks each before creating anything, and one it does not have is a ' +
      '`400` naming `groups`.',
    oneOf: [{ required: ['expiresAt'] }, { required: ['durationDays'] }],
  };
}

function createAndList(policy: GrantPolicy, schemas: JsonSchemaConverter): OperationSpec[] {
  const create = createGrantSchema(policy, Date.now);
  return [
    {
      method: 'post',
      path: '/v1/grants',
      operationId: 'createGrant',
      tag: 'grants',
      summary: 'Grant a supplier an expiring account',
      description:
        'Creates the account in the provider with the expiry attached. Answers `201` once the account ' +
        'exists, or `202` (status `provisioning`) when the provider is slow; then ' +
        '`POST /v1/grants/{id}/credential` hands the credential out once.',
      role: 'requester',
      body: schemas.body(create, createRules(policy), exampleBodies(policy).create),
      responses: {
        201: json('The account exists; `credential` is in this response only.', 'CreatedGrant', {
          ...LOCATION,
          ...NO_STORE,
        }),
        202: json('Still provisioning; claim the credential later.', 'Grant', LOCATION),
        409: problem(
          'A live grant already covers this account (`liveGrantId`): extend it instead. Or the provider ' +
            'already has an account of that name that no grant made.',
        ),
        502: REFUSED,
      },
    },
    {
      method: 'get',
      path: '/v1/grants',
      operationId: 'listGrants',
      tag: 'registry',
      summary: 'List grants (the registry)',
      description: 'Filters combine with AND; pages are newest first. Follow `nextCursor` for the next page.',
      role: 'auditor',
      query: schemas.query(listGrantsQuerySchema(policy.providers), registryFilters(policy)),
      responses: { 200: json('One page of grants.', 'GrantPage') },
    },
  ];
}

function oneGrant(): OperationSpec[] {
  return [
    {
      method: 'get',
      path: '/v1/grants/{id}',
      operationId: 'getGrant',
      tag: 'grants',
      summary: 'One grant with its event trail',
      description: 'The grant and every event of its lifecycle, each with `at` and `actor`.',
      role: 'auditor',
      grantId: true,
      responses: { 200: grant('The grant, with `events`.') },
    },
    {
      method: 'post',
      path: '/v1/grants/{id}/credential',
      operationId: 'claimCredential',
      tag: 'grants',
      summary: 'Claim the one-time credential of a grant answered with 202',
      description:
        'Hands the credential out once, to the requester of the grant or an admin, and records who took it ' +
        '(`credential-claimed`); afterwards it is gone for good.',
      role: 'requester',
      grantId: true,
      responses: {
        200: json('The account exists; here is its credential.', 'CreatedGrant', NO_STORE),
        202: grant('Still provisioning; try again later.'),
        403: problem('The role does not allow it, or someone else asked for the grant.'),
        409: problem('The credential was already handed out, or the account has none.'),
        502: REFUSED,
        503: NOT_ANSWERED,
      },
    },
  ];
}

function changes(policy: GrantPolicy, schemas: JsonSchemaConverter): OperationSpec[] {
  const examples = exampleBodies(policy);
  const grantOperation = { method: 'post', tag: 'grants', grantId: true } as const;
  return [
    {
      ...grantOperation,
      path: '/v1/grants/{id}/extensions',
      operationId: 'requestExtension',
      summary: 'Ask for a later expiry',
      description:
        'The new expiry must be in the future and at most ' +
        `MAX_GRANT_DAYS (${policy.maxGrantDays}) days away; another person approves it.`,
      role: 'requester',
      body: schemas.body(extensionSchema(policy, Date.now), {}, examples.extension),
      responses: { 202: grant('Recorded; status `extension-requested`.'), 409: NOT_LIVE, 503: NOT_ANSWERED },
    },
    {
      ...grantOperation,
      path: '/v1/grants/{id}/extensions/approve',
      operationId: 'approveExtension',
      summary: 'Approve the pending extension',
      description: 'Applies the new expiry in the provider. Four eyes: whoever asked may not approve.',
      role: 'approver',
      body: schemas.body(approveSchema),
      responses: {
        200: grant('Approved; the new expiry is applied.'),
        403: problem('The role does not allow it, or the approver asked for the extension (four eyes).'),
        409: NOT_LIVE,
        503: NOT_ANSWERED,
      },
    },
    {
      ...grantOperation,
      path: '/v1/grants/{id}/extensions/reject',
      operationId: 'rejectExtension',
      summary: 'Reject the pending extension',
      description: 'The grant keeps its current expiry.',
      role: 'approver',
      body: schemas.body(reasonSchema, {}, examples.reason),
      responses: { 200: grant('Rejected.'), 409: NOT_LIVE, 503: NOT_ANSWERED },
    },
    {
      ...grantOperation,
      path: '/v1/grants/{id}/revoke',
      operationId: 'revokeGrant',
      summary: 'End a grant now',
      description: 'Disables the account and rotates its credentials now, as expiry would.',
      role: 'admin',
      body: schemas.body(reasonSchema, {}, examples.reason),
      responses: {
        200: grant('Revoked: the account is disabled and rotated.'),
        202: grant('Recorded; the account is disabled as soon as the directory answers.'),
        409: NOT_LIVE,
      },
    },
  ];
}

function registryExport(policy: GrantPolicy, schemas: JsonSchemaConverter): OperationSpec {
  return {
    method: 'get',
    path: '/v1/registry.csv',
    operationId: 'exportRegistry',
    tag: 'registry',
    summary: 'Every grant ever made, as CSV',
    description:
      'Closed grants included; one row per grant: who asked, which system, until when, why, how it ended ' +
      'and who extended it. The filters of `GET /v1/grants` narrow it; it is never paged.',
    role: 'auditor',
    // The export walks every page itself: paging parameters are parsed but ignored.
    query: schemas.query(
      listGrantsQuerySchema(policy.providers),
      registryFilters(policy, ['limit', 'cursor']),
    ),
    responses: { 200: csv('The registry as CSV, with a header row.') },
  };
}

function reviews(): OperationSpec[] {
  const report = json('The review report.', 'ReviewReport');
  const noReview = problem('No review has finished yet.');
  const review = { tag: 'reviews', role: 'auditor', method: 'get' } as const;
  return [
    {
      ...review,
      method: 'post',
      path: '/v1/reviews',
      operationId: 'runReview',
      summary: 'Run an access review now',
      description:
        'Compares every supplier-convention account in every provider with the registry: drift is closed at ' +
        'once, orphans reported (or disabled with REVIEW_DISABLE_ORPHANS), directory expiries corrected. ' +
        'Answers with the report, or 202 when the review takes longer than the answer window.',
      role: 'admin',
      responses: { 200: report, 202: json('Still running.', 'ReviewRunning') },
    },
    {
      ...review,
      path: '/v1/reviews/latest',
      operationId: 'getLatestReview',
      summary: 'The latest access review',
      description: 'The report of the last finished review, scheduled or run by hand.',
      responses: { 200: report, 404: noReview },
    },
    {
      ...review,
      path: '/v1/reviews/latest.csv',
      operationId: 'exportLatestReview',
      summary: 'The latest access review, as CSV',
      description: 'One row per supplier-convention account.',
      responses: { 200: csv('The review as CSV, with a header row.'), 404: noReview },
    },
    {
      ...review,
      path: '/v1/reviews/{id}',
      operationId: 'getReview',
      summary: 'One access review',
      description: 'A review by its id (the Location of `POST /v1/reviews`).',
      grantId: true,
      responses: { 200: report, 404: problem('No such review, or it is still running.') },
    },
  ];
}

/** Temporal's remote codec protocol, for the Temporal CLI (`--codec-endpoint`) and UI. */
function codec(schemas: JsonSchemaConverter): OperationSpec[] {
  const payloads = (description: string) => ({
    description,
    content: { 'application/json': { schema: schemas.input(codecBodySchema) } },
  });
  const operation = (direction: 'encode' | 'decode', summary: string, description: string) =>
    ({
      method: 'post',
      path: `/codec/${direction}`,
      operationId: `${direction}Payloads`,
      tag: 'codec',
      summary,
      description,
      role: 'admin',
      body: schemas.body(codecBodySchema),
      responses: { 200: payloads(`The payloads, ${direction}d, in the order given.`) },
    }) as const;
  return [
    operation(
      'decode',
      'Decrypt Temporal payloads',
      "Decrypts payloads of this service's workflow histories (proto3 JSON `Payloads`, bytes in base64) with " +
        'the keys of `PAYLOAD_ENCRYPTION_KEYS`; payloads that are not encrypted come back unchanged. Point ' +
        '`temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer <token>"` or the Temporal ' +
        'UI here. Decrypted histories hold contact e-mails and one-time passwords in flight: admins only.',
    ),
    operation(
      'encode',
      'Encrypt Temporal payloads',
      'Encrypts payloads with the current key, as the service does before anything reaches Temporal.',
    ),
  ];
}

function health(): OperationSpec[] {
  const check = { method: 'get', tag: 'health' } as const;
  return [
    {
      ...check,
      path: '/healthz',
      operationId: 'health',
      summary: 'Liveness',
      description: 'Answers while the process runs.',
      responses: { 200: json('Up.', 'Health') },
    },
    {
      ...check,
      path: '/readyz',
      operationId: 'readiness',
      summary: 'Readiness',
      description: 'Whether Temporal and every configured directory answer, each reported under `checks`.',
      responses: { 200: json('Ready.', 'Readiness'), 503: json('Not ready.', 'Readiness') },
    },
  ];
}

/** Every operation of the API; the review operations only when `withReviews` (they are not built yet). */
export function apiOperations(
  policy: GrantPolicy,
  schemas: JsonSchemaConverter,
  withReviews: boolean,
  withCodec = false,
): OperationSpec[] {
  return [
    ...createAndList(policy, schemas),
    ...oneGrant(),
    ...changes(policy, schemas),
    registryExport(policy, schemas),
    ...(withReviews ? reviews() : []),
    ...(withCodec ? codec(schemas) : []),
    ...health(),
  ];
}
