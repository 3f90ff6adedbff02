/**
 * A supplier granted again after its earlier grant closed, on Okta: its deprovisioned (or suspended) user comes back
 * through Okta's documented lifecycle, as a fresh create would leave it. The contract suite covers what every
 * provider shares; this covers what only Okta has (activation e-mails, statuses, sessions, the calls made).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOktaProvider } from '../../providers/okta/index.js';
import type { AccountSpec, IdentityProvider } from '../../providers/types.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { accountSpec, nextGrant, token } from './specs.js';

const spec = (overrides: Partial<AccountSpec> = {}) => accountSpec('Okta Regrant', 'sup-rg-', overrides);

const DOMAIN = 'suppliers.example.test';

let fake: OktaFake;
let okta: IdentityProvider;

beforeAll(async () => {
  fake = await startOktaFake();
  okta = createOktaProvider({
    orgUrl: fake.url,
    apiToken: fake.apiToken,
    loginDomain: DOMAIN,
    rateLimit: { requestsPerMinute: 1_000_000, maxConcurrent: 20 },
  });
});
afterAll(async () => {
  await okta?.close();
  await fake?.close();
});

async function oktaCall(method: string, path: string): Promise<{ status: number }> {
  const res = await fetch(`${fake.url}${path}`, {
    method,
    headers: { Authorization: `SSWS ${fake.apiToken}`, Accept: 'application/json' },
  });
  await res.text();
  return { status: res.status };
}

async function newGroup(): Promise<string> {
  const res = await fetch(`${fake.url}/api/v1/groups`, {
    method: 'POST',
    headers: {
      Authorization: `SSWS ${fake.apiToken}`,
      Accept: 'application/json',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ profile: { name: `Regrant ${token()}` } }),
  });
  return String(((await res.json()) as { id: string }).id);
}

/** The lifecycle calls made on the user since `since`, as `METHOD /lifecycle/op?query`. */
function lifecycleCalls(userId: string, since: number): string[] {
  return fake.requests
    .slice(since)
    .filter((r) => r.path.startsWith(`/api/v1/users/${userId}/lifecycle/`))
    .map((r) => `${r.path.slice(r.path.indexOf('/lifecycle/'))}?${new URLSearchParams(r.query).toString()}`);
}

describe('okta: a supplier granted again after its earlier grant closed', () => {
  it('gets its deprovisioned activation account back: e-mailed to the new contact, with the new groups only', async () => {
    const [earlierGroup, laterGroup] = [await newGroup(), await newGroup()];
    const earlier = spec({ contactEmail: 'old@acme.example', groups: [earlierGroup] });
    const { account } = await okta.createAccount(earlier);
    await okta.disableAccount(account);
    await okta.rotateCredentials(account);
    // Put back into a group by hand after the grant closed: the next grant gets its own groups, not these.
    await oktaCall('PUT', `/api/v1/groups/${earlierGroup}/users/${account.externalId}`);
    const emails = fake.emails.length;
    const since = fake.requests.length;

    const later = nextGrant(earlier, { contactEmail: 'new@acme.example', groups: [laterGroup] });
    const { account: back, credential } = await okta.createAccount(later);
    expect(back.externalId).toBe(account.externalId);
    expect(credential).toBeUndefined();
    const user = fake.users.get(account.externalId);
    expect(user).toMatchObject({ status: 'PROVISIONED', password: null });
    expect(user?.profile).toMatchObject({
      email: 'new@acme.example',
      supplierAccessGrantId: later.grantId,
      supplierAccessExpiresAt: later.expiresAt,
    });
    expect(fake.emails.slice(emails)).toEqual([
      expect.objectContaining({ kind: 'activation', userId: account.externalId, to: 'new@acme.example' }),
    ]);
    expect((await okta.findAccount(later.username))?.groups).toEqual([laterGroup]);
    expect(lifecycleCalls(account.externalId, since)).toEqual([
      '/lifecycle/activate?sendEmail=false',
      '/lifecycle/reactivate?sendEmail=true',
    ]);
  });

  it('gets its deprovisioned password account back with a fresh password, to change at first sign-in', async () => {
    const earlier = spec();
    const { account, credential: old } = await okta.createAccount(earlier);
    await okta.disableAccount(account);
    await okta.rotateCredentials(account);
    const emails = fake.emails.length;

    const { credential } = await okta.createAccount(nextGrant(earlier));
    expect(credential?.password).not.toBe(old?.password);
    expect(fake.users.get(account.externalId)).toMatchObject({
      status: 'PASSWORD_EXPIRED',
      password: credential?.password,
    });
    expect(fake.emails.slice(emails)).toEqual([]);
  });

  it('gets a suspended account back closed first: its sessions, factors and old password do not survive', async () => {
    const earlier = spec();
    const { account, credential: old } = await okta.createAccount(earlier);
    const id = account.externalId;
    // The supplier changed its password at first sign-in; later an administrator suspended the account.
    const user = fake.users.get(id);
    if (!user) throw new Error('the fake lost the user');
    user.status = 'ACTIVE';
    expect((await oktaCall('POST', `/api/v1/users/${id}/lifecycle/suspend`)).status).toBe(200);
    fake.createSession(id);
    const resets = fake.factorResets.length;

    const { credential } = await okta.createAccount(nextGrant(earlier));
    expect(fake.users.get(id)).toMatchObject({ status: 'PASSWORD_EXPIRED', password: credential?.password });
    expect(fake.users.get(id)?.password).not.toBe(old?.password);
    expect(fake.sessionsOf(id)).toEqual([]);
    expect(fake.factorResets.slice(resets).map((r) => r.userId)).toEqual([id]);
  });

  it('finishes a takeover that stopped half-way (reactivated, still marked for the closed grant)', async () => {
    const earlier = spec();
    const { account } = await okta.createAccount(earlier);
    await okta.disableAccount(account);
    expect(
      (await oktaCall('POST', `/api/v1/users/${account.externalId}/lifecycle/activate?sendEmail=false`))
        .status,
    ).toBe(200);

    const later = nextGrant(earlier);
    const { credential } = await okta.createAccount(later);
    expect(fake.users.get(account.externalId)).toMatchObject({
      status: 'PASSWORD_EXPIRED',
      password: credential?.password,
    });
    expect(await okta.findAccount(later.username)).toMatchObject({ enabled: true, grantId: later.grantId });
  });

  it('e-mails the activation again when a takeover stopped before marking the user as the new grant’s', async () => {
    const earlier = spec({ contactEmail: 'old@acme.example' });
    const { account } = await okta.createAccount(earlier);
    await okta.disableAccount(account);
    // As far as an interrupted takeover got: reactivated and e-mailed, still marked for the closed grant.
    const id = account.externalId;
    expect((await oktaCall('POST', `/api/v1/users/${id}/lifecycle/activate?sendEmail=false`)).status).toBe(
      200,
    );
    expect((await oktaCall('POST', `/api/v1/users/${id}/lifecycle/reactivate?sendEmail=true`)).status).toBe(
      200,
    );
    const emails = fake.emails.length;

    const later = nextGrant(earlier, { contactEmail: 'new@acme.example' });
    await okta.createAccount(later);
    expect(fake.emails.slice(emails)).toEqual([
      expect.objectContaining({ kind: 'activation', userId: id, to: 'new@acme.example' }),
    ]);
    expect(await okta.findAccount(later.username)).toMatchObject({ enabled: true, grantId: later.grantId });
  });

  it('leaves a deactivated user of its own grant alone, as before: reviving it is not a retry’s business', async () => {
    const s = spec();
    const { account } = await okta.createAccount(s);
    await okta.disableAccount(account);
    await expect(okta.createAccount({ ...s, reclaimable: [`grant-${token()}`] })).rejects.toMatchObject({
      kind: 'conflict',
    });
    expect(fake.users.get(account.externalId)?.status).toBe('DEPROVISIONED');
  });
});
