/**
 * Service apps (OAuth 2.0 client-credentials clients) and their client secrets, as Okta's Applications API and
 * Client Secrets API (ApplicationSSOCredentialOAuth2ClientAuth) hold them:
 * - only custom OIDC apps are modelled (`name: oidc_client`, `signOnMode: OPENID_CONNECT`); a service app
 *   (`application_type: service`) takes the `client_credentials` grant only and answers `token`;
 * - the client id is the app id; the first secret is made with the app and answered once, in the create answer;
 * - an app is ACTIVE or INACTIVE; only an INACTIVE one can be deleted (403 E0000056);
 * - an app holds at most two secret objects; only an INACTIVE secret can be deleted.
 */
import { createHash } from 'node:crypto';
import { OktaApiError, fieldValidationError, resourceNotFound, validationError } from './errors.js';
import { isoNow, oktaId, randomChars } from './ids.js';

export type AppStatus = 'ACTIVE' | 'INACTIVE';

export interface FakeClientSecret {
  id: string;
  status: AppStatus;
  /** In clear, for assertions and the token endpoint; Okta answers it only when the secret is made. */
  secret: string;
  created: string;
  lastUpdated: string;
}

export interface FakeApp {
  id: string;
  name: 'oidc_client';
  label: string;
  status: AppStatus;
  created: string;
  lastUpdated: string;
  applicationType: 'web' | 'native' | 'browser' | 'service';
  grantTypes: string[];
  responseTypes: string[];
  tokenEndpointAuthMethod: 'client_secret_basic' | 'client_secret_post';
  /** The app's custom `profile` object (any JSON), which Okta keeps for OAuth 2.0 client apps. */
  profile: Record<string, unknown>;
  secrets: FakeClientSecret[];
  seq: number;
}

/** The most client secret objects an app can hold (Okta's documented limit). */
export const MAX_SECRETS = 2;

const APPLICATION_TYPES = new Set(['web', 'native', 'browser', 'service']);
const AUTH_METHODS = new Set(['client_secret_basic', 'client_secret_post']);

/** E0000056, 403: an ACTIVE app cannot be deleted. */
export const deleteForbidden = (): OktaApiError =>
  new OktaApiError(403, 'E0000056', 'Delete application forbidden.');

/** The secret's hash as Okta shows it instead of the secret: base64url SHA-256 of it. */
export function secretHash(secret: string): string {
  return createHash('sha256').update(secret).digest('base64url');
}

type Json = Record<string, unknown>;
const obj = (v: unknown): Json => (v !== null && typeof v === 'object' ? (v as Json) : {});
const strings = (v: unknown): string[] | undefined =>
  Array.isArray(v) && v.every((x) => typeof x === 'string') ? v : undefined;

export class Apps {
  readonly byId = new Map<string, FakeApp>();
  private readonly seqOfId = new Map<string, number>();
  private seq = 0;

  reset(): void {
    this.byId.clear();
  }

  seqOf(id: string): number | undefined {
    return this.seqOfId.get(id);
  }

  all(): FakeApp[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq);
  }

  require(id: string): FakeApp {
    const app = this.byId.get(id);
    if (!app) throw resourceNotFound(id, 'AppInstance');
    return app;
  }

  /** `POST /api/v1/apps`: a custom OIDC app, with its first client secret. */
  create(body: unknown, activate: boolean): FakeApp {
    const b = obj(body);
    if (b.name !== 'oidc_client') {
      throw fieldValidationError('name', ['name: Only custom OIDC apps (oidc_client) are modelled']);
    }
    if (b.signOnMode !== 'OPENID_CONNECT') {
      throw fieldValidationError('signOnMode', ['signOnMode: must be OPENID_CONNECT for oidc_client']);
    }
    if (typeof b.label !== 'string' || b.label.trim() === '') {
      throw fieldValidationError('label', ['label: The field cannot be left blank']);
    }
    const settings = obj(obj(b.settings).oauthClient);
    const applicationType = settings.application_type ?? 'web';
    if (typeof applicationType !== 'string' || !APPLICATION_TYPES.has(applicationType)) {
      throw fieldValidationError('application_type', ['application_type: Invalid value']);
    }
    const grantTypes = strings(settings.grant_types);
    if (!grantTypes || grantTypes.length === 0) {
      throw fieldValidationError('grant_types', ['grant_types: The field cannot be left blank']);
    }
    if (applicationType === 'service' && grantTypes.some((g) => g !== 'client_credentials')) {
      throw fieldValidationError('grant_types', [
        'grant_types: Service applications only support the client_credentials grant type',
      ]);
    }
    const responseTypes =
      strings(settings.response_types) ?? (applicationType === 'service' ? ['token'] : ['code']);
    const authMethod =
      obj(obj(b.credentials).oauthClient).token_endpoint_auth_method ?? 'client_secret_basic';
    if (typeof authMethod !== 'string' || !AUTH_METHODS.has(authMethod)) {
      throw fieldValidationError('token_endpoint_auth_method', ['token_endpoint_auth_method: Invalid value']);
    }
    const now = isoNow();
    const app: FakeApp = {
      id: oktaId('0oa'),
      name: 'oidc_client',
      label: b.label,
      status: activate ? 'ACTIVE' : 'INACTIVE',
      created: now,
      lastUpdated: now,
      applicationType: applicationType as FakeApp['applicationType'],
      grantTypes,
      responseTypes,
      tokenEndpointAuthMethod: authMethod as FakeApp['tokenEndpointAuthMethod'],
      profile: obj(b.profile),
      secrets: [],
      seq: ++this.seq,
    };
    this.seqOfId.set(app.id, app.seq);
    this.byId.set(app.id, app);
    this.addSecret(app, undefined);
    return app;
  }

  setStatus(app: FakeApp, status: AppStatus): void {
    if (app.status === status) return;
    app.status = status;
    app.lastUpdated = isoNow();
  }

  delete(app: FakeApp): void {
    if (app.status !== 'INACTIVE') throw deleteForbidden();
    this.byId.delete(app.id);
  }

  requireSecret(app: FakeApp, secretId: string): FakeClientSecret {
    const secret = app.secrets.find((s) => s.id === secretId);
    if (!secret) throw resourceNotFound(secretId, 'OAuth2ClientSecret');
    return secret;
  }

  /** `POST …/credentials/secrets`: a new ACTIVE secret (system-generated unless one is brought), at most two. */
  addSecret(app: FakeApp, body: unknown): FakeClientSecret {
    if (app.secrets.length >= MAX_SECRETS) {
      throw validationError('Api validation failed: client_secret', [
        `client_secret: You can create up to ${MAX_SECRETS} client secrets; delete one first`,
      ]);
    }
    const brought = obj(body).client_secret;
    if (brought !== undefined && (typeof brought !== 'string' || brought.length < 14)) {
      throw fieldValidationError('client_secret', ['client_secret: must be at least 14 characters']);
    }
    const now = isoNow();
    const secret: FakeClientSecret = {
      id: oktaId('ocs'),
      status: obj(body).status === 'INACTIVE' ? 'INACTIVE' : 'ACTIVE',
      secret: typeof brought === 'string' ? brought : randomChars(64),
      created: now,
      lastUpdated: now,
    };
    app.secrets.push(secret);
    return secret;
  }

  setSecretStatus(secret: FakeClientSecret, status: AppStatus): void {
    if (secret.status === status) return;
    secret.status = status;
    secret.lastUpdated = isoNow();
  }

  deleteSecret(app: FakeApp, secret: FakeClientSecret): void {
    if (secret.status !== 'INACTIVE') {
      throw validationError('Api validation failed: client_secret', [
        'client_secret: Cannot delete an active client secret; deactivate it first',
      ]);
    }
    app.secrets = app.secrets.filter((s) => s.id !== secret.id);
  }
}
