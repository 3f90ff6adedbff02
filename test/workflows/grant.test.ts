import { MockActivityEnvironment, type TestWorkflowEnvironment } from '@temporalio/testing';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { createActivities } from '../../activities/index.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ProviderError } from '../../providers/errors.js';
import type { IdentityProvider } from '../../providers/types.js';
import { buildApp } from '../../src/api/app.js';
import { TokenAuthenticator } from '../../src/api/auth.js';
import { GrantService } from '../../src/api/grant-service.js';
import type { LocalSlapd } from '../../src/local-stack/slapd.js';
import { createLogger } from '../../src/logger.js';
import { grantRecordFromInput, type RegistryStore } from '../../src/registry/types.js';
import type { grantWorkflow } from '../../workflows/grant.js';
import {
  approveExtensionUpdate,
  rejectExtensionUpdate,
  requestExtensionUpdate,
  revokeUpdate,
  stateQuery,
} from '../../workflows/messages.js';
import type { GrantInput } from '../../domain/grant.js';
import { canBind } from '../helpers/ldap.js';
import { DAY, keepHistory, requestedAt, WorkflowHarness } from '../helpers/workflow-harness.js';

const AUDITOR = 'auditor-token-0123456789ab';
let h: WorkflowHarness;
let env: TestWorkflowEnvironment;
let slapd: LocalSlapd;
let ldap: IdentityProvider;
let registry: RegistryStore;

beforeAll(async () => {
  h = await WorkflowHarness.start('grant-workflow');
  ({ env, slapd, ldap, registry } = h);
}, 120_000);

afterAll(async () => {
  await h?.stop();
});

/** Runs `body` with a worker whose LDAP provider may be wrapped (to make the directory fail). */
const withWorker = <T>(body: () => Promise<T>, provider?: IdentityProvider) =>
  h.withWorker(body, { provider });
const startGrant = (organisation: string, days: number) => h.startGrant(organisation, days);
const dnOf = (input: GrantInput) => h.dnOf(input);
const eventTypes = (grantId: string) => h.eventTypes(grantId);

describe('grantWorkflow on the time-skipping server, with a real slapd', () => {
  it('expires a 90-day grant on time: account locked, password rotated, events recorded', async () => {
    await withWorker(async () => {
      const { handle, input, password } = await startGrant('Ninety Days', 90);
      expect(await canBind(slapd.url, dnOf(input), password)).toBe(true);
      const final = await handle.result();
      expect(final.status).toBe('expired');
      const account = await ldap.findAccount(input.username);
      expect(account?.enabled).toBe(false);
      expect(await canBind(slapd.url, dnOf(input), password)).toBe(false);
      expect(await eventTypes(input.grantId)).toEqual([
        'created',
        'provisioned',
        'expired',
        'disabled',
        'credentials-rotated',
      ]);
      const expired = (await registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
      // Expired at the expiry instant of the workflow's clock, 90 days after creation.
      expect(Math.abs(Date.parse(expired!.at) - Date.parse(input.expiresAt))).toBeLessThan(1000);
      expect((await registry.getGrant(input.grantId))?.status).toBe('expired');
      await keepHistory('expired-after-90-days', handle);
    });
  });

  it('moves the deadline and the directory expiry when a second person approves an extension', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Extended Works', 30);
      const start = await env.currentTimeMs();
      const newExpiry = new Date(start + 60 * DAY).toISOString();
      const asked = await handle.executeUpdate(requestExtensionUpdate, {
        args: [{ grantId: input.grantId, expiresAt: newExpiry, reason: 'slipped', actor: 'rita' }],
      });
      const approved = await handle.executeUpdate(approveExtensionUpdate, {
        args: [{ grantId: input.grantId, actor: 'alice', requestedAt: requestedAt(asked) }],
      });
      expect(approved.status).toBe('active');
      expect(approved.expiresAt).toBe(newExpiry);
      expect((await ldap.findAccount(input.username))?.expiresAt).toBe(newExpiry.replace(/\.\d+Z$/, '.000Z'));

      await env.sleep(40 * DAY);
      expect((await handle.query(stateQuery)).status).toBe('active');
      const final = await handle.result();
      expect(final.status).toBe('expired');
      const expired = (await registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
      expect(Math.abs(Date.parse(expired!.at) - Date.parse(newExpiry))).toBeLessThan(1000);
      expect(
        (await registry.listEvents(input.grantId)).find((e) => e.type === 'extension-approved')?.actor,
      ).toBe('alice');
      await keepHistory('extension-approved', handle);
    });
  });

  it('keeps the original deadline when the extension is rejected', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Rejected Ltd', 10);
      const start = await env.currentTimeMs();
      const asked = await handle.executeUpdate(requestExtensionUpdate, {
        args: [
          {
            grantId: input.grantId,
            expiresAt: new Date(start + 50 * DAY).toISOString(),
            reason: 'please',
            actor: 'rita',
          },
        ],
      });
      const rejected = await handle.executeUpdate(rejectExtensionUpdate, {
        args: [{ grantId: input.grantId, actor: 'alice', reason: 'no', requestedAt: requestedAt(asked) }],
      });
      expect(rejected.status).toBe('active');
      expect(rejected.expiresAt).toBe(input.expiresAt);
      await handle.result();
      const expired = (await registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
      expect(Math.abs(Date.parse(expired!.at) - Date.parse(input.expiresAt))).toBeLessThan(1000);
      expect(await eventTypes(input.grantId)).toContain('extension-rejected');
    });
  });

  it('refuses an approval by the person who requested the extension', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Self Approval', 10);
      const start = await env.currentTimeMs();
      const asked = await handle.executeUpdate(requestExtensionUpdate, {
        args: [
          {
            grantId: input.grantId,
            expiresAt: new Date(start + 20 * DAY).toISOString(),
            reason: 'please',
            actor: 'rita',
          },
        ],
      });
      const attempt = handle.executeUpdate(approveExtensionUpdate, {
        args: [{ grantId: input.grantId, actor: 'rita', requestedAt: requestedAt(asked) }],
      });
      await expect(attempt).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      await attempt.catch((err: WorkflowUpdateFailedError) =>
        expect((err.cause as { type?: string }).type).toBe('FourEyes'),
      );
      const state = await handle.query(stateQuery);
      expect(state.status).toBe('extension-requested');
      expect(state.expiresAt).toBe(input.expiresAt);
      await handle.executeUpdate(revokeUpdate, {
        args: [{ grantId: input.grantId, actor: 'ada', reason: 'cleanup' }],
      });
    });
  });

  it('refuses an extension beyond MAX_GRANT_DAYS or before the current expiry', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Too Long', 10);
      const start = await env.currentTimeMs();
      for (const days of [91, 5]) {
        const attempt = handle.executeUpdate(requestExtensionUpdate, {
          args: [
            {
              grantId: input.grantId,
              expiresAt: new Date(start + days * DAY).toISOString(),
              reason: 'x',
              actor: 'rita',
            },
          ],
        });
        await expect(attempt).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
      }
      expect((await handle.query(stateQuery)).status).toBe('active');
      await handle.executeUpdate(revokeUpdate, {
        args: [{ grantId: input.grantId, actor: 'ada', reason: 'cleanup' }],
      });
    });
  });

  it('revokes at once: the update answers once the account is locked and rotated', async () => {
    await withWorker(async () => {
      const { handle, input, password } = await startGrant('Revoked Co', 60);
      const state = await handle.executeUpdate(revokeUpdate, {
        args: [{ grantId: input.grantId, actor: 'ada', reason: 'contract ended' }],
      });
      expect(state.status).toBe('revoked');
      expect((await ldap.findAccount(input.username))?.enabled).toBe(false);
      expect(await canBind(slapd.url, dnOf(input), password)).toBe(false);
      expect((await handle.result()).status).toBe('revoked');
      const revoked = (await registry.listEvents(input.grantId)).find((e) => e.type === 'revoked');
      expect(revoked?.actor).toBe('ada');
      expect(revoked?.details?.reason).toBe('contract ended');
      await keepHistory('revoked', handle);
    });
  });

  it('keeps a grant revoked last month in the registry export, with who revoked it and why', async () => {
    await withWorker(async () => {
      const { handle, input } = await startGrant('Last Month Ltd', 60);
      await handle.executeUpdate(revokeUpdate, {
        args: [{ grantId: input.grantId, actor: 'ada', reason: 'supplier replaced' }],
      });
      await handle.result();
      await env.sleep('31 days');

      const app = await buildApp({
        authenticator: new TokenAuthenticator([{ name: 'audrey', roles: ['auditor'], token: AUDITOR }]),
        service: new GrantService({
          client: env.client,
          registry,
          taskQueue: h.taskQueue,
          accountPrefix: 'sup-',
          maxGrantDays: 90,
          usernameLimits: new Map(),
        }),
        registry,
        policy: { providers: ['ldap'], maxGrantDays: 90 },
        logger: createLogger('silent'),
      });
      const csv = await app.inject({
        method: 'GET',
        url: '/v1/registry.csv',
        headers: { authorization: `Bearer ${AUDITOR}` },
      });
      await app.close();
      expect(csv.statusCode).toBe(200);
      const [header, ...rows] = csv.body.trim().split('\n');
      const columns = (header ?? '').split(',');
      const row = (rows.find((line) => line.startsWith(input.grantId)) ?? '').split(',');
      const cell = (name: string) => row[columns.indexOf(name)];
      expect(cell('organisation')).toBe('Last Month Ltd');
      expect(cell('ending')).toBe('revoked');
      expect(cell('endedBy')).toBe('ada');
      expect(cell('endReason')).toBe('supplier replaced');
      expect(Date.parse(cell('endedAt') ?? '')).toBeLessThanOrEqual((await env.currentTimeMs()) - 30 * DAY);
    });
  });

  it('retries a directory that fails during deprovisioning until it succeeds', async () => {
    let failuresLeft = 3;
    let disableCalls = 0;
    const flaky: IdentityProvider = {
      ...ldap,
      close: () => Promise.resolve(),
      async disableAccount(account) {
        disableCalls++;
        if (failuresLeft-- > 0) {
          throw new ProviderError('transient', 'connect ECONNREFUSED', {
            provider: 'ldap',
            operation: 'disable',
          });
        }
        return ldap.disableAccount(account);
      },
    };
    await withWorker(async () => {
      const { handle, input } = await startGrant('Flaky Directory', 5);
      expect((await handle.result()).status).toBe('expired');
      expect(disableCalls).toBe(4);
      expect((await ldap.findAccount(input.username))?.enabled).toBe(false);
      expect(await eventTypes(input.grantId)).toEqual([
        'created',
        'provisioned',
        'expired',
        'disabled',
        'credentials-rotated',
      ]);
    }, flaky);
  });

  it('keeps a provider refusal of a request field as a failure naming the field', async () => {
    await withWorker(async () => {
      const now = await env.currentTimeMs();
      const username = 'sup-no-such-group';
      const input: GrantInput = {
        grantId: crypto.randomUUID(),
        provider: 'ldap',
        supplier: { organisation: 'No Such Group' },
        username,
        displayName: 'No Such Group (supplier)',
        expiresAt: new Date(now + 5 * DAY).toISOString(),
        reason: 'maintenance',
        groups: [`cn=nope,${slapd.groupsDN}`],
        requestedBy: 'rita',
        createdAt: new Date(now).toISOString(),
        maxGrantDays: 90,
      };
      const handle = await env.client.workflow.start<typeof grantWorkflow>('grantWorkflow', {
        taskQueue: h.taskQueue,
        workflowId: `grant-ldap-${username}`,
        args: [input],
      });
      const final = await handle.result();
      expect(final.status).toBe('failed');
      const failure = { kind: 'provider-invalid', field: 'groups', message: expect.stringContaining('nope') };
      expect(final.failure).toEqual(failure);
      // The registry keeps the same failure: `GET /v1/grants/{id}` shows which field the provider refused.
      expect((await registry.getGrant(input.grantId))?.failure).toEqual(failure);
      expect(await ldap.findAccount(username)).toBeNull();
    });
  });
});

describe('closeAccount', () => {
  it('records the disable and the rotation under the sequence numbers the workflow gives it', async () => {
    const activities = createActivities({
      providers: new Map([['ldap', ldap]]),
      registry,
      logger: createLogger('silent'),
    });
    const now = Date.now();
    const input: GrantInput = {
      grantId: crypto.randomUUID(),
      provider: 'ldap',
      supplier: { organisation: 'Given Numbers' },
      username: 'sup-given-numbers',
      displayName: 'Given Numbers (supplier)',
      expiresAt: new Date(now + DAY).toISOString(),
      reason: 'maintenance',
      groups: [],
      requestedBy: 'rita',
      createdAt: new Date(now).toISOString(),
      maxGrantDays: 90,
    };
    const at = new Date(now).toISOString();
    await registry.insertGrant(grantRecordFromInput(input, 'grant-ldap-sup-given-numbers'), {
      grantId: input.grantId,
      seq: 0,
      type: 'created',
      at,
      actor: 'rita',
    });
    const { account } = await ldap.createAccount({
      username: input.username,
      organisation: input.supplier.organisation,
      displayName: input.displayName,
      grantId: input.grantId,
      expiresAt: input.expiresAt,
      groups: [],
    });
    // The grant's journal wrote seq 2 (a reminder, say) while the ending took seq 1: the closing steps get 3 and 4.
    await registry.recordEvent({ grantId: input.grantId, seq: 2, type: 'reminder-sent', at, actor: 'x' });
    const ending = {
      grantId: input.grantId,
      seq: 1,
      type: 'revoked' as const,
      at,
      actor: 'ada',
      patch: { status: 'revoked' as const, endedAt: at },
    };
    const seqs = { disabled: 3, rotated: 4 };
    await new MockActivityEnvironment().run(() =>
      activities.closeAccount({ provider: 'ldap', account, ending, seqs }),
    );
    expect(await eventTypes(input.grantId)).toEqual([
      'created',
      'revoked',
      'reminder-sent',
      'disabled',
      'credentials-rotated',
    ]);
    // Both closing steps recorded: the grant no longer reads as closing.
    expect((await registry.getGrant(input.grantId))?.closedAt).toBeDefined();
  });
});
