import { randomUUID } from 'node:crypto';
import type { Actor } from '../../domain/actor.js';
import { supplierKey } from '../../domain/naming.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import type { GrantRecord, RegistryStore, SupplierChanges } from '../registry/types.js';
import { invalid, problem } from './problem.js';
import type { CreateSupplierBody, PatchSupplierBody } from './supplier-schemas.js';

/**
 * Told once a PATCH that sets a contract end has stored it: `previous` is the one it replaced (the same when the
 * PATCH repeated it, which lets a repeat finish shortenings that failed), `actor` who sent it.
 */
export type ContractEndMoved = (
  supplier: SupplierRecord,
  previous: string | undefined,
  actor: Actor,
) => Promise<void>;

export interface SupplierServiceOptions {
  registry: RegistryStore;
  /** Shortens the supplier's live grants to a contract end moved earlier, and tells the sponsor. */
  onContractEndMoved?: ContractEndMoved | undefined;
  now?: () => number;
}

/** What a grant request says of its supplier: a registered one, or one by name (created when new). */
export interface SupplierReference {
  supplierId?: string | undefined;
  supplier?: { organisation: string; contactEmail?: string | undefined } | undefined;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** The supplier registry behind `/v1/suppliers` and the supplier of each new grant. */
export class SupplierService {
  private readonly now: () => number;

  constructor(private readonly options: SupplierServiceOptions) {
    this.now = options.now ?? Date.now;
  }

  /** Registers a supplier; a 409 naming the registered one (`supplierId`) when its legal name is taken. */
  async create(body: CreateSupplierBody, actor: Actor): Promise<SupplierRecord> {
    const stamp = new Date(this.now()).toISOString();
    const wanted: SupplierRecord = {
      id: randomUUID(),
      key: supplierKey(body.legalName),
      legalName: body.legalName,
      contactEmails: body.contactEmails,
      sponsor: body.sponsor,
      contractEnd: body.contractEnd,
      notes: body.notes,
      createdBy: actor.name,
      createdAt: stamp,
      updatedAt: stamp,
    };
    const stored = await this.options.registry.insertSupplier(wanted);
    if (stored.id !== wanted.id) {
      // Another spelling of the same legal name is the same firm: naming it is what the caller needs.
      throw problem(409, `supplier ${stored.id} (${stored.legalName}) has the same legal name; use it`, {
        supplierId: stored.id,
      });
    }
    return stored;
  }

  async get(id: string): Promise<SupplierRecord> {
    const supplier = await this.options.registry.getSupplier(id);
    if (!supplier) throw problem(404, `no supplier ${id}`);
    return supplier;
  }

  /** Applies a PATCH; the contract end hook runs once a contract end it sets is stored. */
  async update(id: string, body: PatchSupplierBody, actor: Actor): Promise<SupplierRecord> {
    const before = await this.get(id);
    if (body.legalName !== undefined && supplierKey(body.legalName) !== before.key) {
      throw invalid([
        {
          field: 'legalName',
          rule: `must be a spelling of the same legal name (canonical key ${before.key}, which never changes)`,
        },
      ]);
    }
    const changes: SupplierChanges = body;
    const after = await this.options.registry.updateSupplier(id, changes, new Date(this.now()).toISOString());
    if (!after) throw problem(404, `no supplier ${id}`);
    if (typeof body.contractEnd === 'string')
      await this.options.onContractEndMoved?.(after, before.contractEnd, actor);
    return after;
  }

  /**
   * The supplier of every new door (grant, lend, service credential, manual door): the one place a door gets its
   * supplier, so the one place an incident's block is enforced (a 409 before anything is started).
   *
   * The supplier a grant request names: by `supplierId` (unknown: a 400 naming it), or by organisation, found by
   * its canonical key or created on the fly. A supplier created that way has the requester as sponsor — with
   * the requester's token name as e-mail when that name is an address — and the contact given, if any.
   */
  async forGrant(reference: SupplierReference, actor: Actor): Promise<SupplierRecord> {
    if (reference.supplierId !== undefined) {
      const supplier = await this.options.registry.getSupplier(reference.supplierId);
      if (!supplier) throw invalid([{ field: 'supplierId', rule: 'must name a registered supplier' }]);
      return refuseIfBlocked(supplier);
    }
    const { organisation, contactEmail } = reference.supplier ?? { organisation: '' };
    const key = supplierKey(organisation);
    const found = await this.options.registry.getSupplierByKey(key);
    if (found) return refuseIfBlocked(found);
    const stamp = new Date(this.now()).toISOString();
    return this.options.registry.insertSupplier({
      id: randomUUID(),
      key,
      legalName: organisation,
      contactEmails: contactEmail ? [contactEmail] : [],
      sponsor: { name: actor.name, ...(EMAIL.test(actor.name) ? { email: actor.name } : {}) },
      createdBy: actor.name,
      createdAt: stamp,
      updatedAt: stamp,
    });
  }

  /**
   * A 400 naming `field` when the expiry runs past the supplier's contract end: no door of a supplier may outlive
   * its contract. Grants without a supplier on record are not held to one.
   */
  async checkExpiry(supplierId: string | undefined, expiresAt: string, field: string): Promise<void> {
    if (supplierId === undefined) return;
    const supplier = await this.options.registry.getSupplier(supplierId);
    checkContractEnd(supplier, expiresAt, field);
  }

  /**
   * A 409 when an incident blocks the door's supplier: an extension keeps a door open longer, as a new door
   * would. Grants without a supplier on record have no block.
   */
  async checkNotBlocked(supplierId: string | undefined): Promise<void> {
    if (supplierId === undefined) return;
    const supplier = await this.options.registry.getSupplier(supplierId);
    if (supplier) refuseIfBlocked(supplier);
  }

  /**
   * A 409 when an incident blocks the supplier, or when the grant's pending extension runs past a contract end
   * moved earlier since it was asked for.
   */
  async checkPendingExtension(grant: GrantRecord): Promise<void> {
    await this.checkNotBlocked(grant.supplierId);
    const asked = grant.pendingExtension?.expiresAt;
    if (asked === undefined || grant.supplierId === undefined) return;
    const end = (await this.options.registry.getSupplier(grant.supplierId))?.contractEnd;
    if (end !== undefined && Date.parse(asked) > Date.parse(end))
      throw problem(409, `the extension asks for ${asked}, after the supplier's contract end (${end})`);
  }
}

/** Throws a 400 naming `field` when `expiresAt` is after the supplier's contract end. */
export function checkContractEnd(supplier: SupplierRecord | null, expiresAt: string, field: string): void {
  const end = supplier?.contractEnd;
  if (end !== undefined && Date.parse(expiresAt) > Date.parse(end)) {
    throw invalid([
      {
        field,
        rule: `must not be after the supplier's contract end (${end}): no access outlives the contract`,
      },
    ]);
  }
}

/**
 * The supplier, or a 409 naming the incident whose block holds it: no new door (nor a longer one) for a supplier
 * under an incident until an admin lifts the block (`DELETE /v1/suppliers/{id}/block`).
 */
export function refuseIfBlocked(supplier: SupplierRecord): SupplierRecord {
  const { block } = supplier;
  if (!block) return supplier;
  throw problem(
    409,
    `supplier ${supplier.legalName} is blocked by incident ${block.incidentId}; an admin must lift the block first`,
    { incidentId: block.incidentId, supplierId: supplier.id },
  );
}
