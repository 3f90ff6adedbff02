import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyRequest } from 'fastify';
import { ROLES, type Actor, type Role } from '../../domain/actor.js';
import type { ApiToken } from '../config.js';
import { problem } from './problem.js';

declare module 'fastify' {
  interface FastifyRequest {
    actor?: Actor;
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token).digest();
}

/**
 * Checks bearer tokens. Tokens are kept only as SHA-256 digests and compared in constant time, so neither
 * memory dumps nor response timing give them away.
 */
export class TokenAuthenticator {
  private readonly entries: { digest: Buffer; actor: Actor }[];

  constructor(tokens: ApiToken[]) {
    this.entries = tokens.map((t) => ({ digest: digest(t.token), actor: { name: t.name, roles: t.roles } }));
  }

  authenticate(header: string | undefined): Actor | null {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header ?? '');
    if (!match?.[1]) return null;
    const presented = digest(match[1]);
    let found: Actor | null = null;
    // Every entry is compared, so the time taken does not tell which one matched.
    for (const entry of this.entries) if (timingSafeEqual(entry.digest, presented)) found = entry.actor;
    return found;
  }
}

/**
 * What each operation needs. `admin` holds every right; every role may read. `audit` is reading the
 * confidentiality-incident register, which names breaches and the personal information concerned: auditors and
 * admins only.
 */
export type Permission = 'read' | 'audit' | 'request' | 'approve' | 'admin';

const GRANTS: Record<Role, Permission[]> = {
  admin: ['read', 'audit', 'request', 'approve', 'admin'],
  requester: ['read', 'request'],
  approver: ['read', 'approve'],
  auditor: ['read', 'audit'],
};

export function can(actor: Actor, permission: Permission): boolean {
  return actor.roles.some((role) => GRANTS[role].includes(permission));
}

/** What each permission lets a person do, as a refusal names it. */
const DOES: Record<Permission, string> = {
  read: 'read grants and reviews',
  audit: 'read the confidentiality-incident register',
  request: 'ask for grants, extensions or one-time credentials, or shorten grants',
  approve: 'approve or reject an extension',
  admin: 'revoke grants, run access reviews or read Temporal histories',
};

const withArticle = (role: Role) => `${/^[aeiou]/.test(role) ? 'an' : 'a'} ${role}`;
const inWords = (items: string[], and: string) =>
  items.length < 2 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} ${and} ${items.at(-1)}`;

const unauthenticated = () =>
  problem(401, 'a valid bearer token is required (Authorization: Bearer <token>)');

/** The caller, or a 401/403 problem; a 403 says who the caller is and which roles may. */
export function requireActor(request: FastifyRequest, permission: Permission): Actor {
  const actor = request.actor;
  if (!actor) throw unauthenticated();
  if (!can(actor, permission)) {
    const holders = ROLES.filter((role) => GRANTS[role].includes(permission));
    throw problem(
      403,
      `${actor.name} is ${inWords(actor.roles.map(withArticle), 'and')}; ` +
        `only ${inWords(holders.map(withArticle), 'or')} may ${DOES[permission]}.`,
    );
  }
  return actor;
}

/** The caller of a route that declares a permission, which the route-contract hook has already checked. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw unauthenticated();
  return request.actor;
}
