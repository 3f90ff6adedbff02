import { setTimeout as sleep } from 'node:timers/promises';
import { expect } from 'vitest';
import { CUSTODIAN, LEND_TOKENS, TOKENS, type TestStack } from './stack.js';

/** A shared account as `GET /v1/shared-accounts/{id}` shows it (the members tests read). */
export interface SharedAccountView {
  id: string;
  provider: string;
  account: { username: string; externalId: string; displayName?: string };
  custodian: { name: string; email?: string };
  lastRotatedAt?: string;
  /** Whether a new password waits for the custodian. */
  credentialWaiting: boolean;
  events?: { type: string; at: string; actor: string; details?: Record<string, string> }[];
  [member: string]: unknown;
}

/** A lend as the grant views show it: a grant row of the `lend` door. */
export interface LendView {
  id: string;
  door: string;
  sharedAccountId: string;
  status: string;
  expiresAt: string;
  closedAt?: string;
  supplier: { organisation: string };
  account: { username: string; externalId: string };
  events: { type: string; at: string; actor: string; details?: Record<string, string> }[];
  [member: string]: unknown;
}

/** Registers an existing account as a shared account, with the tests' custodian; answers the 201's body. */
export async function registerSharedAccount(
  stack: TestStack,
  provider: string,
  account: string,
  extra: Record<string, unknown> = {},
): Promise<SharedAccountView> {
  const response = await stack.request('POST', '/v1/shared-accounts', TOKENS.admin, {
    provider,
    account,
    label: 'Website admin',
    custodian: { name: CUSTODIAN, email: 'carl@corp.example' },
    ...extra,
  });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response.body as SharedAccountView;
}

/** Lends the shared account to a supplier until `until`; answers the raw response (tests check 409s too). */
export function lend(
  stack: TestStack,
  sharedAccountId: string,
  organisation: string,
  until: string,
  token: string = TOKENS.requester,
) {
  return stack.request('POST', `/v1/shared-accounts/${sharedAccountId}/lends`, token, {
    supplier: { organisation },
    until,
    reason: 'update the shop front',
  });
}

/** Lends and expects the 201 with the supplier's password; answers the lend and that password. */
export async function lendNow(
  stack: TestStack,
  sharedAccountId: string,
  organisation: string,
  until: string,
): Promise<LendView & { credential: { username: string; password: string } }> {
  const response = await lend(stack, sharedAccountId, organisation, until);
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  expect(response.body.credential?.password, 'the 201 carries the password').toBeTruthy();
  return response.body as LendView & { credential: { username: string; password: string } };
}

/** The custodian's claim of the password waiting for them: the raw response (a second claim is a 404). */
export function claim(stack: TestStack, sharedAccountId: string, token: string = LEND_TOKENS.custodian) {
  return stack.request('POST', `/v1/shared-accounts/${sharedAccountId}/credential`, token, {});
}

/** Claims the waiting password as the custodian and expects it; answers the password. */
export async function claimPassword(stack: TestStack, sharedAccountId: string): Promise<string> {
  const response = await claim(stack, sharedAccountId);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  const password = response.body.credential?.password as string | undefined;
  expect(password, 'the claim carries the password').toBeTruthy();
  return password as string;
}

export async function showSharedAccount(stack: TestStack, id: string): Promise<SharedAccountView> {
  const response = await stack.request('GET', `/v1/shared-accounts/${id}`, TOKENS.auditor);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as SharedAccountView;
}

export async function showLend(stack: TestStack, lendId: string): Promise<LendView> {
  const response = await stack.request('GET', `/v1/grants/${lendId}`, TOKENS.auditor);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body as LendView;
}

/** Polls the lend until `done` holds; the machine is loaded, so callers give generous bounds. */
export async function lendWhen(
  stack: TestStack,
  lendId: string,
  done: (lend: LendView) => boolean,
  withinMs: number,
): Promise<LendView> {
  const deadline = Date.now() + withinMs;
  for (let shown = await showLend(stack, lendId); ; shown = await showLend(stack, lendId)) {
    if (done(shown)) return shown;
    if (Date.now() > deadline) throw new Error(`the lend never got there: ${JSON.stringify(shown)}`);
    await sleep(250);
  }
}

/** Whether the lend's return rotation is done: the trail ends with `credentials-rotated`. */
export const rotatedBack = (lend: LendView): boolean =>
  lend.events.some((e) => e.type === 'credentials-rotated');

/** An instant `s` seconds from now, to the millisecond. */
export const inSeconds = (s: number): string => new Date(Date.now() + s * 1000).toISOString();
