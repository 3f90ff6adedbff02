import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { WorkflowHandle } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { expect } from 'vitest';
import { createActivities } from '../../activities/index.js';
import type { GrantRecipients } from '../../activities/recipients.js';
import type { ReviewSettings } from '../../activities/review-report.js';
import { createLdapProvider } from '../../providers/ldap/index.js';
import type { IdentityProvider } from '../../providers/types.js';
import { startLocalSlapd, type LocalSlapd } from '../../src/local-stack/slapd.js';
import { createLogger } from '../../src/logger.js';
import type { Notifier } from '../../src/notify/index.js';
import { openRegistry } from '../../src/registry/store.js';
import type { RegistryStore } from '../../src/registry/types.js';
import { createSealer, type CredentialSealer } from '../../src/sealing.js';
import type { grantWorkflow } from '../../workflows/grant.js';
import { claimCredentialUpdate, grantWorkflowId } from '../../workflows/messages.js';
import type { ProviderName } from '../../domain/account.js';
import type { GrantInput, GrantState } from '../../domain/grant.js';
import { sharedServers, slapdSubtree, stopUnlessShared, uniqueName } from './shared-servers.js';
import { EncryptionCodec, parseEncryptionKeys } from '../../src/codec.js';
import {
  TEST_KEY_SPEC,
  testDataConverter,
  testWorkerDataConverter,
  timeSkippingEnvironment,
  workflowBundle,
} from './temporal.js';
import { DAY } from './kit.js';

export { DAY };

/** When the pending extension of `state` was asked: a decision names the request it decides. */
export function requestedAt(state: GrantState): string {
  if (!state.pendingExtension) throw new Error('no extension is pending');
  return state.pendingExtension.requestedAt;
}

/**
 * Grant workflows on the time-skipping server with a real slapd and a real registry: what the workflow test
 * files share. One per file (the server has one clock per environment).
 */
export class WorkflowHarness {
  private queues = 0;
  /** The task queue of the worker running now; grants started by `startGrant` go there. */
  taskQueue = '';
  /** Seals and opens the passwords kept for shared accounts' custodians, with the workers' key. */
  readonly sealer: CredentialSealer = createSealer(new EncryptionCodec(parseEncryptionKeys(TEST_KEY_SPEC)));

  private constructor(
    readonly env: TestWorkflowEnvironment,
    readonly bundle: NonNullable<WorkerOptions['workflowBundle']>,
    readonly slapd: LocalSlapd,
    readonly ldap: IdentityProvider,
    readonly registry: RegistryStore,
    private readonly dir: string,
  ) {}

  /** `ownSlapd`: a slapd of the file's own, which a test may stop (the run's shared one cannot be). */
  static async start(name: string, { ownSlapd = false } = {}): Promise<WorkflowHarness> {
    const dir = mkdtempSync(join(tmpdir(), `${name}-`));
    const shared = ownSlapd ? undefined : sharedServers();
    const [env, bundle, slapd] = await Promise.all([
      timeSkippingEnvironment(testDataConverter()),
      workflowBundle(),
      // The run's shared slapd, in a subtree of this file's own; the time-skipping server is the file's own.
      shared ? slapdSubtree(shared.slapd, uniqueName(name)) : startLocalSlapd({ dataDir: join(dir, 'ldap') }),
    ]);
    const ldap = createLdapProvider({ ...slapd, dialect: 'openldap' });
    const registry = await openRegistry({ dataDir: dir });
    return new WorkflowHarness(env, bundle, slapd, ldap, registry, dir);
  }

  /**
   * Runs `body` with a worker on a fresh task queue; its LDAP provider may be wrapped to make it fail, and its
   * notifications may go to the recipients a test names (by default, those the registry holds), and overdue
   * manual doors to the admins `review.reportTo` names; `providers` adds directories beside the LDAP one.
   */
  async withWorker<T>(
    body: () => Promise<T>,
    {
      provider = this.ldap,
      notifier,
      recipients,
      review,
      providers = new Map(),
    }: {
      provider?: IdentityProvider;
      providers?: ReadonlyMap<ProviderName, IdentityProvider>;
      notifier?: Notifier;
      recipients?: GrantRecipients;
      review?: ReviewSettings;
    } = {},
  ): Promise<T> {
    this.taskQueue = `grants-${++this.queues}`;
    const worker = await Worker.create({
      connection: this.env.nativeConnection,
      taskQueue: this.taskQueue,
      workflowBundle: this.bundle,
      dataConverter: testWorkerDataConverter(),
      activities: createActivities({
        providers: new Map([...providers, ['ldap', provider]]),
        registry: this.registry,
        logger: createLogger('silent'),
        notifier,
        recipients,
        review,
        sealer: this.sealer,
      }),
    });
    return worker.runUntil(body);
  }

  /**
   * Starts a grant of `days` for the organisation and takes its one-time credential, as the API would; with
   * `claim: false` it leaves the credential (a grant that may be revoked before anyone could claim it).
   */
  async startGrant(
    organisation: string,
    days: number,
    overrides: Partial<GrantInput> = {},
    { claim = true } = {},
  ): Promise<{ handle: WorkflowHandle<typeof grantWorkflow>; input: GrantInput; password: string }> {
    const now = await this.env.currentTimeMs();
    const username = `sup-${organisation.toLowerCase().replace(/[^a-z0-9]+/g, '-')}-${this.queues}`;
    const input: GrantInput = {
      grantId: crypto.randomUUID(),
      provider: 'ldap',
      supplier: { organisation, contactEmail: 'ops@example.com' },
      username,
      displayName: `${organisation} (supplier)`,
      expiresAt: new Date(now + days * DAY).toISOString(),
      reason: 'maintenance',
      groups: [],
      requestedBy: 'rita',
      createdAt: new Date(now).toISOString(),
      maxGrantDays: 90,
      ...overrides,
    };
    const handle = await this.env.client.workflow.start<typeof grantWorkflow>('grantWorkflow', {
      taskQueue: this.taskQueue,
      workflowId: grantWorkflowId(input.provider, input.username),
      args: [input],
    });
    if (!claim) return { handle, input, password: '' };
    const claimed = await handle.executeUpdate(claimCredentialUpdate, {
      args: [{ grantId: input.grantId, answerBy: new Date(now + 30_000).toISOString() }],
    });
    expect(claimed.state.status).toBe('active');
    expect(claimed.credential?.password).toBeTruthy();
    return { handle, input, password: claimed.credential!.password };
  }

  dnOf(input: GrantInput): string {
    return `uid=${input.username},${this.slapd.usersDN}`;
  }

  async eventTypes(grantId: string): Promise<string[]> {
    return (await this.registry.listEvents(grantId)).map((e) => e.type);
  }

  async stop(): Promise<void> {
    await this.ldap.close();
    await this.registry.close();
    await this.env.teardown();
    await stopUnlessShared(this.slapd);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/**
 * With RECORD_HISTORIES=1, keeps the finished workflow's history as a fixture for the replay test, so a later
 * change to the workflow that would break grants already sleeping in production fails that test.
 */
export async function keepHistory(name: string, handle: WorkflowHandle): Promise<void> {
  if (!process.env.RECORD_HISTORIES) return;
  const dir = join(import.meta.dirname, '..', 'workflows', 'histories');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${name}.json`), historyToJSON(await handle.fetchHistory()));
}
