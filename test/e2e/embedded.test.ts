import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startService, type RunningService } from '../../src/service.js';

const dataDir = mkdtempSync(join(tmpdir(), 'supplier-access-embedded-'));
const TOKEN = 'embedded-admin-token-0123456789';
const APPROVER = 'embedded-approver-token-012345';
const env = {
  DATA_DIR: dataDir,
  PORT: '0',
  API_TOKENS: `ada:admin:${TOKEN},alice:approver:${APPROVER}`,
};
let service: RunningService | undefined;

afterAll(async () => {
  await service?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

async function call(method: string, path: string, body?: unknown, token = TOKEN) {
  const response = await fetch(service!.apiUrl + path, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: (await response.json()) as Record<string, any> };
}

it('runs on its embedded defaults and keeps grants, accounts and timers across a restart', async () => {
  service = await startService(loadConfig(env), createLogger('silent'));
  expect(service.temporal.embedded).toBe(true);
  expect(service.ldap?.url).toMatch(/^ldap:\/\/127\.0\.0\.1:\d+/);

  const created = await call('POST', '/v1/grants', {
    provider: 'ldap',
    supplier: { organisation: 'Survives Restarts SARL' },
    durationDays: 30,
    reason: 'firewall upgrade',
  });
  expect(created.status).toBe(201);
  const id = created.body.id as string;
  await service.stop();
  service = undefined;

  service = await startService(loadConfig(env), createLogger('silent'));
  const shown = await call('GET', `/v1/grants/${id}`);
  expect(shown.status).toBe(200);
  expect(shown.body.status).toBe('active');
  expect(shown.body.account.username).toBe('sup-survives-restarts-sarl');

  // The sleeping workflow is still there to take messages, and the account still in the directory.
  const extended = await call('POST', `/v1/grants/${id}/extensions`, {
    expiresAt: new Date(Date.now() + 60 * 86_400_000).toISOString(),
    reason: 'more work',
  });
  expect(extended.status).toBe(202);
  const approved = await call('POST', `/v1/grants/${id}/extensions/approve`, {}, APPROVER);
  expect(approved.status).toBe(200);
  const revoked = await call('POST', `/v1/grants/${id}/revoke`, { reason: 'done' });
  expect(revoked.status).toBe(200);
  expect(revoked.body.status).toBe('revoked');

  // The registry outlives the workflow and the process: after another restart the closed grant is still listed,
  // and the export says who approved the extension, who revoked the grant and why.
  await service.stop();
  service = undefined;
  service = await startService(loadConfig(env), createLogger('silent'));
  const listed = await call('GET', '/v1/grants?status=revoked&organisation=survives');
  expect(listed.body.grants.map((g: { id: string }) => g.id)).toEqual([id]);
  const csv = await (
    await fetch(`${service.apiUrl}/v1/registry.csv`, { headers: { authorization: `Bearer ${TOKEN}` } })
  ).text();
  const row = csv.split('\n').find((line) => line.startsWith(id)) ?? '';
  expect(row).toContain('Survives Restarts SARL');
  expect(row).toMatch(/,revoked,ada,done,/);
  expect(row).toMatch(/alice approved until /);
}, 180_000);
