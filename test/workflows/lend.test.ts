import {
  Client,
  WorkflowFailedError,
  WorkflowUpdateFailedError,
  type WorkflowHandle,
} from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AccountRef, Credential } from '../../domain/account.js';
import type { GrantState } from '../../domain/grant.js';
import { sharedAccountWorkflowId, type LendInput } from '../../domain/shared-account.js';
import { ProviderError } from '../../providers/errors.js';
import type { IdentityProvider } from '../../providers/types.js';
import type { SharedAccountStore } from '../../src/registry/shared-account-store.js';
import type { lendWorkflow } from '../../workflows/lend.js';
import {
  approveExtensionUpdate,
  claimCredentialUpdate,
  requestExtensionUpdate,
  revokeUpdate,
  stateQuery,
} from '../../workflows/messages.js';
import type { rotationWorkflow } from '../../workflows/rotation.js';
import { inDays, token } from '../helpers/kit.js';
import { throwawayDataConverter } from '../helpers/temporal.js';
import { canBind, readEntry } from '../helpers/ldap.js';
import { startNotificationSinks, type NotificationSinks } from '../helpers/notification-sinks.js';
import { DAY, keepHistory, requestedAt, WorkflowHarness } from '../helpers/workflow-harness.js';

let h: WorkflowHarness;
let sinks: NotificationSinks;
let shared: SharedAccountStore;

beforeAll(async () => {
  [h, sinks] = await Promise.all([WorkflowHarness.start('lend-workflow'), startNotificationSinks()]);
  shared = h.registry;
}, 120_000);

afterAll(async () => {
  await h?.stop();
  await sinks?.stop();
});

/** An existing account of the directory registered as a shared account, with the password it has now. */
interface Shared {
  id: string;
  account: AccountRef;
  dn: string;
  password: string;
}

/** Makes an account in the directory (the site's admin, say) and registers it as a shared account. */
async function registerShared(label = 'Website admin'): Promise<Shared> {
  const username = `site-admin-${token(6)}`;
  const now = new Date(await h.env.currentTimeMs()).toISOString();
  const { account, credential } = await h.ldap.createAccount({
    username,
    organisation: 'Our own firm',
    displayName: label,
    grantId: crypto.randomUUID(),
    // The directory's own expiry of the account, which a lend must leave as it is. By the wall clock, which slapd
    // reads: the time-skipping server's clock runs years ahead by the end of this file.
    expiresAt: inDays(400),
    groups: [],
  });
  const id = crypto.randomUUID();
  await shared.insertSharedAccount({
    id,
    provider: 'ldap',
    account,
    label,
    custodian: { name: 'carol', email: 'carol@ourfirm.example' },
    createdBy: 'ada',
    createdAt: now,
    updatedAt: now,
  });
  return { id, account, dn: account.externalId, password: credential!.password };
}

/** What the API would start a lend of `days` to the organisation with. */
async function lendInput(
  account: Shared,
  days: number,
  overrides: Partial<LendInput> = {},
): Promise<LendInput> {
  const now = await h.env.currentTimeMs();
  return {
    door: 'lend',
    grantId: crypto.randomUUID(),
    provider: 'ldap',
    supplier: { organisation: 'Web Agency Inc.', contactEmail: 'ops@agency.example' },
    username: account.account.username,
    displayName: account.account.displayName,
    expiresAt: new Date(now + days * DAY).toISOString(),
    reason: 'site migration',
    groups: [],
    requestedBy: 'rita',
    createdAt: new Date(now).toISOString(),
    maxGrantDays: 90,
    sharedAccountId: account.id,
    account: account.account,
    custodian: { name: 'carol', email: 'carol@ourfirm.example' },
    ...overrides,
  };
}

/** Starts a lend of `days` to the organisation, as the API would. */
async function startLend(
  account: Shared,
  days: number,
  overrides: Partial<LendInput> = {},
): Promise<{ handle: WorkflowHandle<typeof lendWorkflow>; input: LendInput }> {
  const input = await lendInput(account, days, overrides);
  const handle = await h.env.client.workflow.start<typeof lendWorkflow>('lendWorkflow', {
    taskQueue: h.taskQueue,
    workflowId: sharedAccountWorkflowId(account.id),
    args: [input],
  });
  return { handle, input };
}

/** Claims the lend's one-time credential, as the API would for the creating request. */
async function claim(handle: WorkflowHandle, input: LendInput) {
  const now = await h.env.currentTimeMs();
  return handle.executeUpdate(claimCredentialUpdate, {
    args: [{ grantId: input.grantId, answerBy: new Date(now + 30_000).toISOString() }],
  });
}

/** The password waiting for the custodian, opened as the custodian's claim would. */
async function custodianPassword(id: string): Promise<Credential | undefined> {
  const waiting = await shared.takeCustodianCredential(id, 'carol', new Date().toISOString());
  return waiting ? h.sealer.open(waiting.sealed) : undefined;
}

/** The LDAP provider with its password resets wrapped; every password the directory took is kept in `taken`. */
function resetting(
  reset: (account: AccountRef, attempt: number) => Promise<Credential>,
): IdentityProvider & { taken: string[]; resets: number } {
  const provider = {
    ...h.ldap,
    taken: [] as string[],
    resets: 0,
    close: () => Promise.resolve(),
    async resetPassword(account: AccountRef) {
      const credential = await reset(account, ++provider.resets);
      provider.taken.push(credential.password);
      return credential;
    },
  };
  return provider;
}

const pwdEndTime = async (dn: string) => (await readEntry(h.slapd, dn))?.pwdEndTime;

describe('lendWorkflow on the time-skipping server, with a real slapd', () => {
  it('hands the hand-over password once, sleeps to the end, then rotates it for the custodian', async () => {
    await h.withWorker(
      async () => {
        const account = await registerShared();
        const expiry = await pwdEndTime(account.dn);
        const { handle, input } = await startLend(account, 30);

        const claimed = await claim(handle, input);
        expect(claimed.state.status).toBe('active');
        const handed = claimed.credential!.password;
        expect(await canBind(h.slapd.url, account.dn, account.password)).toBe(false);
        expect(await canBind(h.slapd.url, account.dn, handed)).toBe(true);
        expect((await claim(handle, input)).credential).toBeUndefined();

        await h.env.sleep(29 * DAY);
        expect((await handle.query(stateQuery)).status).toBe('active');
        expect(await canBind(h.slapd.url, account.dn, handed)).toBe(true);

        const final = await handle.result();
        expect(final.status).toBe('expired');
        expect(await canBind(h.slapd.url, account.dn, handed)).toBe(false);
        const back = await custodianPassword(account.id);
        expect(await canBind(h.slapd.url, account.dn, back!.password)).toBe(true);
        // Claimed once: nothing waits any more.
        expect(await custodianPassword(account.id)).toBeUndefined();

        expect(await h.eventTypes(input.grantId)).toEqual([
          'created',
          'provisioned',
          'expired',
          'credentials-rotated',
        ]);
        const expired = (await h.registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
        expect(Math.abs(Date.parse(expired!.at) - Date.parse(input.expiresAt))).toBeLessThan(1000);
        // The lend's row: closed by its return rotation alone.
        const row = await h.registry.getGrant(input.grantId);
        expect(row).toMatchObject({ door: 'lend', sharedAccountId: account.id, status: 'expired' });
        expect(row?.closedAt).toBeDefined();
        const trail = await shared.listSharedAccountEvents(account.id);
        expect(trail.filter((e) => e.type === 'rotated').map((e) => e.details?.reason)).toEqual([
          'hand-over',
          'lend-ended',
        ]);
        // The shared account stays enabled for its custodian, with the expiry it had.
        expect((await h.ldap.findAccount(account.account.username))?.enabled).toBe(true);
        expect(await pwdEndTime(account.dn)).toEqual(expiry);

        // The custodian hears that a new password waits, without the password.
        const mail = sinks.smtp.messages.find((m) => m.to.includes('carol@ourfirm.example'));
        expect(mail?.subject).toContain('Website admin');
        expect(JSON.stringify(sinks.webhook.requests)).not.toContain(back!.password);
        expect(JSON.stringify(sinks.smtp.messages)).not.toContain(back!.password);
        // Neither password is readable in the lend's history: the hand-over's is encrypted, the custodian's absent.
        const history = historyToJSON(await handle.fetchHistory());
        expect(history).not.toContain(handed);
        expect(history).not.toContain(back!.password);
        await keepHistory('lend-expired', handle);
      },
      { notifier: sinks.notifier },
    );
  });

  it('rotates at once on an early return: the supplier password is refused when the update answers', async () => {
    await h.withWorker(async () => {
      const account = await registerShared();
      const { handle, input } = await startLend(account, 30);
      const handed = (await claim(handle, input)).credential!.password;

      const state = await handle.executeUpdate(revokeUpdate, {
        args: [{ grantId: input.grantId, actor: 'rita', reason: 'work done early' }],
      });
      expect(state.status).toBe('revoked');
      expect(await canBind(h.slapd.url, account.dn, handed)).toBe(false);
      const back = await custodianPassword(account.id);
      expect(await canBind(h.slapd.url, account.dn, back!.password)).toBe(true);
      expect((await handle.result()).status).toBe('revoked');
      expect(await h.eventTypes(input.grantId)).toEqual([
        'created',
        'provisioned',
        'revoked',
        'credentials-rotated',
      ]);
      await keepHistory('lend-returned-early', handle);
    });
  });

  it('extends only with a second person, and never sets an expiry on the directory', async () => {
    const provider = resetting((account) => h.ldap.resetPassword(account));
    let expirySets = 0;
    provider.setExpiry = async () => {
      expirySets++;
    };
    await h.withWorker(
      async () => {
        const account = await registerShared();
        const expiry = await pwdEndTime(account.dn);
        const { handle, input } = await startLend(account, 10);
        const handed = (await claim(handle, input)).credential!.password;
        const later = new Date((await h.env.currentTimeMs()) + 20 * DAY).toISOString();
        const asked = await handle.executeUpdate(requestExtensionUpdate, {
          args: [{ grantId: input.grantId, expiresAt: later, reason: 'slipped', actor: 'rita' }],
        });
        const byAsker = handle.executeUpdate(approveExtensionUpdate, {
          args: [{ grantId: input.grantId, actor: 'rita', requestedAt: requestedAt(asked) }],
        });
        await expect(byAsker).rejects.toBeInstanceOf(WorkflowUpdateFailedError);
        await byAsker.catch((err: WorkflowUpdateFailedError) =>
          expect((err.cause as { type?: string }).type).toBe('FourEyes'),
        );
        const approved: GrantState = await handle.executeUpdate(approveExtensionUpdate, {
          args: [{ grantId: input.grantId, actor: 'alice', requestedAt: requestedAt(asked) }],
        });
        expect(approved.expiresAt).toBe(later);

        await h.env.sleep(15 * DAY);
        expect(await canBind(h.slapd.url, account.dn, handed)).toBe(true);
        expect((await handle.result()).status).toBe('expired');
        const expired = (await h.registry.listEvents(input.grantId)).find((e) => e.type === 'expired');
        expect(Math.abs(Date.parse(expired!.at) - Date.parse(later))).toBeLessThan(1000);
        expect(expirySets).toBe(0);
        expect(await pwdEndTime(account.dn)).toEqual(expiry);
      },
      { provider },
    );
  });

  it('retries a rotation that keeps failing; the custodian gets the password of the attempt that succeeded', async () => {
    // The hand-over is reset 1; the end's resets 2 to 4 fail (the directory is down), the fifth succeeds.
    const provider = resetting(async (account, attempt) => {
      if (attempt >= 2 && attempt <= 4) {
        throw new ProviderError('transient', 'connect ECONNREFUSED', {
          provider: 'ldap',
          operation: 'resetPassword',
        });
      }
      return h.ldap.resetPassword(account);
    });
    await h.withWorker(
      async () => {
        const account = await registerShared();
        const { handle, input } = await startLend(account, 5);
        await claim(handle, input);
        expect((await handle.result()).status).toBe('expired');
        expect(provider.resets).toBe(5);
        const back = await custodianPassword(account.id);
        expect(back?.password).toBe(provider.taken.at(-1));
        expect(await canBind(h.slapd.url, account.dn, back!.password)).toBe(true);
      },
      { provider },
    );
  });

  it('fails the lend when the directory refuses for good: nothing handed out, the password unchanged', async () => {
    const provider = resetting(() => {
      throw new ProviderError('not-found', 'no such object', {
        provider: 'ldap',
        operation: 'resetPassword',
      });
    });
    await h.withWorker(
      async () => {
        const account = await registerShared();
        const { handle, input } = await startLend(account, 5);
        const claimed = await claim(handle, input);
        expect(claimed.credential).toBeUndefined();
        const final = await handle.result();
        expect(final.status).toBe('failed');
        expect(final.failure?.kind).toBe('provider-not-found');
        expect(provider.resets).toBe(1);
        expect(await canBind(h.slapd.url, account.dn, account.password)).toBe(true);
        expect(await h.eventTypes(input.grantId)).toEqual(['created', 'provisioning-failed']);
        const trail = await shared.listSharedAccountEvents(account.id);
        expect(trail.map((e) => e.type)).not.toContain('rotated');
      },
      { provider },
    );
  });
});

describe('starts only the service may send', () => {
  it('refuses a lend or a rotation started without the service key, and changes no password', async () => {
    const outsider = new Client({ connection: h.env.connection, dataConverter: throwawayDataConverter() });
    await h.withWorker(async () => {
      const account = await registerShared();
      const outcome = async (workflowType: string, args: unknown[]) => {
        const workflowId = `${sharedAccountWorkflowId(account.id)}-${workflowType}`;
        await outsider.workflow.start(workflowType, { taskQueue: h.taskQueue, workflowId, args });
        // Read with the service's key: the outsider's client cannot decrypt the failure.
        await h.env.client.workflow.getHandle(workflowId).result();
      };
      const input = await lendInput(account, 5);
      await expect(outcome('lendWorkflow', [input])).rejects.toBeInstanceOf(WorkflowFailedError);
      const rotation = { sharedAccountId: account.id, reason: 'manual', actor: 'ada' };
      await expect(outcome('rotationWorkflow', [rotation])).rejects.toBeInstanceOf(WorkflowFailedError);
      expect(await canBind(h.slapd.url, account.dn, account.password)).toBe(true);
      expect((await shared.listSharedAccountEvents(account.id)).map((e) => e.type)).toEqual(['registered']);
      expect(await h.registry.getGrant(input.grantId)).toBeNull();
    });
  });
});

describe('reminders of a lend', () => {
  it('go to the supplier contact as for a grant, and to the custodian', async () => {
    await h.withWorker(
      async () => {
        const account = await registerShared('Booking system admin');
        const mails = sinks.smtp.messages.length;
        const { handle, input } = await startLend(account, 5, { reminderLeadsMs: [DAY] });
        await claim(handle, input);
        expect((await handle.result()).status).toBe('expired');
        const reminder = sinks.smtp.messages.slice(mails).find((m) => m.subject.includes('ends in 1 day'));
        expect(reminder?.to.sort()).toEqual(['carol@ourfirm.example', 'ops@agency.example']);
        expect(reminder?.text).toContain('Booking system admin');
        expect(await h.eventTypes(input.grantId)).toContain('reminder-sent');
      },
      { notifier: sinks.notifier },
    );
  });
});

describe('rotationWorkflow', () => {
  it('rotates a shared account for its custodian, retrying until the directory takes a password', async () => {
    const provider = resetting(async (account, attempt) => {
      if (attempt <= 2) {
        throw new ProviderError('transient', 'server busy', { provider: 'ldap', operation: 'resetPassword' });
      }
      return h.ldap.resetPassword(account);
    });
    await h.withWorker(
      async () => {
        const account = await registerShared('Accounting login');
        const mails = sinks.smtp.messages.length;
        const handle = await h.env.client.workflow.start<typeof rotationWorkflow>('rotationWorkflow', {
          taskQueue: h.taskQueue,
          workflowId: sharedAccountWorkflowId(account.id),
          args: [{ sharedAccountId: account.id, reason: 'scheduled', actor: 'supplier-access' }],
        });
        await handle.result();
        expect(provider.resets).toBe(3);
        expect(await canBind(h.slapd.url, account.dn, account.password)).toBe(false);
        const back = await custodianPassword(account.id);
        expect(back?.password).toBe(provider.taken.at(-1));
        expect(await canBind(h.slapd.url, account.dn, back!.password)).toBe(true);
        const trail = await shared.listSharedAccountEvents(account.id);
        expect(trail.filter((e) => e.type === 'rotated').map((e) => e.details?.reason)).toEqual([
          'scheduled',
        ]);
        const mail = sinks.smtp.messages.slice(mails).find((m) => m.to.includes('carol@ourfirm.example'));
        expect(mail?.subject).toContain('Accounting login');
        expect(mail?.text).not.toContain(back!.password);
        expect(historyToJSON(await handle.fetchHistory())).not.toContain(back!.password);
        await keepHistory('rotation-scheduled', handle);
      },
      { provider, notifier: sinks.notifier },
    );
  });
});
