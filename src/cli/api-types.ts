/**
 * The HTTP API's answers as the CLI reads them, derived from the response schemas the routes declare (and the
 * OpenAPI document shows), so the two cannot drift. Types only: the CLI does not parse answers with the
 * server's schemas, and reads fields it knows, so it keeps working against a server built from another commit.
 */
import type { z } from 'zod';
import type {
  incidentDetailSchema,
  incidentExportSchema,
  incidentPageSchema,
  incidentSchema,
  openedIncidentSchema,
} from '../api/incident-responses.js';
import type { manualDoorDetailSchema, manualDoorSchema } from '../api/manual-door-responses.js';
import type {
  createdGrantSchema,
  credentialSchema,
  fieldErrorSchema,
  grantEventSchema,
  grantPageSchema,
  grantSchema,
  pendingExtensionSchema,
  problemSchema,
} from '../api/response-schemas.js';
import type {
  custodianCredentialSchema,
  lendListSchema,
  sharedAccountDetailSchema,
  sharedAccountPageSchema,
  sharedAccountSchema,
} from '../api/shared-account-responses.js';
import type {
  supplierPageSchema,
  supplierSchema,
  supplierWithGrantsSchema,
} from '../api/supplier-responses.js';

/** One entry of a grant's event trail. */
export type GrantEvent = z.output<typeof grantEventSchema>;

/** An extension waiting for an approver. */
export type PendingExtension = z.output<typeof pendingExtensionSchema>;

/** A grant as `GET /v1/grants/{id}` and the other grant routes answer it. */
export type Grant = z.output<typeof grantSchema>;

/** The one-time credential of a password-based account. */
export type Credential = z.output<typeof credentialSchema>;

/** `POST /v1/grants` (201) and `POST /v1/grants/{id}/credential` (200) add the credential to the grant. */
export type GrantWithCredential = z.output<typeof createdGrantSchema>;

/** `GET /v1/grants`: one page of the registry. */
export type GrantPage = z.output<typeof grantPageSchema>;

/** One failing field of a request and the rule it broke. */
export type FieldError = z.output<typeof fieldErrorSchema>;

/** An RFC 9457 problem, as every error answer carries. */
export type Problem = z.output<typeof problemSchema>;

/** A supplier as the supplier routes answer it. */
export type Supplier = z.output<typeof supplierSchema>;

/** `GET /v1/suppliers/{id}`: the supplier with every grant it had. */
export type SupplierWithGrants = z.output<typeof supplierWithGrantsSchema>;

/** `GET /v1/suppliers`: one page of suppliers. */
export type SupplierPage = z.output<typeof supplierPageSchema>;

/** A shared account as the shared-account routes answer it; never its password. */
export type SharedAccount = z.output<typeof sharedAccountSchema>;

/** `GET /v1/shared-accounts/{id}`: the shared account, its live lend, recent lends and trail. */
export type SharedAccountDetail = z.output<typeof sharedAccountDetailSchema>;

/** `GET /v1/shared-accounts`: one page of shared accounts. */
export type SharedAccountPage = z.output<typeof sharedAccountPageSchema>;

/** `GET /v1/shared-accounts/{id}/lends`. */
export type LendList = z.output<typeof lendListSchema>;

/** `POST /v1/shared-accounts/{id}/credential`: the password waiting for the custodian, once. */
export type CustodianCredential = z.output<typeof custodianCredentialSchema>;

/** `GET /v1/manual-doors/{id}` and the answers of the other manual-door routes. */
export type ManualDoor = z.output<typeof manualDoorSchema>;

/** `GET /v1/manual-doors/{id}`: the door with its trail. */
export type ManualDoorDetail = z.output<typeof manualDoorDetailSchema>;

/** An entry of the confidentiality-incident register. */
export type Incident = z.output<typeof incidentSchema>;

/** `GET /v1/incidents/{id}`: the entry, the doors it closes, those the supplier held, and its trail. */
export type IncidentDetail = z.output<typeof incidentDetailSchema>;

/** `POST /v1/suppliers/{id}/incident`: what closed before the answer and what is pending. */
export type OpenedIncident = z.output<typeof openedIncidentSchema>;

/** `GET /v1/incidents`: one page of the register. */
export type IncidentPage = z.output<typeof incidentPageSchema>;

/** `GET /v1/incidents.json`. */
export type IncidentExport = z.output<typeof incidentExportSchema>;
