import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { PassThrough } from 'node:stream';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { generateKeySpec } from '../../src/codec.js';
import { loadConfig } from '../../src/config.js';
import { startLocalSlapd, type LocalSlapd } from '../../src/local-stack/slapd.js';
import { startLocalTemporal, type LocalTemporal } from '../../src/local-stack/temporal.js';
import { projectRoot, stopChild, toolPath } from '../../src/local-stack/tools.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/service.js';
import {
  createNamespace,
  sharedServers,
  markShared,
  prebuiltBundleEnv,
  slapdSubtree,
  stopUnlessShared,
  uniqueName,
} from './shared-servers.js';

/** Tokens of the test stack: one person per role, plus a second requester. */
export const TOKENS = {
  requester: 'requester-token-0123456789',
  requester2: 'requester2-token-0123456789',
  approver: 'approver-token-0123456789',
  admin: 'admin-token-0123456789abcd',
  auditor: 'auditor-token-0123456789ab',
} as const;

/**
 * Two more people, for shared accounts: a requester who may also approve (to meet the four-eyes rule itself,
 * not a missing role) and the custodian of the accounts the tests lend, who holds no other right.
 */
export const LEND_TOKENS = {
  requesterApprover: 'bob-token-0123456789abcdef',
  custodian: 'custodian-token-0123456789',
} as const;

/** The custodian's name, as `LEND_TOKENS.custodian` signs in. */
export const CUSTODIAN = 'carl';

const API_TOKENS = [
  `rita:requester:${TOKENS.requester}`,
  `rob:requester:${TOKENS.requester2}`,
  `alice:approver:${TOKENS.approver}`,
  `ada:admin:${TOKENS.admin}`,
  `audrey:auditor:${TOKENS.auditor}`,
  `bob:requester+approver:${LEND_TOKENS.requesterApprover}`,
  `${CUSTODIAN}:auditor:${LEND_TOKENS.custodian}`,
].join(',');

/** Servers a test stops, freezes or kills: those it gets of its own instead of the run's shared ones. */
export interface OwnServers {
  ownSlapd?: boolean;
  ownTemporal?: boolean;
}

/** A grant as `GET /v1/grants` lists it (the members tests read). */
export interface ListedGrant {
  id: string;
  status: string;
  account: { username: string; externalId: string };
  [member: string]: unknown;
}

/**
 * The whole service against real servers: a Temporal dev server, a throwaway slapd (or the directory the
 * caller names), the API in this process and the worker in a child process of its own, so tests can kill it.
 */
export class TestStack {
  private workers: ChildProcess[] = [];
  private workerLog = '';
  private apiLog = '';
  api!: RunningService;
  apiUrl!: string;

  private constructor(
    readonly dir: string,
    readonly temporal: LocalTemporal,
    private readonly localSlapd: LocalSlapd | undefined,
    readonly env: Record<string, string>,
  ) {}

  /** The stack's own slapd; there is none when the caller named a directory (`LDAP_URL`) of its own. */
  get slapd(): LocalSlapd {
    if (!this.localSlapd)
      throw new Error('this stack uses the directory named by LDAP_URL, not its own slapd');
    return this.localSlapd;
  }

  /**
   * Starts the API and a worker on the run's shared Temporal dev server and slapd (a namespace, task queue and
   * LDAP subtree of this stack's own), or on servers of its own where `own` asks or nothing is shared.
   * `extraEnv` adds to or overrides the service's environment; when it names a directory (`LDAP_URL` and the
   * other `LDAP_*` variables, e.g. an AD domain controller), no slapd is used.
   */
  static async start(extraEnv: Record<string, string> = {}, own: OwnServers = {}): Promise<TestStack> {
    const dir = mkdtempSync(join(tmpdir(), 'supplier-access-e2e-'));
    const shared = sharedServers();
    const name = uniqueName('e2e');
    const [temporal, slapd] = await Promise.all([
      shared && !own.ownTemporal
        ? createNamespace(shared.temporalAddress, name).then(() => sharedTemporal(shared.temporalAddress))
        : startLocalTemporal({ dataDir: join(dir, 'temporal'), headless: true }),
      extraEnv.LDAP_URL
        ? undefined
        : shared && !own.ownSlapd
          ? slapdSubtree(shared.slapd, name)
          : startLocalSlapd({ dataDir: join(dir, 'ldap') }),
    ]);
    const env = {
      TEMPORAL_ADDRESS: temporal.address,
      ...(shared && !own.ownTemporal ? { TEMPORAL_NAMESPACE: name } : {}),
      TEMPORAL_TASK_QUEUE: name,
      ...(slapd
        ? {
            LDAP_URL: slapd.url,
            LDAP_BIND_DN: slapd.bindDN,
            LDAP_BIND_PASSWORD: slapd.bindPassword,
            LDAP_USERS_DN: slapd.usersDN,
            LDAP_GROUPS_DN: slapd.groupsDN,
          }
        : {}),
      DATA_DIR: join(dir, 'data'),
      PAYLOAD_ENCRYPTION_KEYS: generateKeySpec('e2e'),
      API_TOKENS,
      PORT: '0',
      LOG_LEVEL: 'info',
      // Tests drive the API far faster than a person would; the limit itself has tests of its own.
      RATE_LIMIT_PER_MINUTE: '1000000',
      ...prebuiltBundleEnv(),
      ...extraEnv,
    };
    const stack = new TestStack(dir, temporal, slapd, env);
    const apiLog = new PassThrough();
    apiLog.on('data', (chunk: Buffer) => (stack.apiLog += chunk.toString()));
    // Side by side: the worker process spends seconds loading its modules, the API needs none of it.
    const [api, worker] = await Promise.allSettled([
      startService(loadConfig(env), createLogger('info', apiLog), 'api'),
      stack.startWorker(),
    ]);
    if (api.status === 'fulfilled') stack.api = api.value;
    if (api.status === 'rejected' || worker.status === 'rejected') {
      await stack.stop();
      throw api.status === 'rejected' ? api.reason : (worker as PromiseRejectedResult).reason;
    }
    stack.apiUrl = stack.api.apiUrl as string;
    return stack;
  }

  /** Starts a worker process (one more, if some run) and waits until it polls the task queue. */
  async startWorker(): Promise<void> {
    const child = await this.spawnService('worker', {}, (chunk) => (this.workerLog += chunk));
    this.workers.push(child.process);
  }

  /**
   * Starts `src/main.ts <role>` as a process of its own on this stack's servers and waits for its banner.
   * `onOutput` sees everything it prints; the API's URL is read from the banner.
   */
  async spawnService(
    role: 'api' | 'worker',
    extraEnv: Record<string, string> = {},
    onOutput: (chunk: string) => void = () => {},
  ): Promise<{ process: ChildProcess; url?: string | undefined; output: () => string }> {
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts', role], {
      cwd: projectRoot(),
      env: { ...process.env, ...this.env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      onOutput(chunk.toString());
    };
    child.stdout?.on('data', collect);
    child.stderr?.on('data', collect);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${role} did not start:\n${output}`)), 60_000);
      const check = () => {
        if (output.includes('supplier-access is running')) {
          clearTimeout(timer);
          child.stdout?.off('data', check);
          resolve();
        }
      };
      child.stdout?.on('data', check);
      child.once('exit', (code) => reject(new Error(`${role} exited with ${code}:\n${output}`)));
    });
    const url = /API:\s+(http:\/\/\S+)/.exec(output)?.[1];
    return { process: child, url, output: () => output };
  }

  /** SIGKILL every worker process: no drain, no goodbye, as a crash would. */
  async killWorker(): Promise<void> {
    for (const child of this.workers.splice(0)) {
      if (child.exitCode !== null) continue;
      const exited = new Promise((resolve) => child.once('exit', resolve));
      child.kill('SIGKILL');
      await exited;
    }
  }

  /** The process ids of the running workers (benchmarks read their memory). */
  get workerPids(): number[] {
    return this.workers.filter((w) => w.exitCode === null && w.pid !== undefined).map((w) => w.pid as number);
  }

  /** Every log line of the in-process API, to check what they do and do not contain. */
  get apiOutput(): string {
    return this.apiLog;
  }

  /** Everything the worker printed: its logs, to check what they do and do not contain. */
  get workerOutput(): string {
    return this.workerLog;
  }

  /** The Temporal namespace the stack's grants run in. */
  get namespace(): string {
    return this.env.TEMPORAL_NAMESPACE ?? 'default';
  }

  /** A workflow's history as stored by the server, read with the Temporal CLI (no codec involved). */
  rawHistory(workflowId: string): string {
    return execFileSync(toolPath('temporal'), this.showArgs(workflowId), { encoding: 'utf8' });
  }

  /**
   * A workflow's history decoded through a codec endpoint (`--codec-endpoint`, `--codec-auth`), as an operator
   * reads it. Asynchronous: the endpoint may be this very process's API. Rejects when the CLI fails.
   */
  async decodedHistory(workflowId: string, codec: { endpoint: string; auth: string }): Promise<string> {
    const args = [
      ...this.showArgs(workflowId),
      '--codec-endpoint',
      codec.endpoint,
      '--codec-auth',
      codec.auth,
    ];
    const { stdout } = await promisify(execFile)(toolPath('temporal'), args, { encoding: 'utf8' });
    return stdout;
  }

  private showArgs(workflowId: string): string[] {
    return [
      'workflow',
      'show',
      '--workflow-id',
      workflowId,
      '--address',
      this.temporal.address,
      '--namespace',
      this.namespace,
      '--output',
      'json',
    ];
  }

  /** Every grant in the registry, walked page by page with the cursor. */
  async allGrants(token: string = TOKENS.auditor): Promise<ListedGrant[]> {
    const all: ListedGrant[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.request(
        'GET',
        `/v1/grants?limit=500${cursor ? `&cursor=${cursor}` : ''}`,
        token,
      );
      if (page.status !== 200) throw new Error(`listing grants: ${page.status} ${JSON.stringify(page.body)}`);
      all.push(...(page.body.grants as ListedGrant[]));
      cursor = page.body.nextCursor as string | undefined;
    } while (cursor);
    return all;
  }

  /** Workflows matching a visibility query, as the Temporal UI and CLI list them (no codec involved). */
  listWorkflows(
    query: string,
  ): { workflowId: string; searchAttributes: Record<string, unknown>; raw: string }[] {
    const output = execFileSync(
      toolPath('temporal'),
      [
        'workflow',
        'list',
        '--query',
        query,
        '--address',
        this.temporal.address,
        '--namespace',
        this.namespace,
        '--output',
        'json',
      ],
      { encoding: 'utf8' },
    );
    const rows = (output.trim() ? JSON.parse(output) : []) as {
      execution: { workflowId: string };
      searchAttributes?: { indexedFields?: Record<string, { data: string }> };
    }[];
    // The CLI prints each value as a JSON payload, base64-encoded: decode them to read the values.
    return rows.map((row) => ({
      workflowId: row.execution.workflowId,
      searchAttributes: Object.fromEntries(
        Object.entries(row.searchAttributes?.indexedFields ?? {}).map(([name, payload]) => [
          name,
          JSON.parse(Buffer.from(payload.data, 'base64').toString('utf8')) as unknown,
        ]),
      ),
      raw: output,
    }));
  }

  async request(method: string, path: string, token: string | null, body?: unknown) {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(this.apiUrl + path, {
      method,
      headers,
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = text;
    }
    return { status: response.status, headers: response.headers, body: json as Record<string, any> };
  }

  async stop(): Promise<void> {
    for (const child of this.workers.splice(0)) await stopChild(child);
    await this.api?.stop();
    await Promise.all([
      stopUnlessShared(this.temporal),
      this.localSlapd && stopUnlessShared(this.localSlapd),
    ]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The shared dev server as a stack sees it: the run stops it, not the stack. */
function sharedTemporal(address: string): LocalTemporal {
  return markShared({
    address,
    stop: () => Promise.reject(new Error('this Temporal server is shared by the whole run')),
  });
}
