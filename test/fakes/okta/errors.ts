import { randomChars } from './ids.js';

/** Okta's error body, as every Management API error carries it. */
export interface OktaErrorBody {
  errorCode: string;
  errorSummary: string;
  errorLink: string;
  errorId: string;
  errorCauses: { errorSummary: string }[];
}

/** Thrown by handlers; the server turns it into Okta's error response. */
export class OktaApiError extends Error {
  constructor(
    readonly status: number,
    readonly errorCode: string,
    readonly errorSummary: string,
    readonly causes: string[] = [],
  ) {
    super(`${status} ${errorCode} ${errorSummary}`);
  }

  body(): OktaErrorBody {
    return oktaErrorBody(this.errorCode, this.errorSummary, this.causes);
  }
}

export function oktaErrorBody(errorCode: string, errorSummary: string, causes: string[] = []): OktaErrorBody {
  return {
    errorCode,
    errorSummary,
    // Okta puts the code itself in errorLink.
    errorLink: errorCode,
    errorId: `oae${randomChars(22)}`,
    errorCauses: causes.map((errorSummary) => ({ errorSummary })),
  };
}

// The codes and summaries below are Okta's documented ones (developer.okta.com/docs/reference/error-codes).

/** E0000001, 400: a precondition of the endpoint is violated (validation, duplicate login, bad transition). */
export function validationError(summary: string, causes: string[] = []): OktaApiError {
  return new OktaApiError(400, 'E0000001', summary, causes);
}

/** E0000001 for a failing profile/credential field: summary names the field, causes say why. */
export function fieldValidationError(field: string, causes: string[]): OktaApiError {
  return validationError(`Api validation failed: ${field}`, causes);
}

/** E0000003, 400: the body is not JSON. */
export function malformedBody(): OktaApiError {
  return new OktaApiError(400, 'E0000003', 'The request body was not well-formed.');
}

/** E0000006, 403. */
export function accessDenied(): OktaApiError {
  return new OktaApiError(403, 'E0000006', 'You do not have permission to perform the requested action');
}

/** E0000007, 404: `Not found: Resource not found: <id> (User)`. */
/** `kind`: 'User', 'UserGroup', … */
export function resourceNotFound(id: string, kind: string): OktaApiError {
  return new OktaApiError(404, 'E0000007', `Not found: Resource not found: ${id} (${kind})`);
}

/** E0000008, 404: no such path. */
export function pathNotFound(): OktaApiError {
  return new OktaApiError(404, 'E0000008', 'The requested path was not found');
}

/** E0000011, 401: missing or wrong `SSWS` token. */
export function invalidToken(): OktaApiError {
  return new OktaApiError(401, 'E0000011', 'Invalid token provided');
}

/** E0000016, 403: activate called on a user that cannot be activated. */
export function activationFailed(): OktaApiError {
  return new OktaApiError(403, 'E0000016', 'Activation failed because the user is already active');
}

/** E0000022, 405. */
export function methodNotAllowed(): OktaApiError {
  return new OktaApiError(405, 'E0000022', 'The endpoint does not support the provided HTTP method');
}

/** E0000031, 400: a `search`/`filter` expression the fake (or Okta) cannot evaluate. */
export function invalidSearch(): OktaApiError {
  return new OktaApiError(400, 'E0000031', 'Invalid search criteria.');
}

/** E0000038, 403: the lifecycle operation is not allowed in the user's current status. */
export function notAllowedInStatus(): OktaApiError {
  return new OktaApiError(403, 'E0000038', "This operation is not allowed in the user's current status.");
}

/** E0000047, 429. */
export function rateLimited(): OktaApiError {
  return new OktaApiError(429, 'E0000047', 'API call exceeded rate limit due to too many requests.');
}

/** An injected server-side failure (failNext). */
export function injectedFailure(status: 500 | 503 | 429): OktaApiError {
  if (status === 429) return rateLimited();
  if (status === 503) return new OktaApiError(503, 'E0000010', 'Service is in read only mode');
  return new OktaApiError(500, 'E0000009', 'Internal Server Error');
}
