import { randomUUID } from 'node:crypto';
import { setTimeout as delay } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createOktaProvider } from '../../providers/okta/index.js';
import type { IdentityProvider } from '../../providers/types.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { openIncident, recordSupplier } from '../helpers/incidents.js';
import { canBind } from '../helpers/ldap.js';
import { WorkflowHarness } from '../helpers/workflow-harness.js';

let h: WorkflowHarness;
let fake: OktaFake;
let okta: IdentityProvider;

beforeAll(async () => {
  // A slapd of the file's own: this file stops it.
  [h, fake] = await Promise.all([
    WorkflowHarness.start('incident-outage', { ownSlapd: true }),
    startOktaFake(),
  ]);
  okta = createOktaProvider({
    orgUrl: fake.url,
    apiToken: fake.apiToken,
    loginDomain: 'suppliers.example.test',
    rateLimit: { requestsPerMinute: 1_000_000, maxConcurrent: 20 },
  });
}, 120_000);

afterAll(async () => {
  await okta?.close();
  await fake?.close();
  await h?.stop();
});

describe('an incident while a directory is down', () => {
  it('closes the doors of the directories that answer at once, and those of the one down when it returns', async () => {
    await h.withWorker(
      async () => {
        const supplier = await recordSupplier(h, `Outage ${randomUUID().slice(0, 6)} inc.`);
        const overrides = { supplierId: supplier.id };
        const onLdap = await h.startGrant(supplier.legalName, 30, overrides);
        const dn = h.dnOf(onLdap.input);
        // Okta mails its user an activation instead of handing out a password: nothing to claim.
        const onOkta = await h.startGrant(
          supplier.legalName,
          30,
          { ...overrides, provider: 'okta' },
          { claim: false },
        );
        await vi.waitFor(
          async () => expect((await h.registry.getGrant(onOkta.input.grantId))?.status).toBe('active'),
          { timeout: 30_000, interval: 200 },
        );
        const oktaStatus = () =>
          [...fake.users.values()].find((u) =>
            String(u.profile.login).startsWith(`${onOkta.input.username}@`),
          )?.status;
        expect(oktaStatus()).toBe('PROVISIONED');

        await h.slapd.stop();
        const { incident, handle } = await openIncident(h, supplier);
        const doorOf = async (grantId: string) =>
          (await h.registry.listIncidentDoors(incident.id)).find((d) => d.doorId === grantId);

        // Okta's door closes while the directory is down.
        await vi.waitFor(async () => expect((await doorOf(onOkta.input.grantId))?.closedAt).toBeTruthy(), {
          timeout: 60_000,
          interval: 200,
        });
        expect(['SUSPENDED', 'DEPROVISIONED']).toContain(oktaStatus());
        const oktaGrant = await h.registry.getGrant(onOkta.input.grantId);
        expect((await doorOf(onOkta.input.grantId))?.closedAt).toBe(oktaGrant?.closedAt);
        // The directory's own door waits for it, and so does the entry.
        await delay(3_000);
        expect((await doorOf(onLdap.input.grantId))?.closedAt).toBeUndefined();
        expect((await h.registry.getGrant(onLdap.input.grantId))?.closedAt).toBeUndefined();
        expect((await h.registry.getIncident(incident.id))?.doors).toBe('closing');

        const returned = new Date().toISOString();
        await h.slapd.start();
        const outcome = await handle.result();
        const ldapDoor = await doorOf(onLdap.input.grantId);
        // Recorded when it really closed: after the directory came back.
        expect(ldapDoor?.closedAt && ldapDoor.closedAt > returned).toBe(true);
        expect(ldapDoor?.closedAt).toBe((await h.registry.getGrant(onLdap.input.grantId))?.closedAt);
        expect(outcome.doorsClosedAt).toBe(ldapDoor?.closedAt);
        expect(await h.registry.getIncident(incident.id)).toMatchObject({
          doors: 'closed',
          doorsClosedAt: ldapDoor?.closedAt,
        });
        expect(await canBind(h.slapd.url, dn, onLdap.password)).toBe(false);
      },
      { providers: new Map([['okta', okta]]) },
    );
  });
});
