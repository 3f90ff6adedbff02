import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.js';
import { createLogger } from '../../src/logger.js';
import { startService } from '../../src/service.js';
import { readEntry } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start({}, { ownSlapd: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const readyz = () => stack.request('GET', '/readyz', null);

/** Polls `/readyz` until it answers `status`, or fails after `withinMs`. */
async function readyzBecomes(status: number, withinMs: number) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const answer = await readyz();
    if (answer.status === status) return answer;
    if (Date.now() > deadline)
      throw new Error(`/readyz still ${answer.status}: ${JSON.stringify(answer.body)}`);
    await sleep(200);
  }
}

it('reports Temporal and the directory, and 503 naming the directory while it is down', async () => {
  const up = await readyz();
  expect(up.status).toBe(200);
  expect(up.body).toEqual({ status: 'ready', checks: { temporal: 'ok', ldap: 'ok' } });

  await stack.slapd.stop();
  try {
    const down = await readyz();
    expect(down.status).toBe(503);
    expect(down.body.status).toBe('not-ready');
    expect(down.body.checks.temporal).toBe('ok');
    expect(down.body.checks.ldap).toBe('down: unreachable (ECONNREFUSED)');
    // The answer is public: it names no address.
    expect(JSON.stringify(down.body)).not.toContain(String(stack.slapd.port));
  } finally {
    await stack.slapd.start();
  }
  await readyzBecomes(200, 10_000);
});

it('brings a killed slapd back on its port and data, and grants work again', async () => {
  const before = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation: 'Before The Crash Ltd' },
    durationDays: 5,
    reason: 'survives a directory crash',
  });
  expect(before.status, JSON.stringify(before.body)).toBe(201);

  const pid = stack.slapd.pid;
  expect(pid).toBeTypeOf('number');
  process.kill(pid as number, 'SIGKILL');
  // The first restart waits a second: the outage is there to see.
  const down = await readyz();
  expect(down.status).toBe(503);
  expect(down.body.checks.ldap).toMatch(/^down: /);

  await readyzBecomes(200, 30_000);
  // slapd answers a moment before its supervisor has taken the new process in hand.
  for (const deadline = Date.now() + 10_000; stack.slapd.pid === undefined && Date.now() < deadline;)
    await sleep(100);
  expect(stack.slapd.pid).toBeTypeOf('number');
  expect(stack.slapd.pid).not.toBe(pid);
  // Same data: the account made before the crash is still there.
  expect(await readEntry(stack.slapd, before.body.account.externalId)).not.toBeNull();

  const after = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation: 'After The Crash Ltd' },
    durationDays: 5,
    reason: 'the directory is back',
  });
  expect(after.status, JSON.stringify(after.body)).toBe(201);
  expect(await readEntry(stack.slapd, after.body.account.externalId)).not.toBeNull();
}, 90_000);

it('leaves the embedded directory to the worker: an API alone starts none and reports the directories it reaches', async () => {
  // No LDAP_* variable: the configuration names the embedded directory, which the worker runs.
  const withoutLdap = Object.fromEntries(
    Object.entries(stack.env).filter(([name]) => !name.startsWith('LDAP_')),
  );
  const dataDir = join(stack.dir, 'api-alone');
  const api = await startService(
    loadConfig({ ...withoutLdap, DATA_DIR: dataDir }),
    createLogger('silent'),
    'api',
  );
  try {
    expect(api.ldap).toBeUndefined();
    expect(existsSync(join(dataDir, 'ldap'))).toBe(false);
    const ready = await fetch(`${api.apiUrl}/readyz`);
    expect(await ready.json()).toEqual({ status: 'ready', checks: { temporal: 'ok' } });
  } finally {
    await api.stop();
  }
}, 60_000);
