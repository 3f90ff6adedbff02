import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeySpec } from '../../src/codec.js';
import { listDNs } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

let stack: TestStack;

beforeAll(async () => {
  // One test freezes slapd (SIGSTOP): a slapd of its own.
  stack = await TestStack.start({}, { ownSlapd: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

const CONTACT = 'night-shift@plumbers.example';
const REASON = 'boiler replacement, ticket from the landlord';

async function createGrant(organisation: string) {
  const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation, contactEmail: CONTACT },
    durationDays: 3,
    reason: REASON,
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body;
}

/** The history as the Temporal CLI prints it through the service's codec endpoint. */
const throughCodec = (workflowId: string, auth: string, apiUrl = stack.apiUrl) =>
  stack.decodedHistory(workflowId, { endpoint: `${apiUrl}/codec`, auth });

const PLAINTEXT_BY_DESIGN = ['searchAttributes', 'markerRecordedEventAttributes'];

/**
 * Every payload of a history in the CLI's JSON: its encoding, key id and data (base64 there) as text. Left
 * out: search attributes, plaintext for Temporal to index them, and the SDK's own patch markers (a patch's
 * name); neither holds anything of a grant but what the search attributes show on purpose.
 */
function payloadsOf(value: unknown, found: { encoding: string; keyId?: string; text: string }[] = []) {
  if (Array.isArray(value)) for (const item of value) payloadsOf(item, found);
  else if (value && typeof value === 'object') {
    const { metadata, data } = value as {
      metadata?: { encoding?: string; 'encryption-key-id'?: string };
      data?: unknown;
    };
    if (typeof metadata?.encoding === 'string' && typeof data === 'string') {
      const keyId = metadata['encryption-key-id'];
      found.push({
        encoding: Buffer.from(metadata.encoding, 'base64').toString(),
        ...(keyId ? { keyId: Buffer.from(keyId, 'base64').toString() } : {}),
        text: Buffer.from(data, 'base64').toString(),
      });
    } else {
      for (const [key, item] of Object.entries(value))
        if (!PLAINTEXT_BY_DESIGN.includes(key)) payloadsOf(item, found);
    }
  }
  return found;
}

describe('secrets in Temporal and in the logs', () => {
  it('keeps the password and the contact e-mail out of the raw history and every log line', async () => {
    const grant = await createGrant('Nightly Plumbers Ltd');
    const password = grant.credential.password as string;
    const raw = stack.rawHistory(`grant-ldap-${grant.account.username}`);
    const logs = stack.apiOutput + stack.workerOutput;
    // The logs are not empty: the check below reads what the service really wrote.
    expect(stack.apiOutput).toContain('"url":"/v1/grants"');
    expect(stack.workerOutput).toContain(grant.id);
    for (const secret of [password, CONTACT, REASON]) {
      expect(raw).not.toContain(secret);
      expect(raw).not.toContain(Buffer.from(secret).toString('base64'));
    }
    for (const secret of [password, CONTACT, ...Object.values(TOKENS), stack.slapd.bindPassword]) {
      expect(logs).not.toContain(secret);
    }
    expect(logs).not.toMatch(/Bearer /i);
  });

  it('lets an admin read the history through the codec endpoint, and nobody else', async () => {
    const grant = await createGrant('Codec Readers Inc');
    const workflowId = `grant-ldap-${grant.account.username}`;
    const stdout = await throughCodec(workflowId, `Bearer ${TOKENS.admin}`);
    // Decoded: every payload is plain JSON again, the workflow's input (contact e-mail, reason) included.
    const payloads = payloadsOf(JSON.parse(stdout));
    expect(payloads.length).toBeGreaterThan(3);
    const encodings = new Set(payloads.map((p) => p.encoding));
    expect([...encodings].sort()).toEqual(['json/plain']);
    const texts = payloads.map((p) => p.text).join('\n');
    expect(texts).toContain(CONTACT);
    expect(texts).toContain(REASON);

    // (Other refusals — no token, an unknown one — are in test/api/security.test.ts: the CLI retries each.)
    for (const auth of [`Bearer ${TOKENS.auditor}`]) {
      let refused: { failed: boolean; output: string };
      try {
        refused = { failed: false, output: await throughCodec(workflowId, auth) };
      } catch (err) {
        const { stdout, stderr } = err as { stdout: string; stderr: string };
        refused = { failed: true, output: `${stdout}${stderr}` };
      }
      // The CLI gives up on the history, or at most shows it still encrypted.
      const decoded = refused.failed ? [] : payloadsOf(JSON.parse(refused.output));
      expect(decoded.map((p) => p.text).join('\n')).not.toContain(CONTACT);
      expect(refused.failed || decoded.every((p) => p.encoding === 'binary/encrypted')).toBe(true);
    }
  });
});

describe('rotating the encryption key', () => {
  it('keeps grants started under the old key running, and writes new payloads with the new one', async () => {
    const grant = await createGrant('Key Rotation Locksmiths');
    const workflowId = `grant-ldap-${grant.account.username}`;
    const before = payloadsOf(JSON.parse(stack.rawHistory(workflowId)));
    expect(new Set(before.map((p) => p.keyId))).toEqual(new Set(['e2e']));

    // docs/operations.md's procedure: the new key first, the old one after it, in every process.
    const keys = `${generateKeySpec('rotated')},${stack.env.PAYLOAD_ENCRYPTION_KEYS}`;
    await stack.killWorker();
    const worker = await stack.spawnService('worker', { PAYLOAD_ENCRYPTION_KEYS: keys });
    const api = await stack.spawnService('api', { PAYLOAD_ENCRYPTION_KEYS: keys, PORT: '0' });
    try {
      const revoked = await fetch(`${api.url}/v1/grants/${grant.id}/revoke`, {
        method: 'POST',
        headers: { authorization: `Bearer ${TOKENS.admin}`, 'content-type': 'application/json' },
        body: JSON.stringify({ reason: 'rotation test' }),
      });
      expect(revoked.status).toBe(200);
      expect(((await revoked.json()) as { status: string }).status).toBe('revoked');

      const after = payloadsOf(JSON.parse(stack.rawHistory(workflowId)));
      expect(new Set(after.map((p) => p.keyId))).toEqual(new Set(['e2e', 'rotated']));
      // Both generations read back through the codec endpoint of a process holding both keys.
      const stdout = await throughCodec(workflowId, `Bearer ${TOKENS.admin}`, api.url);
      const decoded = payloadsOf(JSON.parse(stdout));
      expect(decoded.length).toBeGreaterThan(5);
      expect(new Set(decoded.map((p) => p.encoding))).toEqual(new Set(['json/plain']));
      expect(decoded.map((p) => p.text).join('\n')).toContain('rotation test');
    } finally {
      worker.process.kill('SIGTERM');
      api.process.kill('SIGTERM');
      await stack.startWorker();
    }
  }, 90_000);
});

describe('graceful shutdown on SIGTERM', () => {
  it('stops taking requests and finishes the one in flight', async () => {
    // A task queue no worker polls: the create waits its whole answer window, then answers 202.
    const api = await stack.spawnService('api', {
      PORT: '0',
      API_ANSWER_WITHIN: '4s',
      TEMPORAL_TASK_QUEUE: `no-worker-${Date.now()}`,
    });
    const url = api.url as string;
    const started = Date.now();
    const inFlight = fetch(`${url}/v1/grants`, {
      method: 'POST',
      headers: { authorization: `Bearer ${TOKENS.requester}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        provider: 'ldap',
        supplier: { organisation: 'In Flight Couriers' },
        durationDays: 1,
        reason: 'shutdown test',
      }),
    });
    await sleep(1000);
    const exited = new Promise<number | null>((resolve) => api.process.once('exit', resolve));
    api.process.kill('SIGTERM');
    await sleep(300);

    // No new connections once the signal is in.
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();

    const answer = await inFlight;
    const answeredAt = Date.now();
    expect(answer.status).toBe(202);
    expect(((await answer.json()) as { status: string }).status).toBe('provisioning');
    expect(Date.now() - started).toBeGreaterThanOrEqual(3500);
    expect(await exited).toBe(0);
    // Not held open by the client's keep-alive connection.
    expect(Date.now() - answeredAt).toBeLessThan(10_000);
    expect(api.output()).toContain('shutting down');
  }, 60_000);

  it('lets the worker finish the directory call it is making before it exits', async () => {
    await stack.killWorker();
    const worker = await stack.spawnService('worker');
    const before = await listDNs(stack.slapd);
    // A directory that hangs: the provisioning call is in flight, and stays so, until slapd runs again.
    const slapdPid = Number(readFileSync(join(stack.dir, 'ldap', 'slapd.pid'), 'utf8').trim());
    process.kill(slapdPid, 'SIGSTOP');
    let resumed = false;
    try {
      const created = stack.request('POST', '/v1/grants', TOKENS.requester, {
        provider: 'ldap',
        supplier: { organisation: 'Draining Worker Services' },
        durationDays: 1,
        reason: 'worker drain test',
      });
      await sleep(2000);
      const exited = new Promise<number | null>((resolve) => worker.process.once('exit', resolve));
      worker.process.kill('SIGTERM');
      await sleep(1500);
      // Still draining: the call it started has not finished.
      expect(worker.process.exitCode).toBeNull();
      process.kill(slapdPid, 'SIGCONT');
      resumed = true;
      expect(await exited).toBe(0);
      expect(worker.output()).toContain('shutting down');

      // The account was made once, by that worker, in its first attempt; a new worker carries on.
      const after = await listDNs(stack.slapd);
      const added = after.filter((dn) => !before.includes(dn));
      expect(added).toEqual([expect.stringContaining('uid=sup-draining-worker-services,')]);
      await stack.startWorker();
      const answer = await created;
      const id = answer.body.id as string;
      let grant = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
      for (let i = 0; i < 40 && grant.body.status !== 'active'; i++) {
        await sleep(250);
        grant = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
      }
      expect(grant.body.status).toBe('active');
      const history = JSON.parse(stack.rawHistory(`grant-ldap-${answer.body.account.username}`)) as {
        events: { eventType: string; activityTaskStartedEventAttributes?: { attempt: number } }[];
      };
      const attempts = history.events
        .filter((e) => e.eventType === 'EVENT_TYPE_ACTIVITY_TASK_STARTED')
        .map((e) => e.activityTaskStartedEventAttributes?.attempt);
      expect(attempts.every((a) => a === 1)).toBe(true);
    } finally {
      if (!resumed) process.kill(slapdPid, 'SIGCONT');
    }
  }, 90_000);
});
