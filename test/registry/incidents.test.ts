import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { IncidentDoor, IncidentRecord } from '../../domain/incident.js';
import type { ManualDoorRecord } from '../../domain/manual-door.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { backends, type Backend, type RegistryLocation } from './backends.js';
import { openRegistryBefore } from './legacy.js';
import { callInOtherProcess } from './other-process.js';
import { addGrant, at, DAY, end, failProvisioning, HOUR, provision, supplierRecord } from './grants.js';

/** An entry as the API opens it, `offset` after the tests' origin. */
function incident(supplierId: string | undefined, offset: number, reason = 'ransomware'): IncidentRecord {
  return {
    id: randomUUID(),
    ...(supplierId ? { supplierId } : {}),
    reason,
    discoveredAt: at(offset - HOUR),
    doors: supplierId ? 'closing' : 'none',
    createdBy: 'ada',
    createdAt: at(offset),
    updatedAt: at(offset),
    revision: 0,
  };
}

function door(incidentId: string, doorId: string, offset: number): IncidentDoor {
  return {
    incidentId,
    kind: 'account',
    doorId,
    provider: 'ldap',
    name: `sup-${doorId}`,
    heldFrom: at(0),
    action: 'revoke',
    requestedAt: at(offset),
  };
}

function manualDoor(supplierId: string, created: number): ManualDoorRecord {
  return {
    id: randomUUID(),
    supplierId,
    what: 'Zapier connection to the CRM',
    where: 'zapier.com',
    custodian: { name: 'carol' },
    until: at(created + 30 * DAY),
    reason: 'Lead import',
    requestedBy: 'rita',
    createdAt: at(created),
    status: 'open',
  };
}

describe.each(backends)('the incident register on $name', ({ start }) => {
  let backend: Backend;
  let location: RegistryLocation;
  let store: RegistryStore;

  beforeAll(async () => {
    backend = await start();
    location = await backend.freshDatabase();
    store = await openRegistry(location);
  });
  afterAll(async () => {
    await store?.close();
    await backend?.stop();
  });

  it('opens an entry that blocks the supplier and lists the doors to close; a second open is refused, the lift recorded', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Breached'));
    const record = incident(acme.id, DAY);
    const doors = [door(record.id, 'g1', DAY), door(record.id, 'g2', DAY)];
    const opened = await store.openIncident(record, doors);
    expect(opened).toEqual({
      incident: { ...record, supplierName: 'Acme Breached', discoveredAt: at(DAY - HOUR) },
    });
    expect(await store.getIncident(record.id)).toEqual((opened as { incident: IncidentRecord }).incident);
    expect((await store.getSupplier(acme.id))?.block).toEqual({
      incidentId: record.id,
      since: at(DAY),
      by: 'ada',
    });
    const listed = await store.listSuppliers({ name: 'Acme Breached', limit: 10 });
    expect(listed.suppliers[0]?.block?.incidentId).toBe(record.id);
    expect(await store.listIncidentDoors(record.id)).toEqual(doors);
    expect((await store.listIncidentEvents(record.id)).map((e) => [e.type, e.actor, e.details])).toEqual([
      ['opened', 'ada', { reason: 'ransomware', discoveredAt: at(DAY - HOUR) }],
      ['supplier-blocked', 'ada', { supplierId: acme.id }],
      ['door-close-requested', 'ada', { kind: 'account', doorId: 'g1', action: 'revoke' }],
      ['door-close-requested', 'ada', { kind: 'account', doorId: 'g2', action: 'revoke' }],
    ]);

    const again = incident(acme.id, 2 * DAY);
    expect(await store.openIncident(again, [door(again.id, 'g3', 2 * DAY)])).toEqual({
      blockedBy: record.id,
    });
    expect(await store.getIncident(again.id)).toBeNull();
    expect(await store.listIncidentDoors(again.id)).toEqual([]);

    const by = { actor: 'bob', at: at(3 * DAY), reason: 'supplier cleaned its laptops' };
    expect(await store.liftSupplierBlock(acme.id, by)).toEqual({ incidentId: record.id });
    expect((await store.getSupplier(acme.id))?.block).toBeUndefined();
    expect(await store.liftSupplierBlock(acme.id, by)).toBeNull();
    expect(await store.liftSupplierBlock(randomUUID(), by)).toBeNull();
    expect((await store.listIncidentEvents(record.id)).at(-1)).toEqual({
      incidentId: record.id,
      type: 'block-lifted',
      at: at(3 * DAY),
      actor: 'bob',
      details: { reason: 'supplier cleaned its laptops' },
    });
    // Once lifted, another incident may block it again.
    expect(await store.openIncident(again, [])).toHaveProperty('incident.id', again.id);
    expect((await store.getSupplier(acme.id))?.block?.incidentId).toBe(again.id);
  });

  it('leaves exactly one block when admins in several processes open an incident on one supplier at once', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Raced'));
    const records = [1, 2, 3].map((n) => incident(acme.id, DAY + n));
    const startAt = Date.now() + 8000;
    const answers = await Promise.all(
      records.map((r) =>
        callInOtherProcess(location, startAt, 'openIncident', [r, [door(r.id, `d-${r.id}`, DAY)]]),
      ),
    );
    const winners = answers.filter((a) => typeof a === 'object' && a !== null && 'incident' in a);
    expect(winners).toHaveLength(1);
    const winner = (winners[0] as { incident: IncidentRecord }).incident.id;
    expect(answers.filter((a) => a !== winners[0])).toEqual([{ blockedBy: winner }, { blockedBy: winner }]);
    expect((await store.getSupplier(acme.id))?.block?.incidentId).toBe(winner);
    const page = await store.listIncidents({ supplierId: acme.id, limit: 10 });
    expect(page.incidents.map((i) => i.id)).toEqual([winner]);
    expect((await store.listIncidentDoors(winner)).map((d) => d.doorId)).toEqual([`d-${winner}`]);
  }, 60_000);

  it('keeps an incident without a supplier in the same register, closing nothing', async () => {
    const record = incident(undefined, DAY, 'internal account phished');
    const opened = await store.openIncident(record, [door(record.id, 'ignored', DAY)]);
    expect(opened).toEqual({ incident: { ...record, doors: 'none' } });
    expect(await store.listIncidentDoors(record.id)).toEqual([]);
    expect((await store.listIncidentEvents(record.id)).map((e) => e.type)).toEqual(['opened']);
  });

  it('keeps every change of an entry with its value before and after, and nothing for a change that changes nothing', async () => {
    const record = incident(undefined, DAY);
    await store.openIncident({ ...record, measures: 'passwords reset' }, []);
    const by = { actor: 'bob', at: at(2 * DAY) };
    const first = await store.updateIncident(
      record.id,
      {
        personsConcerned: 120,
        seriousRisk: true,
        occurredFrom: '2031-02-27T00:00:00Z',
        measures: null,
        reason: 'ransomware',
      },
      by,
    );
    expect(first?.changes).toEqual({
      personsConcerned: { from: null, to: 120 },
      seriousRisk: { from: null, to: true },
      occurredFrom: { from: null, to: '2031-02-27T00:00:00.000Z' },
      measures: { from: 'passwords reset', to: null },
    });
    expect(first?.incident).toMatchObject({ personsConcerned: 120, seriousRisk: true, revision: 1 });
    expect(first?.incident.updatedAt).toBe(at(2 * DAY));
    expect(first?.incident.measures).toBeUndefined();

    // The same values again, an instant spelled otherwise: no change, nothing written.
    const same = await store.updateIncident(
      record.id,
      { personsConcerned: 120, seriousRisk: true, occurredFrom: '2031-02-27T00:00:00.000+00:00' },
      { actor: 'eve', at: at(3 * DAY) },
    );
    expect(same).toEqual({ incident: first?.incident, changes: {} });
    const second = await store.updateIncident(
      record.id,
      { seriousRisk: false },
      { actor: 'eve', at: at(4 * DAY) },
    );
    expect(second?.incident).toMatchObject({ seriousRisk: false, revision: 2, updatedAt: at(4 * DAY) });
    const updates = (await store.listIncidentEvents(record.id)).filter((e) => e.type === 'updated');
    expect(updates.map((e) => [e.actor, e.at, e.changes])).toEqual([
      ['bob', at(2 * DAY), first?.changes],
      ['eve', at(4 * DAY), { seriousRisk: { from: true, to: false } }],
    ]);
    await expect(store.updateIncident(record.id, { reason: null }, by)).rejects.toThrow(/reason/);
    expect(await store.updateIncident(randomUUID(), { measures: 'x' }, by)).toBeNull();
  });

  it('records each door closing once with its own time, the last one once, and each notice once', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Closing'));
    const record = incident(acme.id, DAY);
    await store.openIncident(record, [door(record.id, 'a', DAY)]);
    await store.addIncidentDoors(record.id, [
      { ...door(record.id, 'a', 2 * DAY), name: 'changed' },
      { ...door(record.id, 'late', DAY + 1), kind: 'lend', action: 'end-lend' },
    ]);
    expect((await store.listIncidentDoors(record.id)).map((d) => [d.doorId, d.name])).toEqual([
      ['a', 'sup-a'],
      ['late', 'sup-late'],
    ]);
    await store.markIncidentDoorClosed(record.id, 'a', at(DAY + 5));
    await store.markIncidentDoorClosed(record.id, 'a', at(DAY + 9));
    await store.markIncidentDoorClosed(record.id, 'late', '2031-03-02T08:00:00.007Z');
    expect((await store.listIncidentDoors(record.id)).map((d) => d.closedAt)).toEqual([
      at(DAY + 5),
      at(DAY + 7),
    ]);
    await Promise.all([1, 2].map(() => store.markIncidentDoorsClosed(record.id, at(DAY + 7))));
    await store.markIncidentDoorsClosed(record.id, at(DAY + 20));
    expect(await store.getIncident(record.id)).toMatchObject({ doors: 'closed', doorsClosedAt: at(DAY + 7) });
    const notice = {
      incidentId: record.id,
      type: 'admins-notified' as const,
      key: 'opened-email',
      at: at(DAY + 2),
      actor: 'supplier-access',
      details: { notice: 'opened', channel: 'email' },
    };
    await Promise.all([1, 2, 3].map(() => store.recordIncidentEvent(notice)));
    await store.recordIncidentEvent({
      ...notice,
      key: 'opened-webhook',
      details: { notice: 'opened', channel: 'webhook' },
    });
    const trail = await store.listIncidentEvents(record.id);
    expect(trail.map((e) => [e.type, e.details?.doorId ?? e.details?.channel ?? e.details?.count])).toEqual([
      ['opened', undefined],
      ['supplier-blocked', undefined],
      ['door-close-requested', 'a'],
      ['door-close-requested', 'late'],
      ['door-closed', 'a'],
      ['door-closed', 'late'],
      ['doors-closed', '2'],
      ['admins-notified', 'email'],
      ['admins-notified', 'webhook'],
    ]);
    expect(trail[0]?.details).not.toHaveProperty('key');
  });

  it('lists the register newest first, by supplier and by when it was discovered', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Listed'));
    const made: IncidentRecord[] = [];
    for (let n = 0; n < 3; n++) {
      const record = incident(undefined, 40 * DAY + n * DAY);
      await store.openIncident(record, []);
      made.push(record);
    }
    const ofAcme = incident(acme.id, 50 * DAY);
    await store.openIncident(ofAcme, []);
    const window = { discoveredFrom: at(40 * DAY - HOUR), discoveredBefore: at(50 * DAY - HOUR) };
    const first = await store.listIncidents({ ...window, limit: 2 });
    expect(first.incidents.map((i) => i.id)).toEqual([made[2]?.id, made[1]?.id]);
    const second = await store.listIncidents({ ...window, limit: 2, after: first.next });
    expect(second.incidents.map((i) => i.id)).toEqual([made[0]?.id]);
    expect(second.next).toBeUndefined();
    expect(
      (await store.listIncidents({ supplierId: acme.id, limit: 10 })).incidents.map((i) => i.id),
    ).toEqual([ofAcme.id]);
  });

  it('pre-fills the doors the supplier held during the period, of every kind, from when to when', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Held'));
    const period = { from: at(10 * DAY), until: at(20 * DAY) };
    const closedBefore = await addGrant(store, { supplierId: acme.id, createdAt: at(0) });
    await provision(store, closedBefore, at(HOUR));
    await end(store, closedBefore, at(5 * DAY), 'revoked');
    // Ended before the period, but its directory was down: open until closed, within the period.
    const closedLate = await addGrant(store, { supplierId: acme.id, createdAt: at(DAY) });
    await provision(store, closedLate, at(DAY + HOUR));
    await end(store, closedLate, at(5 * DAY), 'revoked', at(12 * DAY));
    const lend = await addGrant(store, { supplierId: acme.id, createdAt: at(15 * DAY), door: 'lend' });
    await provision(store, lend, at(15 * DAY + HOUR));
    const service = await addGrant(store, { supplierId: acme.id, createdAt: at(20 * DAY), door: 'service' });
    const failed = await addGrant(store, { supplierId: acme.id, createdAt: at(11 * DAY) });
    await failProvisioning(store, failed, at(11 * DAY + 1));
    await addGrant(store, { supplierId: acme.id, createdAt: at(21 * DAY) });
    await addGrant(store, { createdAt: at(11 * DAY) });
    const manual = await store.insertManualDoor(manualDoor(acme.id, 9 * DAY));
    await store.closeManualDoor(manual.id, { actor: 'carol', at: at(10 * DAY) });
    await store.insertManualDoor(manualDoor(acme.id, 21 * DAY));

    const held = await store.heldDoors(acme.id, period.from, period.until);
    expect(held).toEqual([
      {
        kind: 'account',
        doorId: closedLate.id,
        provider: 'ldap',
        name: closedLate.username,
        from: at(DAY + HOUR),
        until: at(12 * DAY),
        status: 'revoked',
      },
      {
        kind: 'manual',
        doorId: manual.id,
        name: manual.what,
        from: at(9 * DAY),
        until: at(10 * DAY),
        status: 'closed',
      },
      {
        kind: 'lend',
        doorId: lend.id,
        provider: 'ldap',
        name: lend.username,
        from: at(15 * DAY + HOUR),
        status: 'active',
      },
      {
        kind: 'service',
        doorId: service.id,
        provider: 'ldap',
        name: service.username,
        from: at(20 * DAY),
        status: 'provisioning',
      },
    ]);
  });

  it('flags a manual door once per incident however often a retried activity flags it', async () => {
    const acme = await store.insertSupplier(supplierRecord('Acme Flagged'));
    const manual = await store.insertManualDoor(manualDoor(acme.id, DAY));
    const flag = {
      manualDoorId: manual.id,
      type: 'incident-flagged' as const,
      key: 'incident-1',
      at: at(2 * DAY),
      actor: 'ada',
      details: { incidentId: 'incident-1' },
    };
    const answers = await Promise.all([1, 2, 3].map(() => store.recordManualDoorNotice(flag)));
    expect(answers.sort()).toEqual([false, false, true]);
    expect(await store.recordManualDoorNotice({ ...flag, key: 'incident-2' })).toBe(true);
    expect(await store.recordManualDoorNotice({ ...flag, manualDoorId: randomUUID() })).toBe(false);
    const trail = await store.listManualDoorEvents(manual.id);
    expect(trail.map((e) => [e.type, e.details])).toEqual([
      ['created', undefined],
      ['incident-flagged', { incidentId: 'incident-1' }],
      ['incident-flagged', { incidentId: 'incident-1' }],
    ]);
  });
});

/** `0012-incidents` on a registry the release before it wrote: its suppliers are not blocked and can be. */
describe.each(backends)('the incidents migration on $name', ({ start }) => {
  let backend: Backend;

  beforeAll(async () => {
    backend = await start();
  });
  afterAll(async () => {
    await backend?.stop();
  });

  it('adds the register to a registry written before it, for the suppliers and grants it holds', async () => {
    const acme = supplierRecord('Acme Before Incidents');
    const store = await openRegistryBefore(backend, '0012-incidents', acme);
    try {
      const stored = await store.getSupplier(acme.id);
      expect(stored?.legalName).toBe(acme.legalName);
      expect(stored).not.toHaveProperty('block');
      const grant = await addGrant(store, { supplierId: acme.id, createdAt: at(DAY) });
      const record = incident(acme.id, 2 * DAY);
      expect(await store.openIncident(record, [door(record.id, grant.id, 2 * DAY)])).toHaveProperty(
        'incident.supplierName',
        acme.legalName,
      );
      expect((await store.getSupplier(acme.id))?.block?.incidentId).toBe(record.id);
      await expect(store.openIncident(incident(randomUUID(), 2 * DAY), [])).rejects.toThrow();
    } finally {
      await store.close();
    }
  });
});
