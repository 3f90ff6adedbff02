/**
 * Application registrations and service principals as the fake keeps them, and the metadata of their properties
 * (from the v1.0 `application` and `servicePrincipal` resource types).
 */
import type { FilterOp, PropertyDef } from './model.js';

const TEXT_OPS: readonly FilterOp[] = ['eq', 'ne', 'in', 'startswith'];
const KEY_OPS: readonly FilterOp[] = ['eq', 'ne', 'in'];
const DATE_OPS: readonly FilterOp[] = ['eq', 'ne', 'ge', 'le', 'gt', 'lt'];

/**
 * A client secret. Graph answers `secretText` once, in the answer to `addPassword`, and null ever after; the fake
 * keeps it (test-only) to check sign-ins.
 */
export interface FakePasswordCredential {
  keyId: string;
  displayName: string | null;
  /** The first three characters of the secret. */
  hint: string;
  customKeyIdentifier: null;
  startDateTime: string;
  /** Null: the secret never expires (what old tools could make; Graph's addPassword defaults to two years). */
  endDateTime: string | null;
  // ---- test-only, never served after addPassword ----
  secretText: string;
}

/** A certificate credential (the fake keeps its metadata only; it never signs anything with it). */
export interface FakeKeyCredential {
  keyId: string;
  displayName: string | null;
  type: 'AsymmetricX509Cert';
  usage: 'Verify';
  customKeyIdentifier: string | null;
  startDateTime: string;
  endDateTime: string | null;
}

export interface FakeApplication {
  id: string;
  /** The application (client) id: what a client-credentials sign-in names. */
  appId: string;
  displayName: string;
  description: string | null;
  notes: string | null;
  tags: string[];
  signInAudience: string;
  createdDateTime: string;
  deletedDateTime: null;
  passwordCredentials: FakePasswordCredential[];
  keyCredentials: FakeKeyCredential[];
  /** Owner object ids (users or service principals), in the order they were added. */
  owners: Set<string>;
}

export interface FakeServicePrincipal {
  id: string;
  appId: string;
  displayName: string;
  appDisplayName: string;
  accountEnabled: boolean;
  servicePrincipalType: 'Application';
  tags: string[];
  notes: string | null;
  passwordCredentials: FakePasswordCredential[];
  keyCredentials: FakeKeyCredential[];
  owners: Set<string>;
}

const CREDENTIALS = { kind: 'credentials', writable: false, default: true } as const;

/** microsoft.graph.application — the properties this fake knows (a subset of Graph's). */
export const APPLICATION_PROPERTIES: Readonly<Record<string, PropertyDef>> = {
  id: { kind: 'string', writable: false, default: true, filter: ['eq', 'in'] },
  appId: { kind: 'string', writable: false, default: true, filter: KEY_OPS },
  createdDateTime: { kind: 'datetime', writable: false, default: true, filter: DATE_OPS },
  deletedDateTime: { kind: 'datetime', writable: false, default: true },
  description: { kind: 'string', writable: true, default: true, maxLength: 1024, filter: TEXT_OPS },
  displayName: { kind: 'string', writable: true, default: true, maxLength: 256, filter: TEXT_OPS },
  keyCredentials: CREDENTIALS,
  notes: { kind: 'string', writable: true, default: true, maxLength: 1024 },
  passwordCredentials: CREDENTIALS,
  signInAudience: { kind: 'string', writable: true, default: true, filter: KEY_OPS },
  tags: { kind: 'strings', writable: true, default: true },
};

/** microsoft.graph.servicePrincipal — the properties this fake knows. */
export const SERVICE_PRINCIPAL_PROPERTIES: Readonly<Record<string, PropertyDef>> = {
  id: { kind: 'string', writable: false, default: true, filter: ['eq', 'in'] },
  accountEnabled: { kind: 'boolean', writable: true, default: true, filter: ['eq', 'ne'] },
  appDisplayName: { kind: 'string', writable: false, default: true, filter: TEXT_OPS },
  appId: { kind: 'string', writable: false, default: true, filter: KEY_OPS },
  displayName: { kind: 'string', writable: true, default: true, maxLength: 256, filter: TEXT_OPS },
  keyCredentials: CREDENTIALS,
  notes: { kind: 'string', writable: true, default: true, maxLength: 1024 },
  passwordCredentials: CREDENTIALS,
  servicePrincipalType: { kind: 'string', writable: false, default: true, filter: KEY_OPS },
  tags: { kind: 'strings', writable: true, default: true },
};

/** A credential as Graph serves it: a secret's text never again after `addPassword`. */
export function servedCredential(c: FakePasswordCredential | FakeKeyCredential): Record<string, unknown> {
  if ('secretText' in c) {
    return { ...c, secretText: null };
  }
  return { ...c, key: null };
}
