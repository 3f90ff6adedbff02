import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOktaProvider } from '../../providers/okta/index.js';
import { lastUseOf } from '../../providers/okta/service.js';
import { startOktaFake, type OktaFake } from '../fakes/okta/index.js';
import { serviceSignsIn } from '../helpers/sign-in.js';
import { serviceCredentialContract } from './service-credential-contract.js';
import { inDays, token } from './specs.js';

const UNLIMITED = { requestsPerMinute: 1_000_000, maxConcurrent: 20 };

let fake: OktaFake;
beforeAll(async () => {
  fake = await startOktaFake();
});
afterAll(async () => {
  await fake?.close();
});

const newProvider = () =>
  createOktaProvider({
    orgUrl: fake.url,
    apiToken: fake.apiToken,
    loginDomain: 'suppliers.example.test',
    rateLimit: UNLIMITED,
  });

serviceCredentialContract('okta', async () => ({
  provider: newProvider(),
  maxNameLength: 100,
  signsIn: (credential) =>
    serviceSignsIn({ kind: 'okta', okta: fake }, credential.username, credential.password),
  missingRef: (name) => ({ username: name, externalId: '0oaNoSuchApp00000001', displayName: name }),
  makeForeign: async (name) => {
    fake.plantServiceApp(name);
  },
  holdsExpiry: false,
  kind: 'service-app',
}));

describe('okta service apps against the fake', () => {
  const okta = () => newProvider();

  it('makes a service app for the client-credentials grant only, marked with the grant; closing deactivates it and removes its secrets', async () => {
    const provider = okta();
    const spec = {
      username: `svc-${token()}`,
      organisation: 'Acme Ltd',
      displayName: 'Acme Ltd (supplier integration)',
      grantId: `grant-${token()}`,
      expiresAt: inDays(30),
    };
    const { account, credential } = await provider.createServiceCredential(spec);
    const app = fake.apps.get(account.externalId);
    expect(app).toMatchObject({
      label: spec.username,
      status: 'ACTIVE',
      applicationType: 'service',
      grantTypes: ['client_credentials'],
      profile: { supplierAccessGrantId: spec.grantId },
    });
    expect(credential?.username).toBe(app?.id);
    expect(app?.secrets.map((s) => s.secret)).toEqual([credential?.password]);

    await provider.closeServiceCredential(account);
    expect(fake.apps.get(account.externalId)).toMatchObject({ status: 'INACTIVE', secrets: [] });
    await provider.close();
  });

  it('lists API tokens with their owner, expiry and last use, and service apps nobody granted', async () => {
    const provider = okta();
    const lastUsed = new Date(Date.now() - 12 * 86_400_000).toISOString();
    const planted = fake.plantApiToken({
      name: `zapier-${token()}`,
      userId: '00uAdminWhoLeft00001',
      lastUsed,
    });
    const { app } = fake.plantServiceApp(`legacy-${token()}`);
    const states = await provider.listServiceCredentials();

    const tokenState = states.find((s) => s.id === planted.id);
    expect(tokenState).toMatchObject({ kind: 'api-token', owners: ['00uAdminWhoLeft00001'], enabled: true });
    expect(tokenState?.lastUsedAt).toBe(lastUsed);
    expect(tokenState?.credentials[0]?.expiresAt).toBe(
      new Date(Date.parse(lastUsed) + 30 * 86_400_000).toISOString(),
    );
    expect(states.find((s) => s.id === app.id)).toMatchObject({
      kind: 'service-app',
      grantId: undefined,
      enabled: true,
      credentials: [expect.objectContaining({ type: 'password' })],
    });
    await provider.close();
  });

  it('reads the last use of a token from its expiry and window', () => {
    expect(lastUseOf('2026-02-01T00:00:00.000Z', 'P30D')).toBe('2026-01-02T00:00:00.000Z');
    expect(lastUseOf('2026-02-01T00:00:00.000Z', 'PT12H')).toBe('2026-01-31T12:00:00.000Z');
    expect(lastUseOf(undefined, 'P30D')).toBeUndefined();
  });
});
