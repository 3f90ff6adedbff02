/**
 * The tenant's application registrations and service principals, with the rules Entra ID applies:
 *
 * - POST /applications needs a displayName; Graph gives it an object id and an application (client) id. An app
 *   that holds only Application.ReadWrite.OwnedBy becomes the owner of what it creates, and may change, add
 *   secrets to or delete only the applications (and service principals) it owns.
 * - addPassword makes a secret Graph answers once (`secretText`), with a `keyId`, `hint` and an `endDateTime`
 *   (two years when none is given); removePassword of a keyId the application does not hold is a 400.
 * - One service principal per application (POST /servicePrincipals with its `appId`); deleting the application
 *   deletes its service principal.
 * - Owners (`owners/$ref`) are users or service principals; adding one twice is a 400.
 */
import { randomBytes } from 'node:crypto';
import type { TokenClaims } from './auth.js';
import type { Directory } from './directory.js';
import {
  cannotConvert,
  GraphApiError,
  insufficientPrivileges,
  invalidReference,
  invalidValue,
  readOnlyProperty,
  referencesAlreadyExist,
  referencesDoNotExist,
  resourceNotFound,
  servicePrincipalExists,
  unknownAppId,
  unknownKeyId,
  unknownProperty,
} from './errors.js';
import { graphDateTime, guid, isGuid } from './ids.js';
import type { PropertyDef } from './model.js';
import {
  APPLICATION_PROPERTIES,
  SERVICE_PRINCIPAL_PROPERTIES,
  type FakeApplication,
  type FakePasswordCredential,
  type FakeServicePrincipal,
} from './model-applications.js';

type Body = Record<string, unknown>;

const isObject = (v: unknown): v is Body => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Graph's default lifetime of a secret made without an endDateTime. */
const DEFAULT_SECRET_YEARS = 2;
/** The characters Entra's generated secrets use. */
const SECRET_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_~.-';

/** A secret shaped like Entra's (40 characters, `8Q~` after the three-character hint). */
function newSecretText(): string {
  const pick = (n: number) =>
    [...randomBytes(n)].map((b) => SECRET_ALPHABET.charAt(b % SECRET_ALPHABET.length)).join('');
  return `${pick(3)}8Q~${pick(34)}`;
}

/** Who calls: the calling app's service principal, and whether its permissions reach only what it owns. */
export interface Caller {
  servicePrincipalId: string;
  ownedByOnly: boolean;
}

/** Application.ReadWrite.OwnedBy without a permission over every application. */
export function callerOf(claims: TokenClaims, servicePrincipalId: string): Caller {
  const all = ['Application.ReadWrite.All', 'Directory.ReadWrite.All'].some((p) => claims.roles.includes(p));
  return { servicePrincipalId, ownedByOnly: !all && claims.roles.includes('Application.ReadWrite.OwnedBy') };
}

/** What a test plants directly (`plantApplication`): an app somebody made by hand, long ago. */
export interface PlantedApplication {
  displayName: string;
  /** The secret's end; null (the default) for a secret that never expires. */
  secretEndDateTime?: string | null;
  /** Owner object ids (users); default none. */
  owners?: string[];
  tags?: string[];
  notes?: string | null;
  /** Whether it has a service principal (enabled); default true. */
  servicePrincipal?: boolean;
  /** When it was made; default now. */
  createdDateTime?: string;
}

export class Applications {
  readonly applications = new Map<string, FakeApplication>();
  readonly servicePrincipals = new Map<string, FakeServicePrincipal>();

  constructor(
    private readonly dir: Directory,
    /** The fake's own client: its service principal exists from the start, and survives `reset`. */
    private readonly self: { appId: string; servicePrincipalId: string; displayName: string },
  ) {
    this.reset();
  }

  reset(): void {
    this.applications.clear();
    this.servicePrincipals.clear();
    const { appId, servicePrincipalId, displayName } = this.self;
    this.servicePrincipals.set(servicePrincipalId, {
      id: servicePrincipalId,
      appId,
      displayName,
      appDisplayName: displayName,
      accountEnabled: true,
      servicePrincipalType: 'Application',
      tags: [],
      notes: null,
      passwordCredentials: [],
      keyCredentials: [],
      owners: new Set(),
    });
  }

  // ---- applications ------------------------------------------------------------------------------------------

  getApplication(id: string): FakeApplication {
    const app = this.applications.get(id.toLowerCase());
    if (!app) throw resourceNotFound(id);
    return app;
  }

  applicationByAppId(appId: string): FakeApplication | undefined {
    for (const a of this.applications.values()) if (a.appId.toLowerCase() === appId.toLowerCase()) return a;
    return undefined;
  }

  createApplication(body: unknown, caller: Caller): FakeApplication {
    if (!isObject(body)) throw invalidValue('displayName', 'Application');
    const draft = checkProperties(body, APPLICATION_PROPERTIES, 'Application', 'microsoft.graph.application');
    if (typeof draft.displayName !== 'string' || draft.displayName.trim() === '')
      throw invalidValue('displayName', 'Application');
    const app: FakeApplication = {
      id: guid(),
      appId: guid(),
      displayName: draft.displayName,
      description: null,
      notes: null,
      tags: [],
      signInAudience: 'AzureADMyOrg',
      createdDateTime: graphDateTime(),
      deletedDateTime: null,
      passwordCredentials: [],
      keyCredentials: [],
      owners: new Set(caller.ownedByOnly ? [caller.servicePrincipalId] : []),
      ...(draft as Partial<FakeApplication>),
    };
    this.applications.set(app.id, app);
    return app;
  }

  updateApplication(app: FakeApplication, body: unknown, caller: Caller): void {
    this.checkOwned(app, caller);
    if (!isObject(body)) throw invalidValue('displayName', 'Application');
    const draft = checkProperties(body, APPLICATION_PROPERTIES, 'Application', 'microsoft.graph.application');
    if ('displayName' in draft && (typeof draft.displayName !== 'string' || draft.displayName.trim() === ''))
      throw invalidValue('displayName', 'Application');
    Object.assign(app, draft);
  }

  deleteApplication(app: FakeApplication, caller: Caller): void {
    this.checkOwned(app, caller);
    this.applications.delete(app.id);
    for (const sp of this.servicePrincipals.values())
      if (sp.appId === app.appId) this.servicePrincipals.delete(sp.id);
  }

  /** POST /applications/{id}/addPassword `{ passwordCredential: { displayName?, startDateTime?, endDateTime? } }`. */
  addPassword(app: FakeApplication, body: unknown, caller: Caller): FakePasswordCredential {
    this.checkOwned(app, caller);
    const spec = isObject(body) ? body.passwordCredential : undefined;
    if (spec !== undefined && spec !== null && !isObject(spec))
      throw cannotConvert('microsoft.graph.passwordCredential');
    const fields = spec ?? {};
    for (const key of Object.keys(fields))
      if (!['displayName', 'startDateTime', 'endDateTime', '@odata.type'].includes(key))
        throw unknownProperty(key, 'microsoft.graph.passwordCredential');
    const displayName = fields.displayName ?? null;
    if (displayName !== null && typeof displayName !== 'string') throw cannotConvert('Edm.String');
    const start = fields.startDateTime == null ? new Date() : dateOf(fields.startDateTime);
    const end =
      fields.endDateTime == null
        ? new Date(new Date(start).setUTCFullYear(start.getUTCFullYear() + DEFAULT_SECRET_YEARS))
        : dateOf(fields.endDateTime);
    if (end.getTime() <= start.getTime()) throw invalidValue('endDateTime', 'PasswordCredential');
    const secretText = newSecretText();
    const credential: FakePasswordCredential = {
      keyId: guid(),
      displayName,
      hint: secretText.slice(0, 3),
      customKeyIdentifier: null,
      startDateTime: graphDateTime(start),
      endDateTime: graphDateTime(end),
      secretText,
    };
    app.passwordCredentials.push(credential);
    return credential;
  }

  /** POST /applications/{id}/removePassword `{ keyId }`. */
  removePassword(app: FakeApplication, body: unknown, caller: Caller): void {
    this.checkOwned(app, caller);
    const keyId = isObject(body) ? body.keyId : undefined;
    if (typeof keyId !== 'string' || !isGuid(keyId)) throw invalidValue('keyId', 'PasswordCredential');
    const index = app.passwordCredentials.findIndex((c) => c.keyId.toLowerCase() === keyId.toLowerCase());
    if (index < 0) throw unknownKeyId(keyId);
    app.passwordCredentials.splice(index, 1);
  }

  // ---- owners ------------------------------------------------------------------------------------------------

  /** The owners as directory objects: users and service principals. */
  ownersOf(target: { owners: Set<string> }): { type: 'user' | 'sp'; id: string }[] {
    return [...target.owners].flatMap((id): { type: 'user' | 'sp'; id: string }[] => {
      if (this.dir.users.has(id)) return [{ type: 'user', id }];
      if (this.servicePrincipals.has(id)) return [{ type: 'sp', id }];
      return [];
    });
  }

  /** POST …/owners/$ref `{ "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}" }`. */
  addOwner(target: { owners: Set<string> }, body: unknown): void {
    if (!isObject(body) || typeof body['@odata.id'] !== 'string')
      throw new GraphApiError(400, 'BadRequest', "The request body must contain an '@odata.id' reference.");
    const ref = body['@odata.id'];
    const m = /\/(?:directoryObjects|users|servicePrincipals)\/([^/?#]+)\/?$/i.exec(ref);
    const id = m?.[1] ? decodeURIComponent(m[1]).toLowerCase() : undefined;
    if (id === undefined || !isGuid(id)) throw invalidReference(ref);
    if (!this.dir.users.has(id) && !this.servicePrincipals.has(id)) throw resourceNotFound(id);
    if (target.owners.has(id)) throw referencesAlreadyExist('owners');
    target.owners.add(id);
  }

  removeOwner(target: { owners: Set<string> }, ownerId: string): void {
    if (!target.owners.delete(ownerId.toLowerCase())) throw referencesDoNotExist('owners');
  }

  // ---- service principals ------------------------------------------------------------------------------------

  getServicePrincipal(id: string): FakeServicePrincipal {
    const sp = this.servicePrincipals.get(id.toLowerCase());
    if (!sp) throw resourceNotFound(id);
    return sp;
  }

  servicePrincipalByAppId(appId: string): FakeServicePrincipal | undefined {
    for (const sp of this.servicePrincipals.values())
      if (sp.appId.toLowerCase() === appId.toLowerCase()) return sp;
    return undefined;
  }

  /** POST /servicePrincipals `{ appId, accountEnabled?, tags?, notes? }`. */
  createServicePrincipal(body: unknown, caller: Caller): FakeServicePrincipal {
    if (!isObject(body)) throw invalidValue('appId', 'ServicePrincipal');
    const { appId, ...rest } = body;
    if (typeof appId !== 'string') throw invalidValue('appId', 'ServicePrincipal');
    const draft = checkProperties(
      rest,
      SERVICE_PRINCIPAL_PROPERTIES,
      'ServicePrincipal',
      'microsoft.graph.servicePrincipal',
    );
    const app = this.applicationByAppId(appId);
    if (!app) throw unknownAppId(appId);
    this.checkOwned(app, caller);
    if (this.servicePrincipalByAppId(appId)) throw servicePrincipalExists(appId);
    const sp: FakeServicePrincipal = {
      id: guid(),
      appId: app.appId,
      displayName: app.displayName,
      appDisplayName: app.displayName,
      accountEnabled: true,
      servicePrincipalType: 'Application',
      tags: [],
      notes: null,
      passwordCredentials: [],
      keyCredentials: [],
      owners: new Set(caller.ownedByOnly ? [caller.servicePrincipalId] : []),
      ...(draft as Partial<FakeServicePrincipal>),
    };
    this.servicePrincipals.set(sp.id, sp);
    return sp;
  }

  updateServicePrincipal(sp: FakeServicePrincipal, body: unknown, caller: Caller): void {
    if (caller.ownedByOnly && !sp.owners.has(caller.servicePrincipalId)) throw insufficientPrivileges();
    if (!isObject(body)) throw invalidValue('accountEnabled', 'ServicePrincipal');
    const draft = checkProperties(
      body,
      SERVICE_PRINCIPAL_PROPERTIES,
      'ServicePrincipal',
      'microsoft.graph.servicePrincipal',
    );
    Object.assign(sp, draft);
  }

  // ---- test setup --------------------------------------------------------------------------------------------

  /** An application somebody made outside any tool of ours, with one secret (see PlantedApplication). */
  plant(spec: PlantedApplication): { application: FakeApplication; servicePrincipal?: FakeServicePrincipal } {
    const created = spec.createdDateTime ?? graphDateTime();
    const secretText = newSecretText();
    const application: FakeApplication = {
      id: guid(),
      appId: guid(),
      displayName: spec.displayName,
      description: null,
      notes: spec.notes ?? null,
      tags: [...(spec.tags ?? [])],
      signInAudience: 'AzureADMyOrg',
      createdDateTime: created,
      deletedDateTime: null,
      passwordCredentials: [
        {
          keyId: guid(),
          displayName: null,
          hint: secretText.slice(0, 3),
          customKeyIdentifier: null,
          startDateTime: created,
          endDateTime: spec.secretEndDateTime ?? null,
          secretText,
        },
      ],
      keyCredentials: [],
      owners: new Set((spec.owners ?? []).map((o) => o.toLowerCase())),
    };
    this.applications.set(application.id, application);
    if (spec.servicePrincipal === false) return { application };
    const servicePrincipal = this.createServicePrincipal(
      { appId: application.appId },
      { servicePrincipalId: '', ownedByOnly: false },
    );
    return { application, servicePrincipal };
  }

  /** Application.ReadWrite.OwnedBy reaches only the applications the caller owns. */
  private checkOwned(app: FakeApplication, caller: Caller): void {
    if (caller.ownedByOnly && !app.owners.has(caller.servicePrincipalId)) throw insufficientPrivileges();
  }
}

function dateOf(value: unknown): Date {
  if (typeof value !== 'string') throw cannotConvert('Edm.DateTimeOffset');
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw cannotConvert('Edm.DateTimeOffset');
  return new Date(t);
}

/** Checks a body's properties against the resource's metadata; answers the values to write. */
function checkProperties(
  body: Body,
  properties: Readonly<Record<string, PropertyDef>>,
  resource: string,
  typeName: string,
): Body {
  const draft: Body = {};
  for (const [key, value] of Object.entries(body)) {
    if (key === '@odata.type') continue;
    const def = properties[key];
    if (!def) throw unknownProperty(key, typeName);
    if (!def.writable) throw readOnlyProperty(key, resource);
    if (def.kind === 'boolean') {
      if (typeof value !== 'boolean') throw cannotConvert('Edm.Boolean');
    } else if (def.kind === 'strings') {
      if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.length > 256))
        throw cannotConvert('Collection(Edm.String)');
    } else if (def.kind === 'string') {
      if (value !== null && typeof value !== 'string') throw cannotConvert('Edm.String');
      if (typeof value === 'string' && def.maxLength && value.length > def.maxLength)
        throw invalidValue(key, resource);
    }
    draft[key] = Array.isArray(value) ? [...(value as string[])] : value;
  }
  return draft;
}
