import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection, Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities, type ActivityDeps } from '../activities/index.js';

/** The workflow entry point, from source when run by tsx/vitest, from `dist/` when built. */
export function workflowsPath(): string {
  const built = fileURLToPath(new URL('../workflows/index.js', import.meta.url));
  return existsSync(built) ? built : fileURLToPath(new URL('../workflows/index.ts', import.meta.url));
}

export interface TemporalSettings {
  address: string;
  namespace: string;
  taskQueue: string;
}

export async function connectClient(
  settings: TemporalSettings,
  dataConverter: DataConverter,
): Promise<Client> {
  const connection = await Connection.connect({ address: settings.address });
  return new Client({ connection, namespace: settings.namespace, dataConverter });
}

export interface GrantWorkerOptions {
  settings: TemporalSettings;
  dataConverter: DataConverter;
  deps: ActivityDeps;
  /** A pre-built bundle (WORKFLOW_BUNDLE_PATH, or a test's); otherwise the workflows are bundled at start. */
  workflowBundle?: WorkerOptions['workflowBundle'];
  connection?: NativeConnection;
  /** How many grants the worker keeps cached (see maxCachedWorkflows below); default 2,000. */
  cachedGrants?: number;
}

/** A worker running grant workflows and their activities on the task queue. */
export async function createGrantWorker(
  options: GrantWorkerOptions,
): Promise<{ worker: Worker; connection: NativeConnection }> {
  const connection =
    options.connection ?? (await NativeConnection.connect({ address: options.settings.address }));
  const worker = await Worker.create({
    connection,
    namespace: options.settings.namespace,
    taskQueue: options.settings.taskQueue,
    dataConverter: options.dataConverter,
    activities: createActivities(options.deps),
    ...(options.workflowBundle
      ? { workflowBundle: options.workflowBundle }
      : { workflowsPath: workflowsPath() }),
    // A cached grant costs about 0.3 MiB; an evicted one replays its history when its timer fires, which under
    // a wave of expiries costs far more than the memory (bench/memory.ts, bench/expiry-lag.ts): memory grows
    // with the first 2,000 sleeping grants, then stays flat.
    maxCachedWorkflows: options.cachedGrants ?? 2000,
    // When a worker dies, its cached workflows' next tasks wait this long on its sticky queue before any
    // other worker may take them: keep it short so an expiry is acted on within seconds of a crash.
    stickyQueueScheduleToStartTimeout: '5s',
    // A wave of expiries arrives at once: poll and run many short tasks side by side so the last account of
    // the wave is not queued behind the others for long (bench/expiry-lag.ts).
    maxConcurrentWorkflowTaskExecutions: 100,
    maxConcurrentWorkflowTaskPolls: 20,
    maxConcurrentActivityTaskExecutions: 200,
    maxConcurrentActivityTaskPolls: 20,
    shutdownGraceTime: '10s',
    // Provider calls heartbeat every 2 s with a 10 s timeout (workflows/grant-lifecycle.ts): send them at
    // least every 3 s, not at the default 80% of the timeout, so a busy event loop is not taken for a dead worker.
    maxHeartbeatThrottleInterval: '3s',
  });
  return { worker, connection };
}
