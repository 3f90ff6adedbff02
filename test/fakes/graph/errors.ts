/**
 * Error answers in the shapes of the real services.
 *
 * Microsoft Graph (https://learn.microsoft.com/graph/errors):
 *   { "error": { "code", "message", "details"?: [{ code, message, target }],
 *                "innerError": { "date", "request-id", "client-request-id" } } }
 * Entra ID token endpoint (AADSTS errors):
 *   { "error", "error_description", "error_codes": [n], "timestamp", "trace_id", "correlation_id", "error_uri" }
 *
 * Messages marked "observed" are copied from real answers quoted in Microsoft docs or public issue threads; the
 * others follow the same style but their exact wording is this fake's.
 */
import { innerErrorDate } from './ids.js';

export interface ErrorDetail {
  code: string;
  message?: string;
  target?: string;
}

export class GraphApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: ErrorDetail[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  body(requestId: string, clientRequestId: string): unknown {
    return {
      error: {
        code: this.code,
        message: this.message,
        ...(this.details ? { details: this.details } : {}),
        innerError: { date: innerErrorDate(), 'request-id': requestId, 'client-request-id': clientRequestId },
      },
    };
  }
}

// --- authentication / authorization -------------------------------------------------------------------------------

/** Observed. */
export const tokenEmpty = () =>
  new GraphApiError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
/** Observed. */
export const tokenExpired = () =>
  new GraphApiError(401, 'InvalidAuthenticationToken', 'Lifetime validation failed, the token is expired.');
/** Observed (wording of the IDX14100 family). */
export const tokenMalformed = () =>
  new GraphApiError(
    401,
    'InvalidAuthenticationToken',
    'IDX14100: JWT is not well formed, there are no dots (.).\nThe token needs to be in JWS or JWE Compact Serialization Format.',
  );
export const tokenUnknown = () =>
  new GraphApiError(401, 'InvalidAuthenticationToken', 'Access token validation failure. Invalid signature.');
/** Observed. */
export const insufficientPrivileges = () =>
  new GraphApiError(403, 'Authorization_RequestDenied', 'Insufficient privileges to complete the operation.');

// --- resources ----------------------------------------------------------------------------------------------------

/** Observed. */
export const resourceNotFound = (id: string) =>
  new GraphApiError(
    404,
    'Request_ResourceNotFound',
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );
/** Observed. */
export const segmentNotFound = (segment: string) =>
  new GraphApiError(400, 'BadRequest', `Resource not found for the segment '${segment}'.`);
/** Observed. */
export const invalidJson = () =>
  new GraphApiError(
    400,
    'BadRequest',
    'Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.',
  );
/** Observed (OData). */
export const unknownProperty = (property: string, type: string) =>
  new GraphApiError(
    400,
    'BadRequest',
    `Property '${property}' does not exist on type '${type}'. Make sure to only use property names that are defined by the type or mark the type as open type.`,
  );
export const readOnlyProperty = (property: string, resource: string) =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    `Property '${property}' is read-only and cannot be set on resource '${resource}'.`,
    [{ code: 'PropertyNotUpdatable', target: property }],
  );
/** Observed (OData, a JSON value of the wrong type). */
export const cannotConvert = (edmType: string) =>
  new GraphApiError(
    400,
    'BadRequest',
    `Cannot convert a primitive value to the expected type '${edmType}'. See the inner exception for more details.`,
  );
/** Observed: the answer to a missing or invalid required property, e.g. 'mailNickname' of resource 'User'. */
export const invalidValue = (property: string, resource: string) => {
  const message = `Invalid value specified for property '${property}' of resource '${resource}'.`;
  return new GraphApiError(400, 'Request_BadRequest', message, [
    { code: 'InvalidValue', message, target: property },
  ]);
};
/** Observed. */
export const duplicateValue = (property: string) =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    `Another object with the same value for property ${property} already exists.`,
    [{ code: 'ObjectConflict', target: property }],
  );
/** Observed. */
export const unverifiedDomain = () =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    'The domain portion of the userPrincipalName property is invalid. You must use one of the verified domain names in your organization.',
    [{ code: 'InvalidValue', target: 'userPrincipalName' }],
  );
/** Observed. */
export const passwordComplexity = () =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    'The specified password does not comply with password complexity requirements. Please provide a different password.',
  );
/** Observed. */
export const referencesAlreadyExist = (property: string) =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    `One or more added object references already exist for the following modified properties: '${property}'.`,
  );
export const referencesDoNotExist = (property: string) =>
  new GraphApiError(
    404,
    'Request_ResourceNotFound',
    `One or more removed object references do not exist for the following modified properties: '${property}'.`,
  );
export const invalidReference = (value: unknown) =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    `Invalid object identifier '${typeof value === 'string' ? value : JSON.stringify(value)}'.`,
  );

// --- queries --------------------------------------------------------------------------------------------------------

/** Observed. */
export const invalidFilter = (detail: string) =>
  new GraphApiError(400, 'BadRequest', `Invalid filter clause: ${detail}`);
/** Observed. */
export const unsupportedFilterProperty = (property: string, resource: string) =>
  new GraphApiError(
    400,
    'Request_UnsupportedQuery',
    `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`,
  );
/** Observed: advanced query operators without `ConsistencyLevel: eventual` (and `$count=true`). */
export const needsConsistencyLevel = (operator: string) =>
  new GraphApiError(
    400,
    'Request_UnsupportedQuery',
    `Operator '${operator}' is not supported because the 'ConsistencyLevel:eventual' header is missing. Refer to https://aka.ms/graph-docs/advanced-queries for more information`,
  );
export const countNeedsConsistencyLevel = () =>
  new GraphApiError(400, 'Request_BadRequest', '$count is not currently supported.');
/** Observed. */
export const invalidPageSize = (value: string) =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    `Invalid page size specified: '${value}'. Must be between 1 and 999 inclusive.`,
  );
/** Observed (OData). */
export const unknownSelectProperty = (property: string, type: string) =>
  new GraphApiError(400, 'BadRequest', `Could not find a property named '${property}' on type '${type}'.`);
export const invalidSkipToken = () =>
  new GraphApiError(400, 'Request_BadRequest', 'The specified page token value has expired or is invalid.');
/** A query option this fake does not implement: fails loudly instead of being ignored. */
export const notImplementedByFake = (what: string) =>
  new GraphApiError(400, 'BadRequest', `${what} is not supported by the Microsoft Graph fake.`);

// --- invitations ----------------------------------------------------------------------------------------------------

export const invitationBadRequest = (message: string) => new GraphApiError(400, 'BadRequest', message);

// --- throttling and injected failures ------------------------------------------------------------------------------

/** Observed shape (Entra ID/AGS throttling); Retry-After in seconds. */
export const tooManyRequests = (retryAfterSeconds: number, identifier: string) =>
  new GraphApiError(
    429,
    'TooManyRequests',
    `Too many requests from Identifier:${identifier} under category:throttle.aad.ags.appId.large. Please try again later.`,
    undefined,
    { 'retry-after': String(retryAfterSeconds) },
  );

export function injectedFailure(
  status: 500 | 503 | 504,
  retryAfterSeconds: number | undefined,
): GraphApiError {
  const headers: Record<string, string> =
    retryAfterSeconds === undefined ? {} : { 'retry-after': String(retryAfterSeconds) };
  if (status === 503)
    return new GraphApiError(
      503,
      'serviceNotAvailable',
      'The service is temporarily unavailable.',
      undefined,
      headers,
    );
  if (status === 504)
    return new GraphApiError(
      504,
      'UnknownError',
      'The upstream service did not answer in time.',
      undefined,
      headers,
    );
  return new GraphApiError(500, 'generalException', 'An unspecified error has occurred.', undefined, headers);
}

// --- Entra ID token endpoint ----------------------------------------------------------------------------------------

export class IdentityError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly aadsts: number,
    description: string,
  ) {
    super(`AADSTS${aadsts}: ${description}`);
  }
}

/** Observed (AADSTS7000215). */
export const invalidClientSecret = (clientId: string) =>
  new IdentityError(
    401,
    'invalid_client',
    7000215,
    `Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app '${clientId}'.`,
  );
/** Observed (AADSTS7000218). */
export const missingClientSecret = () =>
  new IdentityError(
    401,
    'invalid_client',
    7000218,
    "The request body must contain the following parameter: 'client_assertion' or 'client_secret'.",
  );
/** Observed (AADSTS700016). */
export const unknownClient = (clientId: string, tenant: string) =>
  new IdentityError(
    400,
    'unauthorized_client',
    700016,
    `Application with identifier '${clientId}' was not found in the directory '${tenant}'. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You may have sent your authentication request to the wrong tenant.`,
  );
/** Observed (AADSTS90002). */
export const unknownTenant = (tenant: string) =>
  new IdentityError(
    400,
    'invalid_request',
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );
/** Observed (AADSTS1002012). */
export const invalidScope = (scope: string) =>
  new IdentityError(
    400,
    'invalid_scope',
    1002012,
    `The provided value for scope ${scope} is not valid. Client credential flows must have a scope value with /.default suffixed to the resource identifier (application ID URI).`,
  );
/** Observed (AADSTS500011). */
export const unknownResource = (resource: string, tenant: string) =>
  new IdentityError(
    400,
    'invalid_resource',
    500011,
    `The resource principal named ${resource} was not found in the tenant named ${tenant}. This can happen if the application has not been installed by the administrator of the tenant or consented to by any user in the tenant. You might have sent your authentication request to the wrong tenant.`,
  );
export const unsupportedGrantType = (grantType: string) =>
  new IdentityError(
    400,
    'unsupported_grant_type',
    70003,
    `The app requested an unsupported grant type '${grantType}'.`,
  );
/** Observed (AADSTS900144). */
export const missingParameter = (name: string) =>
  new IdentityError(
    400,
    'invalid_request',
    900144,
    `The request body must contain the following parameter: '${name}'.`,
  );

// --- the resource owner password grant (a user's sign-in) ------------------------------------------------------------

/** Observed (AADSTS50126). */
export const invalidUserCredentials = () =>
  new IdentityError(
    400,
    'invalid_grant',
    50126,
    'Error validating credentials due to invalid username or password.',
  );
/** Observed (AADSTS50034). */
export const unknownUserAccount = (tenant: string) =>
  new IdentityError(
    400,
    'invalid_grant',
    50034,
    `The user account {EUII Hidden} does not exist in the ${tenant} directory. To sign into this application, the account must be added to the directory.`,
  );
/** Observed (AADSTS50057). */
export const disabledUserAccount = () =>
  new IdentityError(
    400,
    'invalid_grant',
    50057,
    'The user account is disabled. The account has been disabled by an administrator.',
  );
/** Observed (AADSTS50055): the password must be changed before it signs in. */
export const expiredUserPassword = () =>
  new IdentityError(400, 'invalid_grant', 50055, 'The password is expired.');

// --- applications and service principals ----------------------------------------------------------------------------

/** removePassword (or removeKey) naming a keyId the object does not hold. */
export const unknownKeyId = (keyId: string) =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    `No credential with keyId '${keyId}' was found on the object.`,
    [{ code: 'InvalidValue', target: 'keyId' }],
  );
/** POST /servicePrincipals for an appId that no application holds. */
export const unknownAppId = (appId: string) =>
  new GraphApiError(
    400,
    'Request_BadRequest',
    `The appId '${appId}' of the service principal does not reference a valid application object.`,
    [{ code: 'InvalidValue', target: 'appId' }],
  );
/** A second service principal for the same application. */
export const servicePrincipalExists = (appId: string) =>
  new GraphApiError(
    409,
    'Request_MultipleObjectsWithSameKeyValue',
    `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`,
  );

// --- a service's client-credentials sign-in -------------------------------------------------------------------------

/** Observed (AADSTS7000222): every secret that matches has passed its endDateTime. */
export const expiredClientSecret = (clientId: string) =>
  new IdentityError(
    401,
    'invalid_client',
    7000222,
    `The provided client secret keys for app '${clientId}' are expired. Visit the Azure portal to create new keys for your app: https://aka.ms/NewClientSecret, or consider using certificate credentials for added security: https://aka.ms/certCreds.`,
  );
/** Observed (AADSTS7000112): the application's service principal is disabled (`accountEnabled: false`). */
export const disabledApplication = (clientId: string, name: string) =>
  new IdentityError(400, 'unauthorized_client', 7000112, `Application '${clientId}'(${name}) is disabled.`);
/** Observed (AADSTS7000229): an application registration with no service principal in the tenant. */
export const missingServicePrincipal = (clientId: string, tenant: string) =>
  new IdentityError(
    400,
    'invalid_client',
    7000229,
    `The client application ${clientId} is missing service principal in the tenant ${tenant}. See instructions here: https://go.microsoft.com/fwlink/?linkid=2225119`,
  );
