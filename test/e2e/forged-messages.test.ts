import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { toolPath } from '../../src/local-stack/tools.js';
import { reviewScheduleId } from '../../src/review-schedule.js';
import { listDNs, readEntry } from '../helpers/ldap.js';
import { DAY } from '../helpers/kit.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

// Anyone who reaches the Temporal frontend can send a grant workflow messages with the Temporal CLI: the dev
// server, like many deployments, asks for no credentials. Only what is encrypted with the service's key may
// speak for a person.

let stack: TestStack;

beforeAll(async () => {
  stack = await TestStack.start();
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

/** The Temporal CLI against the stack's server, as an outsider runs it: exit code and everything printed. */
async function temporalCli(args: string[]): Promise<{ ok: boolean; output: string }> {
  try {
    const { stdout, stderr } = await promisify(execFile)(
      toolPath('temporal'),
      [...args, '--address', stack.temporal.address, '--namespace', stack.namespace],
      { encoding: 'utf8', timeout: 60_000 },
    );
    return { ok: true, output: stdout + stderr };
  } catch (err) {
    const { stdout, stderr } = err as { stdout?: string; stderr?: string };
    return { ok: false, output: `${stdout ?? ''}${stderr ?? ''}` };
  }
}

const update = (workflowId: string, name: string, extra: string[]) =>
  temporalCli(['workflow', 'update', 'execute', '--workflow-id', workflowId, '--name', name, ...extra]);

async function createGrant(organisation: string) {
  const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation },
    durationDays: 2,
    reason: 'forged message test',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return created.body as { id: string; account: { username: string; externalId: string } };
}

/** What a person would look at: the grant through the API, its event trail, and the entry's expiry. */
async function observed(grant: { id: string; account: { externalId: string } }) {
  const shown = await stack.request('GET', `/v1/grants/${grant.id}`, TOKENS.auditor);
  const entry = await readEntry(stack.slapd, grant.account.externalId);
  return {
    status: shown.body.status as string,
    expiresAt: shown.body.expiresAt as string,
    pendingExtension: shown.body.pendingExtension as unknown,
    events: (shown.body.events as { type: string; actor: string }[]).map((e) => `${e.type} by ${e.actor}`),
    pwdEndTime: entry?.pwdEndTime,
  };
}

describe('messages sent to a grant workflow without the key', () => {
  it('refuses a plaintext extension request, approval and shortening, and changes nothing in the grant, the registry or the directory', async () => {
    const grant = await createGrant('Forgery Target Ltd');
    const workflowId = `grant-ldap-${grant.account.username}`;
    const before = await observed(grant);
    expect(before.status).toBe('active');

    const expiresAt = new Date(Date.now() + 89 * DAY).toISOString();
    const asked = await update(workflowId, 'requestExtension', [
      '--input',
      JSON.stringify({ expiresAt, reason: 'mallory wants more time', actor: 'mallory' }),
    ]);
    const approved = await update(workflowId, 'approveExtension', [
      '--input',
      JSON.stringify({ actor: 'alice' }),
    ]);
    // Shortening to now would close the supplier's door at once: refused just the same.
    const shortened = await update(workflowId, 'shorten', [
      '--input',
      JSON.stringify({
        grantId: grant.id,
        expiresAt: new Date().toISOString(),
        reason: 'x',
        actor: 'mallory',
      }),
    ]);
    // A signal is no way in either: the grant workflow has no signal handler, so it is never read.
    const signalled = await temporalCli([
      'workflow',
      'signal',
      '--workflow-id',
      workflowId,
      '--name',
      'approveExtension',
      '--input',
      JSON.stringify({ actor: 'alice' }),
    ]);
    expect(signalled.ok, signalled.output).toBe(true);
    for (const answer of [asked, approved, shortened]) {
      expect(answer.ok, answer.output).toBe(false);
      // The failure's message is encrypted like every other; its type is what an outsider sees.
      expect(answer.output).toContain('type: Unauthentic');
    }
    expect(await observed(grant)).toEqual(before);
  });

  it('refuses bytes dressed as encrypted, and a message with no input at all, and the grant keeps running', async () => {
    const grant = await createGrant('Forgery Survivor Ltd');
    const workflowId = `grant-ldap-${grant.account.username}`;
    const before = await observed(grant);

    const dressed = await update(workflowId, 'revoke', [
      '--input',
      Buffer.from('not really ciphertext, but long enough to look like it').toString('base64'),
      '--input-base64',
      '--input-meta',
      'encoding=binary/encrypted',
      '--input-meta',
      'encryption-key-id=e2e',
    ]);
    const empty = await update(workflowId, 'rejectExtension', []);
    const claim = await update(workflowId, 'claimCredential', []);
    for (const answer of [dressed, empty, claim]) expect(answer.ok, answer.output).toBe(false);
    expect(await observed(grant)).toEqual(before);

    // Not wedged: the people with tokens still get their answers at once.
    const expiresAt = new Date(Date.now() + 10 * DAY).toISOString();
    const path = `/v1/grants/${grant.id}/extensions`;
    const asked = await stack.request('POST', path, TOKENS.requester, { expiresAt, reason: 'overran' });
    expect(asked.status, JSON.stringify(asked.body)).toBe(202);
    const approved = await stack.request('POST', `${path}/approve`, TOKENS.approver);
    expect(approved.status, JSON.stringify(approved.body)).toBe(200);
    expect(approved.body.expiresAt).toBe(expiresAt);
  });

  it('ends a grant workflow started with plaintext input before it records or creates anything', async () => {
    const grantId = crypto.randomUUID();
    const username = 'sup-forged-start-co';
    const workflowId = `grant-ldap-${username}`;
    const accounts = await listDNs(stack.slapd, stack.slapd.usersDN);
    const input = {
      grantId,
      provider: 'ldap',
      supplier: { organisation: 'Forged Start Co' },
      username,
      displayName: 'Forged Start Co (supplier)',
      expiresAt: new Date(Date.now() + 89 * DAY).toISOString(),
      reason: 'nobody asked',
      groups: [],
      requestedBy: 'mallory',
      createdAt: new Date().toISOString(),
      maxGrantDays: 3650,
    };
    const started = await temporalCli([
      'workflow',
      'execute',
      '--type',
      'grantWorkflow',
      '--task-queue',
      stack.env.TEMPORAL_TASK_QUEUE as string,
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify(input),
    ]);
    expect(started.ok, started.output).toBe(false);
    expect(started.output).toMatch(/Status\s+FAILED/);

    expect(await listDNs(stack.slapd, stack.slapd.usersDN)).toEqual(accounts);
    expect((await stack.request('GET', `/v1/grants/${grantId}`, TOKENS.auditor)).status).toBe(404);
    // The account name is still free for a real grant.
    const real = await createGrant('Forged Start Co');
    expect(real.account.username).toBe(username);
  });

  it('ends an access review started with plaintext input: the trigger names who asked', async () => {
    const started = await temporalCli([
      'workflow',
      'execute',
      '--type',
      'reviewWorkflow',
      '--task-queue',
      stack.env.TEMPORAL_TASK_QUEUE as string,
      '--workflow-id',
      `forged-review-${Date.now()}`,
      '--input',
      JSON.stringify({ trigger: 'alice' }),
    ]);
    expect(started.ok, started.output).toBe(false);
    expect(started.output).toMatch(/Status\s+FAILED/);
    // No review was recorded in alice's name (the hourly schedule may have run one of its own).
    const latest = await stack.request('GET', '/v1/reviews/latest', TOKENS.auditor);
    expect([200, 404]).toContain(latest.status);
    expect(latest.body.trigger).not.toBe('alice');
  });

  it('ends a closed grant started again with its own encrypted input, copied from its history', async () => {
    const grant = await createGrant('Replayed Start Ltd');
    const workflowId = `grant-ldap-${grant.account.username}`;
    const revoked = await stack.request('POST', `/v1/grants/${grant.id}/revoke`, TOKENS.admin, {
      reason: 'work done',
    });
    expect(revoked.status).toBe(200);
    const before = await observed(grant);
    expect(before.status).toBe('revoked');

    // Anyone who can read histories has the ciphertext: send it back as a new start, metadata and all.
    const history = JSON.parse(stack.rawHistory(workflowId)) as {
      events: {
        workflowExecutionStartedEventAttributes?: {
          input: { payloads: { metadata: Record<string, string>; data: string }[] };
        };
      }[];
    };
    const [payload] = history.events[0]!.workflowExecutionStartedEventAttributes!.input.payloads;
    const meta = Object.entries(payload!.metadata).flatMap(([key, value]) => [
      '--input-meta',
      `${key}=${Buffer.from(value, 'base64').toString()}`,
    ]);
    const started = await temporalCli([
      'workflow',
      'execute',
      '--type',
      'grantWorkflow',
      '--task-queue',
      stack.env.TEMPORAL_TASK_QUEUE as string,
      '--workflow-id',
      workflowId,
      '--input',
      payload!.data,
      '--input-base64',
      ...meta,
    ]);
    expect(started.ok, started.output).toBe(false);
    expect(started.output).toMatch(/Status\s+FAILED/);
    // The supplier's door stays closed, and the grant's record as it was.
    expect(await observed(grant)).toEqual(before);
    expect((await readEntry(stack.slapd, grant.account.externalId))?.pwdAccountLockedTime).toEqual([
      '000001010000Z',
    ]);
  });

  it('refuses an approval copied from a history, on another grant and on a later request of the same one', async () => {
    const days = (n: number) => new Date(Date.now() + n * DAY).toISOString();
    const extend = (id: string, expiresAt: string) =>
      stack.request('POST', `/v1/grants/${id}/extensions`, TOKENS.requester, {
        expiresAt,
        reason: 'overran',
      });
    const first = await createGrant('Copied Approval Ltd');
    expect((await extend(first.id, days(10))).status).toBe(202);
    const approved = await stack.request(
      'POST',
      `/v1/grants/${first.id}/extensions/approve`,
      TOKENS.approver,
    );
    expect(approved.status).toBe(200);

    // alice's approval, as the history holds it: encrypted, with its metadata.
    const history = JSON.parse(stack.rawHistory(`grant-ldap-${first.account.username}`)) as {
      events: {
        workflowExecutionUpdateAcceptedEventAttributes?: {
          acceptedRequest: {
            input: { name: string; args: { payloads: { metadata: Record<string, string>; data: string }[] } };
          };
        };
      }[];
    };
    const accepted = history.events
      .map((e) => e.workflowExecutionUpdateAcceptedEventAttributes?.acceptedRequest.input)
      .find((input) => input?.name === 'approveExtension');
    const [payload] = accepted!.args.payloads;
    const copied = [
      '--input',
      payload!.data,
      '--input-base64',
      ...Object.entries(payload!.metadata).flatMap(([key, value]) => [
        '--input-meta',
        `${key}=${Buffer.from(value, 'base64').toString()}`,
      ]),
    ];

    const second = await createGrant('Copied Approval Target Ltd');
    expect((await extend(second.id, days(20))).status).toBe(202);
    expect((await extend(first.id, days(30))).status).toBe(202);
    for (const grant of [second, first]) {
      const before = await observed(grant);
      expect(before.status).toBe('extension-requested');
      const answer = await update(`grant-ldap-${grant.account.username}`, 'approveExtension', copied);
      expect(answer.ok, answer.output).toBe(false);
      expect(answer.output).toMatch(/type: (Unauthentic|Conflict)/);
      expect(await observed(grant)).toEqual(before);
    }
  });

  it("still runs the review schedule's own reviews: their input was encrypted when the API registered it", async () => {
    const scheduleId = reviewScheduleId(stack.env.TEMPORAL_TASK_QUEUE as string);
    const triggered = await temporalCli(['schedule', 'trigger', '--schedule-id', scheduleId]);
    expect(triggered.ok, triggered.output).toBe(true);
    await vi.waitFor(
      async () => {
        const latest = await stack.request('GET', '/v1/reviews/latest', TOKENS.auditor);
        expect(latest.status).toBe(200);
        expect(latest.body.trigger).toBe('schedule');
      },
      { timeout: 60_000, interval: 500 },
    );
  }, 90_000);
});
