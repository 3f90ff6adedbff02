import { randomUUID } from 'node:crypto';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import type { Actor } from '../../domain/actor.js';
import { manualDoorWorkflowId, type ManualDoorRecord } from '../../domain/manual-door.js';
import { attestUpdate, type ManualDoorInput } from '../../workflows/manual-door-messages.js';
import type { RegistryStore } from '../registry/types.js';
import { can } from './auth.js';
import type { CreateManualDoorBody } from './manual-door-schemas.js';
import { problem } from './problem.js';
import type { SupplierService } from './supplier-service.js';

export interface ManualDoorServiceOptions {
  registry: RegistryStore;
  suppliers: SupplierService;
  client: Client;
  taskQueue: string;
  /** `REMINDER_LEAD`: how long before `until` the custodian is reminded. */
  reminderLeadsMs: number[];
  now?: () => number;
}

/**
 * Between the HTTP API and Temporal for manual doors: records a door and starts the workflow that reminds its
 * custodian and escalates it when overdue (`manualDoorWorkflow`), and sends it the attestation that closes it.
 */
export class ManualDoorService {
  private readonly now: () => number;

  constructor(private readonly options: ManualDoorServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Records the door for the supplier (found or created as for a grant), held to the supplier's contract end. */
  async create(body: CreateManualDoorBody, actor: Actor): Promise<ManualDoorRecord> {
    const { registry, suppliers, client, taskQueue, reminderLeadsMs } = this.options;
    const supplier = await suppliers.forGrant(body, actor);
    await suppliers.checkExpiry(
      supplier.id,
      body.until,
      body.durationDays === undefined ? 'until' : 'durationDays',
    );
    const door: ManualDoorRecord = {
      id: randomUUID(),
      supplierId: supplier.id,
      what: body.what,
      where: body.where,
      custodian: body.custodian,
      until: body.until,
      reason: body.reason,
      requestedBy: actor.name,
      createdAt: new Date(this.now()).toISOString(),
      status: 'open',
    };
    const input: ManualDoorInput = { door, reminderLeadsMs };
    // The workflow records the door too: a door whose API answer was lost is still reminded and escalated.
    await client.workflow.start('manualDoorWorkflow', {
      taskQueue,
      workflowId: manualDoorWorkflowId(door.id),
      args: [input],
    });
    return registry.insertManualDoor(door);
  }

  async get(id: string): Promise<ManualDoorRecord> {
    const door = await this.options.registry.getManualDoor(id);
    if (!door) throw problem(404, `no manual door ${id}`);
    return door;
  }

  /** The custodian or an admin attests the door closed; recorded with who, when, and the note. */
  async attest(id: string, actor: Actor, note: string | undefined): Promise<ManualDoorRecord> {
    const door = await this.get(id);
    if (door.custodian.name !== actor.name && !can(actor, 'admin'))
      throw problem(
        403,
        `only the door's custodian (${door.custodian.name}) or an admin may attest it closed`,
      );
    if (door.status === 'closed')
      throw problem(409, `the door was already attested closed by ${door.closedBy ?? 'someone'}`, {
        closedAt: door.closedAt,
      });
    const request = { manualDoorId: id, actor: actor.name, note };
    try {
      return await this.options.client.workflow
        .getHandle(manualDoorWorkflowId(id))
        .executeUpdate(attestUpdate, { args: [request] });
    } catch (err) {
      if (err instanceof WorkflowUpdateFailedError && err.cause instanceof ApplicationFailure) {
        if (err.cause.type === 'Conflict') throw problem(409, err.cause.message);
      }
      if (!(err instanceof WorkflowNotFoundError)) throw err;
      // No workflow runs for the door (it ended, or never started): the attestation is recorded all the same.
      const closed = await this.options.registry.closeManualDoor(id, {
        actor: actor.name,
        at: new Date(this.now()).toISOString(),
        note,
      });
      if (!closed) throw problem(404, `no manual door ${id}`);
      return closed;
    }
  }
}
