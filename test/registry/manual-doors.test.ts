import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ManualDoorRecord } from '../../domain/manual-door.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { backends, type Backend } from './backends.js';
import { openRegistryBefore } from './legacy.js';
import { at, DAY, HOUR, supplierRecord } from './grants.js';

/** A manual door as a requester records it: created at `created`, to be closed by `until`. */
function manualDoor(supplierId: string, created: number, until: number): ManualDoorRecord {
  return {
    id: randomUUID(),
    supplierId,
    what: 'Zapier connection to the CRM',
    where: 'zapier.com, team workspace',
    custodian: { name: 'carol', email: 'carol@corp.example' },
    until: at(until),
    reason: 'Lead import during the migration',
    requestedBy: 'rita',
    createdAt: at(created),
    status: 'open',
  };
}

describe.each(backends)('manual doors in the registry on $name', ({ start }) => {
  let backend: Backend;
  let store: RegistryStore;

  beforeAll(async () => {
    backend = await start();
    store = await openRegistry(await backend.freshDatabase());
  });
  afterAll(async () => {
    await store?.close();
    await backend?.stop();
  });

  it('records a door with its creation, lists it by supplier and status, and counts it open until it is attested closed', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Manual'));
    const other = await store.insertSupplier(supplierRecord('Other Manual'));
    const door = await store.insertManualDoor(manualDoor(acme.id, DAY, 10 * DAY));
    const otherDoor = await store.insertManualDoor(manualDoor(other.id, 2 * DAY, 10 * DAY));
    expect(await store.getManualDoor(door.id)).toEqual(door);
    expect(await store.insertManualDoor({ ...door, what: 'again' })).toEqual(door);
    expect(await store.listManualDoorEvents(door.id)).toEqual([
      { manualDoorId: door.id, type: 'created', at: at(DAY), actor: 'rita' },
    ]);
    const ofAcme = await store.listManualDoors({ supplierId: acme.id, limit: 10 });
    expect(ofAcme.manualDoors.map((d) => d.id)).toEqual([door.id]);

    expect((await store.markManualDoorOverdue(door.id))?.status).toBe('overdue');
    const overdue = await store.listManualDoors({ status: 'overdue', limit: 10 });
    expect(overdue.manualDoors.map((d) => d.id)).toEqual([door.id]);

    const closed = await store.closeManualDoor(door.id, {
      actor: 'carol',
      at: at(11 * DAY),
      note: 'removed the Zap',
    });
    expect(closed).toMatchObject({
      status: 'closed',
      closedAt: at(11 * DAY),
      closedBy: 'carol',
      note: 'removed the Zap',
    });
    // A second attestation keeps the first one; an overdue mark no longer reopens it.
    expect(await store.closeManualDoor(door.id, { actor: 'admin', at: at(12 * DAY) })).toEqual(closed);
    expect((await store.markManualDoorOverdue(door.id))?.status).toBe('closed');
    expect((await store.listManualDoorEvents(door.id)).map((e) => [e.type, e.actor, e.details])).toEqual([
      ['created', 'rita', undefined],
      ['attested-closed', 'carol', { note: 'removed the Zap' }],
    ]);

    const live = async (offset: number) => (await store.liveManualDoors(at(offset))).map((d) => d.id);
    expect(await live(DAY - HOUR)).toEqual([]);
    expect(await live(DAY)).toEqual([door.id]);
    expect(await live(3 * DAY)).toEqual([door.id, otherDoor.id]);
    expect(await live(11 * DAY)).toEqual([otherDoor.id]);
    // Without an instant: now, years before these doors were made.
    expect(await store.liveManualDoors()).toEqual([]);
    const activeThen = await store.listManualDoors({ activeAt: at(3 * DAY), limit: 10 });
    expect(activeThen.manualDoors.map((d) => d.id)).toEqual([otherDoor.id, door.id]);
    expect(await store.closeManualDoor(randomUUID(), { actor: 'carol', at: at(DAY) })).toBeNull();
  });

  it('records each reminder and escalation once however often a retried activity records it', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Notices'));
    const door = await store.insertManualDoor(manualDoor(acme.id, DAY, 10 * DAY));
    const reminder = {
      manualDoorId: door.id,
      type: 'reminder-sent' as const,
      key: '7d',
      at: at(3 * DAY),
      actor: 'system',
      details: { dueAt: door.until },
    };
    await store.recordManualDoorNotice(reminder);
    await store.recordManualDoorNotice(reminder);
    await Promise.all(
      [1, 2, 3].map(() => store.recordManualDoorNotice({ ...reminder, type: 'escalated', key: 'day-1' })),
    );
    await store.recordManualDoorNotice({ ...reminder, type: 'escalated', key: 'day-2' });
    const trail = await store.listManualDoorEvents(door.id);
    expect(trail.map((e) => e.type)).toEqual(['created', 'reminder-sent', 'escalated', 'escalated']);
    expect(trail[1]?.details).toEqual({ dueAt: door.until });
  });

  it('pages newest first', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Paging'));
    const doors = [];
    for (let n = 0; n < 3; n++)
      doors.push(await store.insertManualDoor(manualDoor(acme.id, 20 * DAY + n, 30 * DAY)));
    const first = await store.listManualDoors({ supplierId: acme.id, limit: 2 });
    expect(first.manualDoors.map((d) => d.id)).toEqual([doors[2]?.id, doors[1]?.id]);
    const second = await store.listManualDoors({ supplierId: acme.id, limit: 2, after: first.next });
    expect(second.manualDoors.map((d) => d.id)).toEqual([doors[0]?.id]);
    expect(second.next).toBeUndefined();
  });
});

/** `0010-manual-doors` on a registry the release before it wrote: its suppliers get doors, nothing else changes. */
describe.each(backends)('the manual doors migration on $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('adds manual doors to a registry written before them, for the suppliers it holds', async () => {
    const acme = supplierRecord('Acme Before Doors');
    const store = await openRegistryBefore(backend, '0010-manual-doors', acme);
    try {
      expect((await store.getSupplier(acme.id))?.legalName).toBe(acme.legalName);
      const door = await store.insertManualDoor(manualDoor(acme.id, DAY, 10 * DAY));
      expect((await store.liveManualDoors(at(2 * DAY))).map((d) => d.id)).toEqual([door.id]);
      await expect(store.insertManualDoor(manualDoor(randomUUID(), DAY, 10 * DAY))).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
