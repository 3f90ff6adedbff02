import type { AccountRef, Credential } from '../../domain/account.js';
import { failureOf } from '../operation.js';
import { holderOf } from '../ownership.js';
import type { ServiceCredentialState, ServiceSpec } from '../service-types.js';
import type { ProvisionResult } from '../types.js';
import { unlessNotFound } from './errors.js';
import type { OktaContext } from './users.js';

/** Okta's limit on client secret objects per app: a fresh one can only be made beside one other. */
const MAX_SECRETS = 2;

/** What we read of an app (the SDK's `OpenIdConnectApplication`, read by shape: no SDK type leaves here). */
interface ServiceApp {
  id: string;
  label: string;
  status: string;
  created?: unknown;
  profile: Record<string, unknown>;
  applicationType?: string;
}

interface SecretRow {
  id: string;
  status: string;
  created?: unknown;
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});
const text = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/** The SDK gives some timestamps as Date objects and others as strings. */
function isoOf(v: unknown): string | undefined {
  if (v instanceof Date) return v.toISOString();
  if (typeof v === 'string' && v !== '') return new Date(v).toISOString();
  return undefined;
}

function appOf(raw: unknown): ServiceApp {
  const app = obj(raw);
  return {
    id: text(app.id) ?? '',
    label: text(app.label) ?? '',
    status: text(app.status) ?? '',
    created: app.created,
    profile: obj(app.profile),
    applicationType: text(obj(obj(app.settings).oauthClient).application_type),
  };
}

/**
 * The service app a supplier's integration signs in with: a custom OIDC app (`oidc_client`) of type `service`,
 * which takes the client-credentials grant only, authenticating with a client secret. Okta holds no expiry for it
 * (our workflow does); the owning grant is written in the app's `profile`, which Okta keeps for OAuth clients.
 */
function serviceAppBody(ctx: OktaContext, spec: ServiceSpec): Json {
  return {
    name: 'oidc_client',
    label: spec.username,
    signOnMode: 'OPENID_CONNECT',
    credentials: { oauthClient: { token_endpoint_auth_method: 'client_secret_basic' } },
    settings: {
      oauthClient: {
        application_type: 'service',
        grant_types: ['client_credentials'],
        response_types: ['token'],
      },
    },
    profile: { [ctx.config.grantAttribute]: spec.grantId, organisation: spec.organisation },
  };
}

/** Apps labelled exactly `label` (Okta's `q` matches label prefixes, case-insensitively). */
async function appsLabelled(ctx: OktaContext, label: string): Promise<ServiceApp[]> {
  const found: ServiceApp[] = [];
  const collection = await ctx.client.applicationApi.listApplications({ q: label, limit: 200 });
  for await (const raw of collection) {
    const app = appOf(raw);
    if (app.label === label) found.push(app);
  }
  return found;
}

async function secretsOf(ctx: OktaContext, appId: string): Promise<SecretRow[]> {
  const rows: SecretRow[] = [];
  const collection = await ctx.client.applicationSSOPublicKeysApi.listOAuth2ClientSecrets({ appId });
  for await (const raw of collection) {
    const s = obj(raw);
    rows.push({ id: text(s.id) ?? '', status: text(s.status) ?? '', created: s.created });
  }
  return rows;
}

/** Okta deletes only an inactive secret: deactivated first. Gone already counts as removed. */
async function removeSecret(ctx: OktaContext, appId: string, secret: SecretRow): Promise<void> {
  const api = ctx.client.applicationSSOPublicKeysApi;
  if (secret.status === 'ACTIVE') {
    const gone = await unlessNotFound(api.deactivateOAuth2ClientSecret({ appId, secretId: secret.id }), null);
    if (gone === null) return;
  }
  await unlessNotFound(api.deleteOAuth2ClientSecret({ appId, secretId: secret.id }), undefined);
}

/**
 * Creates the service app, active, and answers its client id and first secret. A retry for the same grant finds
 * its app, activates it if needed, makes a fresh secret and removes the earlier ones (the first answer may never
 * have reached anybody). An app of that label that is not this grant's is a conflict.
 */
export async function createServiceCredential(ctx: OktaContext, spec: ServiceSpec): Promise<ProvisionResult> {
  const fail = failureOf('okta', 'createServiceCredential');
  const [existing, ...others] = await appsLabelled(ctx, spec.username);
  if (!existing) {
    const made = obj(
      await ctx.client.applicationApi.createApplication({
        // The SDK's model types want a class instance; the body is Okta's documented JSON.
        application: serviceAppBody(ctx, spec) as never,
        activate: true,
      }),
    );
    const oauth = obj(obj(made.credentials).oauthClient);
    const clientId = text(oauth.client_id);
    const secret = text(oauth.client_secret);
    if (!clientId || !secret)
      throw fail('transient', `Okta made ${spec.username} but answered no client secret`);
    return result(spec, text(made.id) ?? clientId, clientId, secret);
  }
  const owner = text(existing.profile[ctx.config.grantAttribute]);
  if (owner !== spec.grantId || others.length > 0) {
    throw fail('conflict', `an app labelled ${spec.username} already exists for ${holderOf(owner)}`);
  }
  if (existing.status !== 'ACTIVE')
    await ctx.client.applicationApi.activateApplication({ appId: existing.id });
  const earlier = await secretsOf(ctx, existing.id);
  // Room for the fresh secret first (Okta keeps two at most); the rest go once it exists.
  const makeRoom = earlier.slice(0, Math.max(0, earlier.length - (MAX_SECRETS - 1)));
  for (const s of makeRoom) await removeSecret(ctx, existing.id, s);
  const fresh = obj(
    await ctx.client.applicationSSOPublicKeysApi.createOAuth2ClientSecret({ appId: existing.id }),
  );
  const secret = text(fresh.client_secret);
  if (!secret) throw fail('transient', `Okta answered no client secret for ${spec.username}`);
  for (const s of earlier.slice(makeRoom.length)) await removeSecret(ctx, existing.id, s);
  return result(spec, existing.id, existing.id, secret);
}

function result(spec: ServiceSpec, appId: string, clientId: string, secret: string): ProvisionResult {
  return {
    account: { username: spec.username, externalId: appId, displayName: spec.displayName },
    credential: { username: clientId, password: secret },
  };
}

/**
 * Deactivates the app (its secrets stop getting tokens at once) and removes every secret. An app that is gone
 * already is closed.
 */
export async function closeServiceCredential(ctx: OktaContext, account: AccountRef): Promise<void> {
  const appId = account.externalId;
  const app = await unlessNotFound(ctx.client.applicationApi.getApplication({ appId }), null);
  if (app === null) return;
  if (appOf(app).status === 'ACTIVE') {
    const done = await unlessNotFound(ctx.client.applicationApi.deactivateApplication({ appId }), null);
    if (done === null) return;
  }
  const secrets = await unlessNotFound(secretsOf(ctx, appId), []);
  for (const s of secrets) await removeSecret(ctx, appId, s);
}

/** Okta holds no expiry for an app: the grant's workflow closes it. Nothing to move, no new secret. */
export function setServiceExpiry(): Promise<Credential | undefined> {
  return Promise.resolve(undefined);
}

/**
 * Every service app (custom OIDC apps of type `service`) with its secrets, and every API token with its owner and
 * expiry. Okta does not say when a token was last used, but its expiry is the last use plus `tokenWindow`.
 */
export async function listServiceCredentials(ctx: OktaContext): Promise<ServiceCredentialState[]> {
  const states: ServiceCredentialState[] = [];
  const apps = await ctx.client.applicationApi.listApplications({
    filter: 'name eq "oidc_client"',
    limit: 200,
  });
  for await (const raw of apps) {
    const app = appOf(raw);
    if (app.applicationType !== 'service') continue;
    const secrets = await unlessNotFound(secretsOf(ctx, app.id), []);
    states.push({
      kind: 'service-app',
      id: app.id,
      name: app.label,
      owners: [],
      enabled: app.status === 'ACTIVE',
      createdAt: isoOf(app.created),
      credentials: secrets
        .filter((s) => s.status === 'ACTIVE')
        .map((s) => ({ id: s.id, type: 'password' as const, createdAt: isoOf(s.created) })),
      grantId: text(app.profile[ctx.config.grantAttribute]),
    });
  }
  for await (const raw of await ctx.client.apiTokenApi.listApiTokens()) {
    const token = obj(raw);
    const id = text(token.id) ?? '';
    const expiresAt = isoOf(token.expiresAt);
    const userId = text(token.userId);
    states.push({
      kind: 'api-token',
      id,
      name: text(token.name) ?? '',
      owners: userId ? [userId] : [],
      enabled: true,
      createdAt: isoOf(token.created),
      lastUsedAt: lastUseOf(expiresAt, text(token.tokenWindow)),
      credentials: [{ id, type: 'token', createdAt: isoOf(token.created), expiresAt }],
    });
  }
  return states;
}

/** `expiresAt` minus an ISO-8601 duration of days, hours and minutes (the windows Okta offers). */
export function lastUseOf(expiresAt: string | undefined, window: string | undefined): string | undefined {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(window ?? '');
  if (!expiresAt || !m) return undefined;
  const [, d = '0', h = '0', min = '0'] = m;
  const ms = ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000;
  return new Date(Date.parse(expiresAt) - ms).toISOString();
}
