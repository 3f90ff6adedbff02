import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createIncidentActivities } from '../../activities/incidents.js';
import type { IncidentDoor, IncidentRecord } from '../../domain/incident.js';
import type { SupplierRecord } from '../../domain/supplier.js';
import { createLogger } from '../../src/logger.js';
import { openRegistry } from '../../src/registry/store.js';
import type { GrantRecord, RegistryStore } from '../../src/registry/types.js';
import {
  addGrant,
  at,
  DAY,
  end,
  failProvisioning,
  HOUR,
  provision,
  supplierRecord,
} from '../registry/grants.js';

let dir: string;
let registry: RegistryStore;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'incident-activities-'));
  registry = await openRegistry({ dataDir: dir });
});

afterAll(async () => {
  await registry?.close();
  rmSync(dir, { recursive: true, force: true });
});

const activities = () => createIncidentActivities({ registry, logger: createLogger('silent') });

/** Opens an incident on the supplier at `when`, its doors being `grants`, as the API would. */
async function openOn(
  supplier: SupplierRecord,
  grants: GrantRecord[],
  when: string,
): Promise<IncidentRecord> {
  const id = randomUUID();
  const doors: IncidentDoor[] = grants.map((g) => ({
    incidentId: id,
    kind: g.door,
    doorId: g.id,
    provider: g.provider,
    name: g.username,
    heldFrom: g.createdAt,
    action: 'revoke',
    requestedAt: when,
  }));
  const opened = await registry.openIncident(
    {
      id,
      supplierId: supplier.id,
      supplierName: supplier.legalName,
      reason: 'breach',
      discoveredAt: when,
      doors: 'closing',
      createdBy: 'ada',
      createdAt: when,
      updatedAt: when,
      revision: 0,
    },
    doors,
  );
  if (!('incident' in opened)) throw new Error('already blocked');
  return opened.incident;
}

describe('looking at an incident’s doors', () => {
  it('records each door closed at its own time: a closed grant at its closing, a failed grant at its end', async () => {
    const supplier = await registry.insertSupplier(supplierRecord(`Looked At ${randomUUID().slice(0, 6)}`));
    const closing = await addGrant(registry, { supplierId: supplier.id });
    await provision(registry, closing, at(HOUR));
    const failing = await addGrant(registry, { supplierId: supplier.id });
    const incident = await openOn(supplier, [closing, failing], at(DAY));
    const ref = { incidentId: incident.id, supplierId: supplier.id, at: at(DAY) };
    const look = activities();

    expect((await look.incidentDoorsToClose(ref)).grants.map((g) => g.grantId).sort()).toEqual(
      [closing.id, failing.id].sort(),
    );
    expect(await look.checkIncidentDoors(ref)).toMatchObject({ pending: 2, closed: 0 });

    await failProvisioning(registry, failing, at(DAY + 1_000));
    await end(registry, closing, at(DAY + 2_000), 'revoked', at(DAY + 60_000));
    const later = { ...ref, at: at(DAY + HOUR) };
    const check = await look.checkIncidentDoors(later);
    expect(check).toMatchObject({ pending: 0, closed: 2, doorsClosedAt: at(DAY + 60_000) });
    const doors = await registry.listIncidentDoors(incident.id);
    expect(Object.fromEntries(doors.map((d) => [d.doorId, d.closedAt]))).toEqual({
      [closing.id]: at(DAY + 60_000),
      [failing.id]: at(DAY + 1_000),
    });
    expect(await registry.getIncident(incident.id)).toMatchObject({
      doors: 'closed',
      doorsClosedAt: at(DAY + 60_000),
    });
    // A look again (a retried activity) changes nothing.
    expect(await look.checkIncidentDoors(later)).toMatchObject({
      pending: 0,
      closed: 0,
      doorsClosedAt: at(DAY + 60_000),
    });
  });

  it('adds a live door the entry lacks, to be revoked', async () => {
    const supplier = await registry.insertSupplier(supplierRecord(`Slipped ${randomUUID().slice(0, 6)}`));
    const incident = await openOn(supplier, [], at(DAY));
    const slipped = await addGrant(registry, { supplierId: supplier.id, createdAt: at(DAY - 1_000) });
    await provision(registry, slipped, at(DAY - 500));
    const ref = { incidentId: incident.id, supplierId: supplier.id, at: at(DAY + 1_000) };
    expect((await activities().incidentDoorsToClose(ref)).grants).toEqual([
      { grantId: slipped.id, workflowId: slipped.workflowId },
    ]);
    expect(await registry.listIncidentDoors(incident.id)).toMatchObject([
      { doorId: slipped.id, kind: 'account', action: 'revoke', requestedAt: ref.at },
    ]);
  });
});
