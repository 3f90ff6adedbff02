import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { canBind } from '../helpers/ldap.js';
import { TestStack, TOKENS } from '../helpers/stack.js';

let stack: TestStack;

beforeAll(async () => {
  // The test stops slapd: a slapd of its own.
  stack = await TestStack.start({ API_ANSWER_WITHIN: '2s' }, { ownSlapd: true });
}, 120_000);

afterAll(async () => {
  await stack?.stop();
});

it('answers 202 while the directory is down, then hands the credential out once it is back, and only once', async () => {
  await stack.slapd.stop();
  const created = await stack.request('POST', '/v1/grants', TOKENS.requester, {
    provider: 'ldap',
    supplier: { organisation: 'Patient Supplier Co' },
    durationDays: 2,
    reason: 'directory outage test',
  });
  expect(created.status, JSON.stringify(created.body)).toBe(202);
  expect(created.body.status).toBe('provisioning');
  expect(created.body.credential).toBeUndefined();
  expect(created.headers.get('location')).toBe(`/v1/grants/${created.body.id}`);

  const shown = await stack.request('GET', `/v1/grants/${created.body.id}`, TOKENS.auditor);
  expect(shown.status).toBe(200);
  expect(shown.body.status).toBe('provisioning');

  await stack.slapd.start();
  let claimed = await stack.request('POST', `/v1/grants/${created.body.id}/credential`, TOKENS.requester);
  // Provisioning resumes on the workflow's next retry: ask again while it is still on its way.
  for (let i = 0; i < 10 && claimed.status === 202; i++) {
    claimed = await stack.request('POST', `/v1/grants/${created.body.id}/credential`, TOKENS.requester);
  }
  expect(claimed.status, JSON.stringify(claimed.body)).toBe(200);
  expect(claimed.body.status).toBe('active');
  expect(
    await canBind(stack.slapd.url, claimed.body.account.externalId, claimed.body.credential.password),
  ).toBe(true);

  const again = await stack.request('POST', `/v1/grants/${created.body.id}/credential`, TOKENS.requester);
  expect(again.status).toBe(409);
  expect(JSON.stringify(again.body)).not.toContain(claimed.body.credential.password);
});

/** Creates a grant while the directory does not answer: a 202, the credential still to be claimed. */
async function createWhileDirectoryIsDown(organisation: string, apiUrl = stack.apiUrl) {
  const created = await fetch(`${apiUrl}/v1/grants`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKENS.requester}`, 'content-type': 'application/json' },
    body: JSON.stringify({
      provider: 'ldap',
      supplier: { organisation },
      durationDays: 2,
      reason: 'claim test',
    }),
  });
  const body = (await created.json()) as { id: string; status: string };
  expect(created.status, JSON.stringify(body)).toBe(202);
  return body;
}

const claim = (id: string, token: string, apiUrl = stack.apiUrl) =>
  fetch(`${apiUrl}/v1/grants/${id}/credential`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}` },
  });

const trail = async (id: string) => {
  const shown = await stack.request('GET', `/v1/grants/${id}`, TOKENS.auditor);
  return (shown.body.events as { type: string; actor: string }[])
    .filter((e) => e.type.startsWith('credential-'))
    .map((e) => [e.type, e.actor]);
};

it('hands the credential only to the grant’s requester or an admin, and records who took it', async () => {
  await stack.slapd.stop();
  const created = await createWhileDirectoryIsDown('Claimed By Whom Ltd');
  await stack.slapd.start();

  // rob is a requester too, but this is rita's grant.
  const other = await claim(created.id, TOKENS.requester2);
  expect(other.status).toBe(403);
  expect(((await other.json()) as { detail: string }).detail).toBe(
    'rob did not ask for this grant; only its requester (rita) or an admin may take its one-time credential.',
  );

  let taken = await claim(created.id, TOKENS.admin);
  for (let i = 0; i < 10 && taken.status === 202; i++) taken = await claim(created.id, TOKENS.admin);
  expect(taken.status).toBe(200);
  const { credential } = (await taken.json()) as { credential: { password: string } };
  expect(credential.password).toBeTruthy();
  expect((await claim(created.id, TOKENS.requester)).status).toBe(409);
  expect(await trail(created.id)).toEqual([['credential-claimed', 'ada']]);
}, 60_000);

it('gives the credential back when the answer comes too late: an API paused past its window loses nothing', async () => {
  const api = await stack.spawnService('api', { PORT: '0', API_ANSWER_WITHIN: '6s' });
  const url = api.url as string;
  const apiPid = api.process.pid as number;
  const slapdPid = Number(readFileSync(join(stack.dir, 'ldap', 'slapd.pid'), 'utf8').trim());
  let slapdStopped = false;
  let apiStopped = false;
  try {
    // The directory hangs: the create answers 202 with the account still on its way.
    process.kill(slapdPid, 'SIGSTOP');
    slapdStopped = true;
    const created = await createWhileDirectoryIsDown('Paused Answer Ltd', url);

    // rita claims; the API stops just after asking, the directory answers, the workflow hands the credential
    // out within the window, but the API hears of it only long after.
    const late = claim(created.id, TOKENS.requester, url);
    await sleep(300);
    process.kill(apiPid, 'SIGSTOP');
    apiStopped = true;
    process.kill(slapdPid, 'SIGCONT');
    slapdStopped = false;
    await sleep(12_000);
    process.kill(apiPid, 'SIGCONT');
    apiStopped = false;
    const lateAnswer = await late;
    expect(lateAnswer.status).toBe(503);

    // The credential went back to the grant: the next claim gets it, and it works.
    let again = await claim(created.id, TOKENS.requester, url);
    for (let i = 0; i < 20 && again.status === 409; i++) {
      await sleep(250);
      again = await claim(created.id, TOKENS.requester, url);
    }
    expect(again.status).toBe(200);
    const body = (await again.json()) as {
      account: { externalId: string };
      credential: { password: string };
    };
    expect(await canBind(stack.slapd.url, body.account.externalId, body.credential.password)).toBe(true);
    expect(await trail(created.id)).toEqual([
      ['credential-claimed', 'rita'],
      ['credential-returned', 'rita'],
      ['credential-claimed', 'rita'],
    ]);
  } finally {
    if (slapdStopped) process.kill(slapdPid, 'SIGCONT');
    if (apiStopped) process.kill(apiPid, 'SIGCONT');
    api.process.kill('SIGTERM');
  }
}, 90_000);
