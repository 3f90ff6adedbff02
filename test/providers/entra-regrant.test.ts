/**
 * A supplier granted again after its earlier grant closed, on Entra ID (the Graph fake): its disabled member or
 * guest comes back as a fresh create would leave it. The contract suite covers what every provider shares; this
 * covers what only Entra has (sessions, guests and their address, a UPN found under another nickname).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEntraProvider } from '../../providers/entra/index.js';
import type { AccountSpec, IdentityProvider } from '../../providers/types.js';
import { startGraphFake, type GraphFake } from '../fakes/graph/index.js';
import { accountSpec, nextGrant, token } from './specs.js';

const spec = (overrides: Partial<AccountSpec> = {}) => accountSpec('Entra Regrant', 'sup-rg-', overrides);

const UPN_DOMAIN = 'contoso.test';

let graph: GraphFake;
let entra: IdentityProvider;

beforeAll(async () => {
  graph = await startGraphFake({ verifiedDomains: [UPN_DOMAIN] });
  entra = createEntraProvider({
    tenantId: graph.tenantId,
    clientId: graph.clientId,
    clientSecret: graph.clientSecret,
    upnDomain: UPN_DOMAIN,
    baseUrl: graph.graphUrl,
    authorityUrl: graph.authorityUrl,
    rateLimit: { requestsPerSecond: 100_000, maxConcurrent: 16 },
  });
});
afterAll(async () => {
  await entra?.close();
  await graph?.close();
});

let bearer: string | undefined;
/** A plain Graph call, outside the provider, as an administrator would make it. */
async function graphCall(method: string, path: string, body?: unknown): Promise<number> {
  if (bearer === undefined) {
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: graph.clientId,
      client_secret: graph.clientSecret,
      scope: graph.scope,
    });
    const answer = await fetch(graph.tokenUrl, { method: 'POST', body: form });
    bearer = ((await answer.json()) as { access_token: string }).access_token;
  }
  const res = await fetch(`${graph.baseUrl}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${bearer}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  await res.text();
  return res.status;
}

async function addByHand(groupId: string, userId: string): Promise<void> {
  const ref = { '@odata.id': `${graph.baseUrl}/directoryObjects/${userId}` };
  expect(await graphCall('POST', `/groups/${groupId}/members/$ref`, ref)).toBe(204);
}

/** Creates the account for a grant and closes it as deprovisioning does. */
async function closedGrant(s: AccountSpec) {
  const made = await entra.createAccount(s);
  await entra.disableAccount(made.account);
  await entra.rotateCredentials(made.account);
  return made;
}

describe('entra: a supplier granted again after its earlier grant closed', () => {
  it('gets its member back enabled, with a password to change, its sessions revoked and the new groups only', async () => {
    const [earlierGroup, laterGroup] = [
      graph.createGroup(`A ${token()}`).id,
      graph.createGroup(`B ${token()}`).id,
    ];
    const earlier = spec({ kind: 'member', groups: [earlierGroup] });
    const { account, credential: old } = await closedGrant(earlier);
    // Put back into a group by hand after the grant closed: the next grant gets its own groups, not these.
    await addByHand(earlierGroup, account.externalId);
    const revocations = graph.users.get(account.externalId)?.sessionRevocations ?? 0;

    const later = nextGrant(earlier, { groups: [laterGroup], contactEmail: 'ops@later.example' });
    const { credential } = await entra.createAccount(later);
    expect(credential?.password).not.toBe(old?.password);
    expect(graph.users.get(account.externalId)).toMatchObject({
      accountEnabled: true,
      password: credential?.password,
      forceChangePasswordNextSignIn: true,
      otherMails: ['ops@later.example'],
      sessionRevocations: revocations + 1,
      onPremisesExtensionAttributes: expect.objectContaining({
        extensionAttribute14: later.grantId,
        extensionAttribute15: later.expiresAt,
      }),
    });
    expect((await entra.findAccount(later.username))?.groups).toEqual([laterGroup]);
  });

  it('gets its guest back, re-enabled for the same address, without a new invitation', async () => {
    const address = `${token()}@partner.example`;
    const earlier = spec({ kind: 'guest', contactEmail: address });
    const { account } = await closedGrant(earlier);
    const invitations = graph.invitationEmails.length;

    const later = nextGrant(earlier);
    const { account: back, credential } = await entra.createAccount(later);
    expect(back.externalId).toBe(account.externalId);
    expect(credential).toBeUndefined();
    expect(graph.users.get(account.externalId)).toMatchObject({
      accountEnabled: true,
      mail: address,
      password: undefined,
      onPremisesExtensionAttributes: expect.objectContaining({ extensionAttribute14: later.grantId }),
    });
    expect(graph.invitationEmails.length).toBe(invitations);
  });

  it('refuses, and leaves disabled, a guest invited for another address than the new contact', async () => {
    const earlier = spec({ kind: 'guest', contactEmail: `${token()}@partner.example` });
    const { account } = await closedGrant(earlier);

    const later = nextGrant(earlier, { contactEmail: `${token()}@elsewhere.example` });
    await expect(entra.createAccount(later)).rejects.toMatchObject({ kind: 'conflict' });
    expect(graph.users.get(account.externalId)).toMatchObject({
      accountEnabled: false,
      onPremisesExtensionAttributes: expect.objectContaining({ extensionAttribute14: earlier.grantId }),
    });
  });

  it('takes back a member found by its UPN when its nickname was changed by hand', async () => {
    const earlier = spec({ kind: 'member' });
    const { account } = await closedGrant(earlier);
    expect(
      await graphCall('PATCH', `/users/${account.externalId}`, { mailNickname: `renamed-${token()}` }),
    ).toBe(204);

    const later = nextGrant(earlier);
    const { account: back, credential } = await entra.createAccount(later);
    expect(back.externalId).toBe(account.externalId);
    expect(graph.users.get(account.externalId)).toMatchObject({
      accountEnabled: true,
      mailNickname: later.username,
      password: credential?.password,
    });
  });
});
