/**
 * App-only access tokens and Graph application permissions (app roles).
 *
 * The token endpoint issues JWT-shaped tokens (unsigned in any verifiable way: only this fake accepts them) whose
 * `roles` claim lists the permissions granted to the client at issue time — as in Entra ID, granting or removing a
 * permission affects tokens issued afterwards. Each Graph operation checks the token's roles against the documented
 * permissions (least privileged first); a missing one answers 403 Authorization_RequestDenied.
 */
import { createHmac } from 'node:crypto';
import { insufficientPrivileges, tokenEmpty, tokenExpired, tokenMalformed, tokenUnknown } from './errors.js';
import { base64url, guid, randomBase64url } from './ids.js';

export type Operation =
  | 'users.read'
  | 'users.create'
  | 'users.update'
  | 'users.update.accountEnabled'
  | 'users.update.passwordProfile'
  | 'users.write.employeeLeaveDateTime'
  | 'users.delete'
  | 'users.revokeSignInSessions'
  | 'users.memberOf'
  | 'invitations.create'
  | 'groups.read'
  | 'groups.create'
  | 'groups.delete'
  | 'groups.members.read'
  | 'groups.members.write'
  | 'applications.read'
  | 'applications.write'
  | 'applications.owners.write'
  | 'servicePrincipals.read'
  | 'servicePrincipals.write';

const DIR_RW = ['Directory.ReadWrite.All'];
const USER_RW = ['User.ReadWrite.All'];
const USER_READ_ANY = [['User.ReadBasic.All'], ['User.Read.All'], USER_RW, ['Directory.Read.All'], DIR_RW];
const GROUP_READ_ANY = [
  ['GroupMember.Read.All'],
  ['Group.Read.All'],
  ['Directory.Read.All'],
  ['GroupMember.ReadWrite.All'],
  ['Group.ReadWrite.All'],
  DIR_RW,
];
const APP_READ_ANY = [
  ['Application.Read.All'],
  ['Application.ReadWrite.OwnedBy'],
  ['Application.ReadWrite.All'],
  ['Directory.Read.All'],
  DIR_RW,
];
/** OwnedBy reaches only the applications the caller owns (applications.ts checks that). */
const APP_WRITE_ANY = [['Application.ReadWrite.OwnedBy'], ['Application.ReadWrite.All']];

/**
 * Application permissions per operation: any one alternative suffices, an alternative needs all its members.
 * From the "Permissions" tables of the v1.0 API reference (least privileged first).
 */
export const REQUIRED_PERMISSIONS: Readonly<Record<Operation, readonly (readonly string[])[]>> = {
  'users.read': USER_READ_ANY,
  'users.create': [USER_RW, DIR_RW],
  'users.update': [USER_RW, DIR_RW],
  'users.update.accountEnabled': [['User.EnableDisableAccount.All', 'User.Read.All'], USER_RW, DIR_RW],
  'users.update.passwordProfile': [['User-PasswordProfile.ReadWrite.All'], USER_RW, DIR_RW],
  // "To write this property, the calling app must be assigned the User.Read.All and
  // User-LifeCycleInfo.ReadWrite.All permissions" (user resource, employeeLeaveDateTime).
  'users.write.employeeLeaveDateTime': [
    ['User-LifeCycleInfo.ReadWrite.All', 'User.Read.All'],
    ['User-LifeCycleInfo.ReadWrite.All', 'User.ReadWrite.All'],
    ['User-LifeCycleInfo.ReadWrite.All', 'Directory.ReadWrite.All'],
  ],
  'users.delete': [['User.DeleteRestore.All'], USER_RW, DIR_RW],
  'users.revokeSignInSessions': [['User.RevokeSessions.All'], USER_RW, DIR_RW],
  'users.memberOf': [...GROUP_READ_ANY, ['User.Read.All'], USER_RW],
  'invitations.create': [['User.Invite.All'], USER_RW, DIR_RW],
  'groups.read': GROUP_READ_ANY,
  'groups.create': [['Group.Create'], ['Group.ReadWrite.All'], DIR_RW],
  'groups.delete': [['Group.ReadWrite.All'], DIR_RW],
  'groups.members.read': GROUP_READ_ANY,
  'groups.members.write': [['GroupMember.ReadWrite.All'], ['Group.ReadWrite.All'], DIR_RW],
  'applications.read': APP_READ_ANY,
  'applications.write': APP_WRITE_ANY,
  'applications.owners.write': [
    ['Application.ReadWrite.OwnedBy', 'Directory.Read.All'],
    ['Application.ReadWrite.All', 'Directory.Read.All'],
  ],
  'servicePrincipals.read': APP_READ_ANY,
  'servicePrincipals.write': [...APP_WRITE_ANY, DIR_RW],
};

/** Every permission named above: the default grant of the fake's client. */
export const ALL_PERMISSIONS: readonly string[] = [
  ...new Set(Object.values(REQUIRED_PERMISSIONS).flatMap((alts) => alts.flat())),
].sort();

export function hasPermission(roles: readonly string[], op: Operation): boolean {
  return REQUIRED_PERMISSIONS[op].some((alt) => alt.every((p) => roles.includes(p)));
}

export interface TokenClaims {
  token: string;
  appId: string;
  roles: readonly string[];
  /** Epoch ms. */
  expiresAt: number;
}

export class Tokens {
  private readonly issued = new Map<string, TokenClaims>();
  private readonly signingKey = randomBase64url(32);
  /** The object id of the fake's own client's service principal (the `oid` of the tokens it issues). */
  readonly servicePrincipalId = guid();

  constructor(private readonly tenantId: string) {}

  /** A JWT-shaped app-only token for Microsoft Graph. */
  issue(appId: string, roles: readonly string[], lifetimeSeconds: number): TokenClaims {
    const now = Math.floor(Date.now() / 1000);
    const header = { typ: 'JWT', alg: 'RS256', kid: 'graph-fake' };
    const payload = {
      aud: 'https://graph.microsoft.com',
      iss: `https://sts.windows.net/${this.tenantId}/`,
      iat: now,
      nbf: now,
      exp: now + lifetimeSeconds,
      app_displayname: 'supplier-access (graph fake)',
      appid: appId,
      appidacr: '1',
      idp: `https://sts.windows.net/${this.tenantId}/`,
      idtyp: 'app',
      oid: this.servicePrincipalId,
      roles: [...roles],
      sub: this.servicePrincipalId,
      tid: this.tenantId,
      uti: randomBase64url(16),
      ver: '1.0',
    };
    const unsigned = `${base64url(JSON.stringify(header))}.${base64url(JSON.stringify(payload))}`;
    const signature = createHmac('sha256', this.signingKey).update(unsigned).digest('base64url');
    const claims: TokenClaims = {
      token: `${unsigned}.${signature}`,
      appId,
      roles: [...roles],
      expiresAt: (now + lifetimeSeconds) * 1000,
    };
    this.issued.set(claims.token, claims);
    return claims;
  }

  /** Checks an `Authorization` header; throws Graph's 401 answers. */
  validate(authorization: string | undefined): TokenClaims {
    const m = /^Bearer\s*(.*)$/i.exec(authorization ?? '');
    const token = m?.[1]?.trim() ?? '';
    if (token === '') throw tokenEmpty();
    if (!token.includes('.')) throw tokenMalformed();
    const claims = this.issued.get(token);
    if (!claims) throw tokenUnknown();
    if (claims.expiresAt <= Date.now()) throw tokenExpired();
    return claims;
  }

  /** Makes every token issued so far expired (the client must get a new one). */
  expireAll(): void {
    for (const c of this.issued.values()) c.expiresAt = 0;
  }

  get count(): number {
    return this.issued.size;
  }

  reset(): void {
    this.issued.clear();
  }
}

export function requirePermission(claims: TokenClaims, op: Operation): void {
  if (!hasPermission(claims.roles, op)) throw insufficientPrivileges();
}
