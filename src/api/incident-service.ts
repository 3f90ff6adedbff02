import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import type { Actor } from '../../domain/actor.js';
import { incidentWorkflowId, type IncidentDoor, type IncidentRecord } from '../../domain/incident.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import type { IncidentInput } from '../../workflows/incident-messages.js';
import type { IncidentChanges, IncidentQuery } from '../registry/incident-store.js';
import { incidentDoorOf, openDoors } from '../registry/open-doors.js';
import type { RegistryStore } from '../registry/types.js';
import {
  heldDoorView,
  incidentDoorView,
  incidentEventView,
  incidentView,
  keepUntil,
} from './incident-responses.js';
import { PERIOD_RULE, type OpenIncidentBody, type PatchIncidentBody } from './incident-schemas.js';
import { invalid, problem } from './problem.js';

export interface IncidentServiceOptions {
  registry: RegistryStore;
  client: Client;
  taskQueue: string;
  /** `API_ANSWER_WITHIN`: how long opening an incident waits for its doors to close before answering. */
  answerWithinMs?: number | undefined;
  now?: () => number;
}

/** How often the answer to an opening looks at the doors still closing. */
const POLL_MS = 200;

/** Entries per query while the register is exported; the export itself is never paged. */
const EXPORT_PAGE = 200;

/** The register's filters (`GET /v1/incidents`, the exports). */
export type IncidentFilters = Omit<IncidentQuery, 'limit' | 'after'>;

/** What `POST /v1/suppliers/{id}/incident` answers. */
export type OpenedIncident = Awaited<ReturnType<IncidentService['open']>>;

/** What `GET /v1/incidents/{id}` answers, and each entry of the JSON export. */
export type IncidentDetail = Awaited<ReturnType<IncidentService['detail']>>;

/**
 * Between the HTTP API, the register and Temporal for confidentiality incidents: opens an entry (for a supplier: its
 * block and the doors to close, then the workflow that closes them), completes it, lifts a block, exports.
 */
export class IncidentService {
  private readonly now: () => number;

  constructor(private readonly options: IncidentServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /**
   * Opens an incident about the supplier: every door it holds now is recorded to close, the supplier is blocked,
   * and the incident's workflow closes them. Answers once they are closed, or when the answer window is over
   * with what is still pending. A 409 when the supplier is already blocked, naming that incident (whose workflow
   * is started again if it is still closing: a retry repairs an opening whose start failed).
   */
  async open(supplierId: string, body: OpenIncidentBody, actor: Actor) {
    const { registry } = this.options;
    const supplier = await registry.getSupplier(supplierId);
    if (!supplier) throw problem(404, `no supplier ${supplierId}`);
    if (supplier.block) throw await this.alreadyBlocked(supplier, supplier.block.incidentId);
    const at = new Date(this.now()).toISOString();
    const live = await openDoors({ registry }, { activeAt: at, supplierId });
    const record = this.record(body, actor, at, supplier);
    const doors = live.suppliers.flatMap((s) => s.doors).map((door) => incidentDoorOf(record.id, door, at));
    const opened = await registry.openIncident(record, doors);
    if ('blockedBy' in opened) throw await this.alreadyBlocked(supplier, opened.blockedBy);
    await this.startWorkflow(opened.incident);
    const closing = await this.waitForDoors(record.id);
    const incident = (await registry.getIncident(record.id)) ?? opened.incident;
    const closed = closing.filter((d) => d.closedAt).length;
    return {
      incident: incidentView(incident),
      doors: closing.map(incidentDoorView),
      closed,
      pending: closing.length - closed,
    };
  }

  /** An incident about an internal account: the same register, no supplier, nothing to close. */
  async create(body: OpenIncidentBody, actor: Actor) {
    const at = new Date(this.now()).toISOString();
    const opened = await this.options.registry.openIncident(this.record(body, actor, at), []);
    // Without a supplier there is no block to find: the store answers the entry.
    if ('blockedBy' in opened) throw problem(409, `the incident is blocked by ${opened.blockedBy}`);
    return this.detail(opened.incident.id);
  }

  /** One entry, pre-filled from the registry: the doors it closes, those the supplier held, and its trail. */
  async detail(id: string) {
    const { registry } = this.options;
    const incident = await registry.getIncident(id);
    if (!incident) throw problem(404, `no incident ${id}`);
    const until = incident.occurredUntil ?? new Date(this.now()).toISOString();
    const [doors, held, events] = await Promise.all([
      registry.listIncidentDoors(id),
      incident.supplierId
        ? registry.heldDoors(incident.supplierId, incident.occurredFrom ?? incident.discoveredAt, until)
        : [],
      registry.listIncidentEvents(id),
    ]);
    return {
      incident: incidentView(incident),
      keepUntil: keepUntil(incident),
      doors: doors.map(incidentDoorView),
      heldDoors: held.map(heldDoorView),
      events: events.map(incidentEventView),
    };
  }

  /** An admin completes or corrects the entry; each change is kept (`updated`, with before and after). */
  async update(id: string, body: PatchIncidentBody, actor: Actor) {
    const { registry } = this.options;
    const before = await registry.getIncident(id);
    if (!before) throw problem(404, `no incident ${id}`);
    // The schema checked the ends it was given together; one end alone is checked against the entry's other.
    const from = body.occurredFrom === undefined ? before.occurredFrom : body.occurredFrom;
    const until = body.occurredUntil === undefined ? before.occurredUntil : body.occurredUntil;
    if (from && until && Date.parse(from) > Date.parse(until))
      throw invalid([{ field: 'occurredUntil', rule: `${PERIOD_RULE} (${from})` }]);
    const changes: IncidentChanges = body;
    const at = new Date(this.now()).toISOString();
    if (!(await registry.updateIncident(id, changes, { actor: actor.name, at })))
      throw problem(404, `no incident ${id}`);
    return this.detail(id);
  }

  /** One page of the register, newest first. */
  list(query: IncidentQuery) {
    return this.options.registry.listIncidents(query);
  }

  /** Every entry matching the filters, in full, newest first. */
  async export(filters: IncidentFilters): Promise<IncidentDetail[]> {
    const details: IncidentDetail[] = [];
    let after: IncidentQuery['after'];
    do {
      const page = await this.list({ ...filters, limit: EXPORT_PAGE, after });
      for (const incident of page.incidents) details.push(await this.detail(incident.id));
      after = page.next;
    } while (after);
    return details;
  }

  /** Lifts the supplier's block (`block-lifted` on its incident); a 409 when it is not blocked. */
  async liftBlock(supplierId: string, reason: string, actor: Actor): Promise<SupplierRecord> {
    const { registry } = this.options;
    const supplier = await registry.getSupplier(supplierId);
    if (!supplier) throw problem(404, `no supplier ${supplierId}`);
    const at = new Date(this.now()).toISOString();
    const lifted = await registry.liftSupplierBlock(supplierId, { actor: actor.name, at, reason });
    if (!lifted) throw problem(409, `supplier ${supplier.legalName} is not blocked`);
    return (await registry.getSupplier(supplierId)) ?? { ...supplier, block: undefined };
  }

  private record(
    body: OpenIncidentBody,
    actor: Actor,
    at: string,
    supplier?: SupplierRecord,
  ): IncidentRecord {
    return {
      ...body,
      id: randomUUID(),
      supplierId: supplier?.id,
      supplierName: supplier?.legalName,
      doors: supplier ? 'closing' : 'none',
      createdBy: actor.name,
      createdAt: at,
      updatedAt: at,
      revision: 0,
    };
  }

  /**
   * The 409 of a supplier already blocked. When that incident's doors are still closing its workflow is started
   * again (or found running): a POST retried after a start that failed repairs it.
   */
  private async alreadyBlocked(supplier: SupplierRecord, incidentId: string) {
    const incident = await this.options.registry.getIncident(incidentId);
    if (incident?.doors === 'closing') await this.startWorkflow(incident);
    return problem(
      409,
      `supplier ${supplier.legalName} is already blocked by incident ${incidentId}; complete that entry instead`,
      { incidentId, supplierId: supplier.id },
    );
  }

  /** Starts the workflow that closes the incident's doors, or finds it running. */
  private async startWorkflow(incident: IncidentRecord): Promise<void> {
    if (!incident.supplierId) return;
    const input: IncidentInput = {
      incidentId: incident.id,
      supplierId: incident.supplierId,
      actor: incident.createdBy,
      reason: incident.reason,
    };
    try {
      await this.options.client.workflow.start('incidentWorkflow', {
        workflowId: incidentWorkflowId(incident.id),
        taskQueue: this.options.taskQueue,
        args: [input],
        workflowIdConflictPolicy: 'USE_EXISTING',
      });
    } catch (err) {
      // A run that ended while its entry still says `closing` is not restarted under the same id by every policy.
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
    }
  }

  /**
   * The incident's doors once every door the service closes itself is closed, or as they stand when the answer
   * window is over. A flagged manual door closes when a person attests it: the answer does not wait for that.
   */
  private async waitForDoors(incidentId: string): Promise<IncidentDoor[]> {
    const deadline = Date.now() + (this.options.answerWithinMs ?? 10_000);
    for (;;) {
      const doors = await this.options.registry.listIncidentDoors(incidentId);
      const closing = doors.filter((d) => d.action !== 'flag' && !d.closedAt);
      if (closing.length === 0 || Date.now() + POLL_MS > deadline) return doors;
      await sleep(POLL_MS);
    }
  }
}
