import { randomBytes } from 'node:crypto';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { Client } from 'ldapts';
import { inject } from 'vitest';
import type { LocalSlapd } from '../../src/local-stack/slapd.js';

/** The servers one test run shares (test/global-setup.ts starts them), as `inject('sharedServers')` gives them. */
export interface SharedServers {
  temporalAddress: string;
  slapd: { url: string; port: number; suffix: string; bindDN: string; bindPassword: string };
  /** The grant workflows bundled once for the run: `Worker.create({ workflowBundle: { codePath } })`. */
  workflowBundlePath: string;
}

declare module 'vitest' {
  export interface ProvidedContext {
    sharedServers: SharedServers | undefined;
  }
}

/** The run's shared servers, or undefined when the file runs without the global setup (another config). */
export function sharedServers(): SharedServers | undefined {
  try {
    return inject('sharedServers');
  } catch {
    return undefined;
  }
}

/**
 * The service's variable naming the run's workflow bundle (none without the global setup): a worker given it
 * starts without spending seconds of CPU bundling the same code again.
 */
export function prebuiltBundleEnv(): { WORKFLOW_BUNDLE_PATH?: string } {
  const shared = sharedServers();
  return shared ? { WORKFLOW_BUNDLE_PATH: shared.workflowBundlePath } : {};
}

/** A name no other test file of the run uses: a namespace, an `ou`, a task queue. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${randomBytes(4).toString('hex')}`;
}

/**
 * A Temporal namespace of the file's own on the shared dev server: workflow ids are made from account names, and
 * two files granting the same organisation must not meet on one id. The dev server serves it at once.
 */
export async function createNamespace(address: string, namespace: string): Promise<void> {
  const connection = await Connection.connect({ address });
  try {
    await connection.workflowService.registerNamespace({
      namespace,
      workflowExecutionRetentionPeriod: msToTs('1 day'),
    });
  } finally {
    await connection.close();
  }
}

/**
 * A subtree of the shared slapd for one test file (`ou=<name>` with its own suppliers and groups), seen as a
 * slapd of its own. A shared slapd cannot be stopped by one file: `stop` and `start` say so.
 */
export async function slapdSubtree(shared: SharedServers['slapd'], name: string): Promise<LocalSlapd> {
  const suffix = `ou=${name},${shared.suffix}`;
  const client = new Client({ url: shared.url });
  try {
    await client.bind(shared.bindDN, shared.bindPassword);
    await client.add(suffix, { objectClass: 'organizationalUnit', ou: name });
    for (const ou of ['suppliers', 'groups'])
      await client.add(`ou=${ou},${suffix}`, { objectClass: 'organizationalUnit', ou });
  } finally {
    await client.unbind();
  }
  const refuse = (): Promise<void> =>
    Promise.reject(
      new Error('this slapd is shared by the whole run: a test that stops it needs a slapd of its own'),
    );
  const view: LocalSlapd = {
    ...shared,
    suffix,
    usersDN: `ou=suppliers,${suffix}`,
    groupsDN: `ou=groups,${suffix}`,
    // Nobody kills a shared slapd: a test that does needs one of its own.
    pid: undefined,
    stop: refuse,
    start: refuse,
  };
  return markShared(view);
}

const sharedViews = new WeakSet<object>();

/** Marks a view of a shared server, so that `stopUnlessShared` leaves it running. */
export function markShared<T extends object>(view: T): T {
  sharedViews.add(view);
  return view;
}

/** Stops a server the caller started; one of the run's shared servers is left running for the other files. */
export async function stopUnlessShared(server: { stop(): Promise<void> }): Promise<void> {
  if (!sharedViews.has(server)) await server.stop();
}
