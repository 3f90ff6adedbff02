import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import type { Worker } from '@temporalio/worker';
import type { FastifyInstance } from 'fastify';
import type { ReachabilityProbe } from '../providers/module.js';
import type { ProviderName } from '../domain/account.js';
import { buildApp } from './api/app.js';
import { TokenAuthenticator } from './api/auth.js';
import type { CodecRoutesOptions } from './api/codec-routes.js';
import { GrantService } from './api/grant-service.js';
import { SupplierService } from './api/supplier-service.js';
import { createAccountLookup } from './api/account-lookup.js';
import { SharedAccountService, type AccountLookup } from './api/shared-account-service.js';
import { ManualDoorService } from './api/manual-door-service.js';
import { IncidentService } from './api/incident-service.js';
import { createSealer, type CredentialSealer } from './sealing.js';
import {
  EncryptionCodec,
  createDataConverter,
  createWorkerDataConverter,
  loadOrCreateKeys,
} from './codec.js';
import type { ApiToken, Config } from './config.js';
import { startLocalTemporal, type LocalTemporal } from './local-stack/temporal.js';
import { loadOrCreateAdminToken, openDataDir } from './local-state.js';
import {
  createProviders,
  reachabilityProbes,
  stablePort,
  startDirectories,
  usernameLimits,
  type Directories,
} from './providers.js';
import type { Logger } from './logger.js';
import { runProbes } from './readiness.js';
import { openRegistry } from './registry/store.js';
import { createNotifier } from './notify/index.js';
import { ensureSearchAttributes } from './search-attributes.js';
import { ensureReviewSchedule } from './review-schedule.js';
import { ReviewService } from './api/review-service.js';
import type { RegistryStore } from './registry/types.js';
import { holdToContractEnd } from './api/contract-end.js';
import { connectClient, createGrantWorker } from './temporal.js';
import { installTemporalLogging } from './temporal-logging.js';

/** Which parts this process runs: both (local use), or one of them (production). */
export type Role = 'all' | 'api' | 'worker';

export interface RunningService {
  apiUrl?: string | undefined;
  /** Set when no API_TOKENS were configured: the file that keeps the generated admin token. */
  adminTokenFile?: string | undefined;
  temporal: { address: string; uiUrl?: string | undefined; embedded: boolean };
  ldap?: { url: string; bindDN: string; usersDN: string; passwordFile?: string | undefined } | undefined;
  app?: FastifyInstance | undefined;
  worker?: Worker | undefined;
  /** Stops accepting requests, drains the worker, stops the embedded servers. */
  stop(): Promise<void>;
}

/** Starts the service as configured: the embedded stack where nothing else is named. */
export async function startService(
  config: Config,
  logger: Logger,
  role: Role = 'all',
): Promise<RunningService> {
  const dataDir = openDataDir(config.dataDir, (message) => logger.warn(message));
  const stops: (() => Promise<void>)[] = [];
  const stopAll = async () => {
    for (const stop of stops.reverse())
      await stop().catch((err: unknown) => logger.error({ err }, 'shutdown step failed'));
  };
  try {
    // One codec: the client and worker encrypt with it, the API's codec endpoint decrypts with it.
    const codec = new EncryptionCodec(loadOrCreateKeys(config.payloadEncryptionKeys, dataDir));
    const dataConverter = createDataConverter(codec);
    let temporal: LocalTemporal | undefined;
    if (!config.temporal.address) {
      temporal = await startLocalTemporal({
        dataDir: join(dataDir, 'temporal'),
        port: await stablePort(dataDir, 'temporal'),
        uiPort: await stablePort(dataDir, 'temporal-ui'),
        logger,
      });
      stops.push(() => temporal!.stop());
      logger.info({ address: temporal.address, ui: temporal.uiUrl }, 'embedded Temporal dev server started');
    }
    const settings = {
      address: config.temporal.address ?? temporal!.address,
      namespace: config.temporal.namespace,
      taskQueue: config.temporal.taskQueue,
    };
    const directories = await startDirectories(config, dataDir, logger, role !== 'api');
    const slapd = directories.slapd;
    if (slapd) stops.push(() => slapd.stop());
    const registry = await openRegistry({ databaseUrl: config.databaseUrl, dataDir });
    stops.push(() => registry.close());

    let worker: Worker | undefined;
    if (role !== 'api') {
      installTemporalLogging(logger);
      const providers = await createProviders(directories);
      stops.push(async () => {
        for (const provider of providers.values()) await provider.close();
      });
      const notifier = createNotifier(config.notifications, logger);
      stops.push(() => notifier.close());
      const created = await createGrantWorker({
        settings,
        dataConverter: createWorkerDataConverter(codec),
        deps: {
          providers,
          registry,
          logger,
          notifier,
          publicUrl: config.publicUrl,
          review: {
            ...config.review,
            prefix: config.policy.accountPrefix,
            maxGrantDays: config.policy.maxGrantDays,
          },
          retention: config.retention,
          // Shared accounts' passwords wait for their custodian sealed with the same keys as the histories.
          sealer: createSealer(codec),
        },
        cachedGrants: config.workerCachedGrants,
        // Bundling the workflows costs seconds of CPU at every start; a bundle built beforehand skips it.
        ...(config.workflowBundlePath ? { workflowBundle: { codePath: config.workflowBundlePath } } : {}),
      });
      worker = created.worker;
      const running = worker.run();
      stops.push(async () => {
        // Only this process's signal handlers stop the worker (see installTemporalLogging); the check
        // keeps a stop after a worker failure from reporting a second error.
        if (worker!.getState() === 'RUNNING') worker!.shutdown();
        await running;
        await created.connection.close();
      });
    }

    let app: FastifyInstance | undefined;
    let apiUrl: string | undefined;
    let adminTokenFile: string | undefined;
    if (role !== 'worker') {
      const client = await connectClient(settings, dataConverter);
      stops.push(() => client.connection.close());
      let tokens: ApiToken[] | undefined = config.apiTokens;
      if (!tokens) {
        const generated = loadOrCreateAdminToken(dataDir);
        adminTokenFile = generated.file;
        tokens = [{ name: 'local-admin', roles: ['admin'], token: generated.token }];
      }
      // The API reaches each directory only to report it in /readyz: a light client each, not a provider.
      const probes = await reachabilityProbes(directories);
      stops.push(async () => {
        for (const probe of probes.values()) await probe.close();
      });
      const lookups = createAccountLookup(directories);
      stops.push(() => lookups.close());
      app = await startApi(config, logger, {
        client,
        registry,
        tokens,
        directories,
        probes,
        lookupAccount: lookups.lookupAccount,
        // The same payload keys as the histories: the worker seals the custodian's password, the API opens it.
        sealer: createSealer(codec),
        // The web page's session cookie is sealed with the same keys.
        sessionCodec: codec,
        codec: {
          codec,
          corsOrigins: config.codecCorsOrigins ?? (temporal?.uiUrl ? [new URL(temporal.uiUrl).origin] : []),
        },
      });
      stops.push(() => app!.close());
      apiUrl = `http://${config.host}:${(app.server.address() as { port: number }).port}`;
    }
    return {
      apiUrl,
      adminTokenFile,
      temporal: { address: settings.address, uiUrl: temporal?.uiUrl, embedded: Boolean(temporal) },
      ldap: slapd
        ? {
            url: slapd.url,
            bindDN: slapd.bindDN,
            usersDN: slapd.usersDN,
            passwordFile: join(dataDir, 'ldap', 'admin-password'),
          }
        : undefined,
      app,
      worker,
      stop: stopAll,
    };
  } catch (err) {
    await stopAll();
    throw err;
  }
}

async function startApi(
  config: Config,
  logger: Logger,
  deps: {
    client: Client;
    registry: RegistryStore;
    tokens: ApiToken[];
    directories: Directories;
    probes: ReadonlyMap<ProviderName, ReachabilityProbe>;
    lookupAccount: AccountLookup;
    sealer: CredentialSealer;
    sessionCodec: EncryptionCodec;
    codec: CodecRoutesOptions;
  },
): Promise<FastifyInstance> {
  const policy = { providers: deps.directories.names, maxGrantDays: config.policy.maxGrantDays };
  const suppliers = new SupplierService({
    registry: deps.registry,
    // A contract end moved earlier shortens the supplier's live grants; each grant's workflow tells the sponsor.
    onContractEndMoved: async (supplier, previous, actor) => {
      logger.info(
        { supplierId: supplier.id, contractEnd: supplier.contractEnd, previous },
        "a supplier's contract end was set",
      );
      await holdToContractEnd(service, deps.registry, supplier, actor);
    },
  });
  const service = new GrantService({
    suppliers,
    client: deps.client,
    registry: deps.registry,
    taskQueue: config.temporal.taskQueue,
    accountPrefix: config.policy.accountPrefix,
    maxGrantDays: config.policy.maxGrantDays,
    answerWithinMs: config.answerWithinMs,
    reminderLeadsMs: config.policy.reminderLeadMs,
    indexed: await ensureSearchAttributes(deps.client, config.temporal.namespace, logger),
    usernameLimits: usernameLimits(deps.directories),
    onLostCredential: (err) =>
      logger.error({ err }, 'a one-time credential answered too late could not be given back to its grant'),
  });
  await ensureReviewSchedule(
    deps.client,
    { taskQueue: config.temporal.taskQueue, intervalMs: config.review.intervalMs },
    logger,
  );
  const app = await buildApp({
    authenticator: new TokenAuthenticator(deps.tokens),
    service,
    suppliers,
    sharedAccounts: new SharedAccountService({
      registry: deps.registry,
      grants: service,
      client: deps.client,
      taskQueue: config.temporal.taskQueue,
      lookupAccount: deps.lookupAccount,
      sealer: deps.sealer,
    }),
    manualDoors: new ManualDoorService({
      registry: deps.registry,
      suppliers,
      client: deps.client,
      taskQueue: config.temporal.taskQueue,
      reminderLeadsMs: config.policy.reminderLeadMs,
    }),
    incidents: new IncidentService({
      registry: deps.registry,
      client: deps.client,
      taskQueue: config.temporal.taskQueue,
      answerWithinMs: config.answerWithinMs,
    }),
    reviews: new ReviewService({ client: deps.client, taskQueue: config.temporal.taskQueue }),
    registry: deps.registry,
    policy,
    logger,
    codec: deps.codec,
    web: { codec: deps.sessionCodec, publicUrl: config.publicUrl },
    rateLimitPerMinute: config.rateLimitPerMinute,
    // Temporal, then every configured directory by its name in the API.
    readiness: () =>
      runProbes(
        {
          temporal: () => deps.client.connection.workflowService.getSystemInfo({}),
          ...Object.fromEntries([...deps.probes].map(([name, probe]) => [name, () => probe.check()])),
        },
        logger,
      ),
  });
  await app.listen({ host: config.host, port: config.port });
  return app;
}
