import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { startLocalSlapd } from '../src/local-stack/slapd.js';
import { startLocalTemporal } from '../src/local-stack/temporal.js';
import { bundleWorkflows } from './helpers/temporal.js';

/**
 * One Temporal dev server, one slapd and one workflow bundle for the whole end-to-end run: starting them took
 * a few seconds per file. Files keep apart by namespace, task queue and LDAP subtree (helpers/shared-servers.ts).
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const dir = mkdtempSync(join(tmpdir(), 'supplier-access-shared-'));
  const [temporal, slapd, bundle] = await Promise.all([
    startLocalTemporal({ dataDir: join(dir, 'temporal'), headless: true }),
    startLocalSlapd({ dataDir: join(dir, 'ldap') }),
    bundleWorkflows(),
  ]);
  const workflowBundlePath = join(dir, 'workflows.js');
  writeFileSync(workflowBundlePath, bundle.code);
  project.provide('sharedServers', {
    temporalAddress: temporal.address,
    slapd: {
      url: slapd.url,
      port: slapd.port,
      suffix: slapd.suffix,
      bindDN: slapd.bindDN,
      bindPassword: slapd.bindPassword,
    },
    workflowBundlePath,
  });
  return async () => {
    await Promise.all([temporal.stop(), slapd.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };
}
