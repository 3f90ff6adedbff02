import { DOOR_KINDS, type DoorKind } from '../../domain/shared-account.js';
import { ACTION_OF_DOOR, type IncidentDoor } from '../../domain/incident.js';
import type { ManualDoorRecord } from '../../domain/manual-door.js';
import { grantPages } from './grant-pages.js';
import type { ManualDoorStore } from './manual-door-store.js';
import type { GrantRecord, RegistryStore } from './types.js';

/** One open door, whatever its kind: a grant row (account, lend, service) or a manual door. */
export interface OpenDoor {
  kind: DoorKind;
  /** The grant's id, or the manual door's. */
  id: string;
  supplierId?: string | undefined;
  /** The supplier's legal name (or, for a grant made before suppliers were kept, its organisation as written). */
  supplier: string;
  /** The provider of a grant row; absent for a manual door. */
  provider?: string | undefined;
  /** The account or credential name of a grant row; absent for a manual door. */
  account?: string | undefined;
  /** A manual door's what and where, and its custodian; absent for grant rows. */
  what?: string | undefined;
  where?: string | undefined;
  custodian?: string | undefined;
  /** The grant's or the manual door's status (`active`, `extension-requested`, `overdue` …). */
  status: string;
  /** Since when it is open: the grant's provisioning (or creation), the manual door's creation. */
  since: string;
  /** Until when: the grant's expiry, the manual door's `until`. */
  until: string;
  requestedBy: string;
}

/** How many doors of each kind, and in all. */
export type DoorTotals = Record<DoorKind, number> & { total: number };

/** One supplier's open doors. */
export interface SupplierDoors {
  supplierId?: string | undefined;
  supplier: string;
  totals: DoorTotals;
  doors: OpenDoor[];
}

/** The answer to "how many doors are open at this instant, and to whom?". */
export interface OpenDoors {
  activeAt: string;
  totals: DoorTotals;
  /** By supplier name, then id; each supplier's doors by kind, then by `until`. */
  suppliers: SupplierDoors[];
}

/**
 * Where the doors are read: the registry's grants and, where the registry keeps them (`ManualDoorStore`), its manual
 * doors; a registry without them answers grant rows only.
 */
export interface OpenDoorSources {
  registry: Pick<RegistryStore, 'listGrants' | 'getSupplier'> &
    Partial<Pick<ManualDoorStore, 'liveManualDoors'>>;
}

/** Grants per page while the registry is walked; the answer is never paged. */
const PAGE = 500;

/**
 * Every door open at `activeAt`: the grant rows usable then (the registry's `activeAt` rule: an account is open
 * until it is closed, not merely until its grant ended) and the manual doors nobody had attested closed by then.
 */
export async function openDoors(
  { registry }: OpenDoorSources,
  { activeAt, supplierId }: { activeAt: string; supplierId?: string | undefined },
): Promise<OpenDoors> {
  const doors: OpenDoor[] = [];
  const names = new Map<string, string>();
  for await (const grants of grantPages(registry, { activeAt, supplierId, limit: PAGE })) {
    for (const grant of grants) doors.push(grantDoor(grant));
  }
  const manual = (await registry.liveManualDoors?.(activeAt)) ?? [];
  for (const door of manual) {
    if (supplierId === undefined || door.supplierId === supplierId) doors.push(manualDoor(door));
  }
  // The supplier's registered name, one look-up per supplier: grants say the organisation as each was written.
  for (const id of new Set(doors.flatMap((d) => (d.supplierId ? [d.supplierId] : [])))) {
    const supplier = await registry.getSupplier(id);
    if (supplier) names.set(id, supplier.legalName);
  }
  for (const door of doors) if (door.supplierId) door.supplier = names.get(door.supplierId) ?? door.supplier;
  return { activeAt, totals: totalsOf(doors), suppliers: bySupplier(doors) };
}

function grantDoor(grant: GrantRecord): OpenDoor {
  return {
    kind: grant.door,
    id: grant.id,
    supplierId: grant.supplierId,
    supplier: grant.organisation,
    provider: grant.provider,
    account: grant.username,
    status: grant.status,
    since: grant.provisionedAt ?? grant.createdAt,
    until: grant.expiresAt,
    requestedBy: grant.requestedBy,
  };
}

function manualDoor(door: ManualDoorRecord): OpenDoor {
  return {
    kind: 'manual',
    id: door.id,
    supplierId: door.supplierId,
    // Replaced by the supplier's name; the id stands in should the supplier be unknown.
    supplier: door.supplierId,
    what: door.what,
    where: door.where,
    custodian: door.custodian.name,
    status: door.status,
    since: door.createdAt,
    until: door.until,
    requestedBy: door.requestedBy,
  };
}

function totalsOf(doors: readonly OpenDoor[]): DoorTotals {
  const totals = { ...Object.fromEntries(DOOR_KINDS.map((kind) => [kind, 0])), total: 0 } as DoorTotals;
  for (const door of doors) {
    totals[door.kind] += 1;
    totals.total += 1;
  }
  return totals;
}

/** Code-unit order, the same from either store and in every locale. */
const compare = (a: string, b: string): number => (a === b ? 0 : a < b ? -1 : 1);

function bySupplier(doors: readonly OpenDoor[]): SupplierDoors[] {
  const groups = new Map<string, OpenDoor[]>();
  for (const door of doors) {
    const key = door.supplierId ?? `name:${door.supplier}`;
    groups.set(key, [...(groups.get(key) ?? []), door]);
  }
  return [...groups.values()]
    .map((group) => {
      const first = group[0] as OpenDoor;
      const sorted = [...group].sort(
        (a, b) =>
          DOOR_KINDS.indexOf(a.kind) - DOOR_KINDS.indexOf(b.kind) ||
          compare(a.until, b.until) ||
          compare(a.id, b.id),
      );
      return {
        supplierId: first.supplierId,
        supplier: first.supplier,
        totals: totalsOf(group),
        doors: sorted,
      };
    })
    .sort((a, b) => compare(a.supplier, b.supplier) || compare(a.supplierId ?? '', b.supplierId ?? ''));
}

/**
 * An open door as an incident records it, to be closed by the action its kind calls for: what the API records at
 * the open, and the incident's workflow for a door found later.
 */
export function incidentDoorOf(incidentId: string, door: OpenDoor, requestedAt: string): IncidentDoor {
  return {
    incidentId,
    kind: door.kind,
    doorId: door.id,
    provider: door.provider,
    name: door.account ?? door.what ?? door.id,
    heldFrom: door.since,
    action: ACTION_OF_DOOR[door.kind],
    requestedAt,
  };
}
