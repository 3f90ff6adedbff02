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
