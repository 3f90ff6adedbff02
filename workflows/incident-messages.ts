/**
 * The incident workflow's input, shared by the workflow and the API. Types only: this file is loaded inside the
 * deterministic workflow sandbox.
 */

/**
 * What starts an incident's workflow (id `incidentWorkflowId(incidentId)`), once the API has opened the entry, blocked
 * the supplier and recorded the doors to close (`IncidentStore.openIncident`).
 */
export interface IncidentInput {
  incidentId: string;
  supplierId: string;
  /** The admin who opened it: the actor of every revoke. */
  actor: string;
  /** Why, as given when it was opened: the revokes' reason says it with the incident's id. */
  reason: string;
  /**
   * How long the workflow first waits between two looks at the doors still open; the wait doubles up to
   * `maxCheckIntervalMs`. Defaults: 1 s and 1 min.
   */
  checkIntervalMs?: number | undefined;
  maxCheckIntervalMs?: number | undefined;
}
