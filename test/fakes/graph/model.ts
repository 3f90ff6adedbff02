/**
 * The directory objects the fake keeps, and the metadata of their properties: type, whether a client may write
 * them, whether Graph returns them without `$select`, and which `$filter` operators they support.
 */

export type FilterOp = 'eq' | 'ne' | 'in' | 'startswith' | 'endswith' | 'ge' | 'le' | 'gt' | 'lt';

export type PropertyKind =
  | 'string'
  | 'boolean'
  | 'datetime'
  | 'strings'
  | 'passwordProfile'
  | 'extensionAttributes'
  /** An application's or service principal's passwordCredentials / keyCredentials. */
  | 'credentials';

export interface PropertyDef {
  kind: PropertyKind;
  writable: boolean;
  /** Returned when the client does not `$select`. */
  default?: boolean;
  maxLength?: number;
  filter?: readonly FilterOp[];
  /** Filtering on it needs `ConsistencyLevel: eventual` + `$count=true` whatever the operator. */
  advancedFilter?: boolean;
}

const TEXT_OPS: readonly FilterOp[] = ['eq', 'ne', 'in', 'startswith', 'endswith'];
const KEY_OPS: readonly FilterOp[] = ['eq', 'ne', 'in'];
const DATE_OPS: readonly FilterOp[] = ['eq', 'ne', 'ge', 'le', 'gt', 'lt'];
const BOOL_OPS: readonly FilterOp[] = ['eq', 'ne'];

export const EXTENSION_ATTRIBUTE_NAMES = Array.from({ length: 15 }, (_, i) => `extensionAttribute${i + 1}`);

export type ExtensionAttributes = Record<string, string | null>;

export const emptyExtensionAttributes = (): ExtensionAttributes =>
  Object.fromEntries(EXTENSION_ATTRIBUTE_NAMES.map((n) => [n, null]));

/** microsoft.graph.user — the properties this fake knows (a subset of Graph's). */
export const USER_PROPERTIES: Readonly<Record<string, PropertyDef>> = {
  id: { kind: 'string', writable: false, default: true, filter: ['eq', 'in'] },
  accountEnabled: { kind: 'boolean', writable: true, filter: BOOL_OPS },
  businessPhones: { kind: 'strings', writable: true, default: true },
  companyName: { kind: 'string', writable: true, maxLength: 64, filter: TEXT_OPS },
  createdDateTime: { kind: 'datetime', writable: false, filter: DATE_OPS },
  creationType: { kind: 'string', writable: false, filter: KEY_OPS },
  department: { kind: 'string', writable: true, maxLength: 64, filter: TEXT_OPS },
  displayName: { kind: 'string', writable: true, default: true, maxLength: 256, filter: TEXT_OPS },
  employeeHireDate: { kind: 'datetime', writable: true, filter: DATE_OPS },
  employeeId: { kind: 'string', writable: true, maxLength: 16, filter: TEXT_OPS },
  employeeLeaveDateTime: { kind: 'datetime', writable: true, filter: DATE_OPS },
  employeeType: { kind: 'string', writable: true, filter: TEXT_OPS },
  externalUserState: { kind: 'string', writable: false, filter: KEY_OPS },
  externalUserStateChangeDateTime: { kind: 'datetime', writable: false, filter: DATE_OPS },
  givenName: { kind: 'string', writable: true, default: true, maxLength: 64, filter: TEXT_OPS },
  jobTitle: { kind: 'string', writable: true, default: true, maxLength: 128, filter: TEXT_OPS },
  lastPasswordChangeDateTime: { kind: 'datetime', writable: false },
  mail: { kind: 'string', writable: true, default: true, filter: TEXT_OPS },
  mailNickname: { kind: 'string', writable: true, maxLength: 64, filter: TEXT_OPS },
  mobilePhone: { kind: 'string', writable: true, default: true, filter: TEXT_OPS },
  officeLocation: { kind: 'string', writable: true, default: true, filter: TEXT_OPS },
  onPremisesExtensionAttributes: { kind: 'extensionAttributes', writable: true },
  onPremisesSyncEnabled: { kind: 'boolean', writable: false, filter: BOOL_OPS },
  otherMails: { kind: 'strings', writable: true },
  passwordPolicies: { kind: 'string', writable: true },
  passwordProfile: { kind: 'passwordProfile', writable: true },
  preferredLanguage: { kind: 'string', writable: true, default: true, filter: TEXT_OPS },
  signInSessionsValidFromDateTime: { kind: 'datetime', writable: false },
  surname: { kind: 'string', writable: true, default: true, maxLength: 64, filter: TEXT_OPS },
  usageLocation: { kind: 'string', writable: true, filter: KEY_OPS },
  userPrincipalName: { kind: 'string', writable: true, default: true, filter: TEXT_OPS },
  userType: { kind: 'string', writable: true, filter: KEY_OPS },
};

/** The `onPremisesExtensionAttributes/extensionAttributeN` filter paths (advanced queries only). */
export function userFilterProperty(path: string): PropertyDef | undefined {
  const [head, sub, ...rest] = path.split('/');
  if (head === undefined || rest.length > 0) return undefined;
  if (sub === undefined) return USER_PROPERTIES[head];
  if (head === 'onPremisesExtensionAttributes' && EXTENSION_ATTRIBUTE_NAMES.includes(sub))
    return { kind: 'string', writable: true, filter: ['eq', 'ne', 'in', 'startswith'], advancedFilter: true };
  return undefined;
}

export const GROUP_PROPERTIES: Readonly<Record<string, PropertyDef>> = {
  id: { kind: 'string', writable: false, default: true, filter: ['eq', 'in'] },
  createdDateTime: { kind: 'datetime', writable: false, default: true, filter: DATE_OPS },
  deletedDateTime: { kind: 'datetime', writable: false, default: true },
  description: { kind: 'string', writable: true, default: true, maxLength: 1024, filter: TEXT_OPS },
  displayName: { kind: 'string', writable: true, default: true, maxLength: 256, filter: TEXT_OPS },
  groupTypes: { kind: 'strings', writable: true, default: true },
  isAssignableToRole: { kind: 'boolean', writable: true, default: true },
  mail: { kind: 'string', writable: false, default: true, filter: TEXT_OPS },
  mailEnabled: { kind: 'boolean', writable: true, default: true, filter: BOOL_OPS },
  mailNickname: { kind: 'string', writable: true, default: true, maxLength: 64, filter: TEXT_OPS },
  securityEnabled: { kind: 'boolean', writable: true, default: true, filter: BOOL_OPS },
  visibility: { kind: 'string', writable: true, default: true },
};

/** A user as the fake stores it. Read-only views of these are what tests see. */
export interface FakeGraphUser {
  id: string;
  userPrincipalName: string;
  displayName: string;
  mailNickname: string;
  accountEnabled: boolean;
  userType: 'Member' | 'Guest';
  mail: string | null;
  otherMails: string[];
  businessPhones: string[];
  givenName: string | null;
  surname: string | null;
  jobTitle: string | null;
  department: string | null;
  companyName: string | null;
  employeeId: string | null;
  employeeType: string | null;
  employeeHireDate: string | null;
  /** Graph's format: `2030-01-31T00:00:00Z`. */
  employeeLeaveDateTime: string | null;
  mobilePhone: string | null;
  officeLocation: string | null;
  preferredLanguage: string | null;
  usageLocation: string | null;
  onPremisesExtensionAttributes: ExtensionAttributes;
  onPremisesSyncEnabled: boolean | null;
  passwordPolicies: string | null;
  createdDateTime: string;
  /** 'Invitation' for invited guests, null for members created with POST /users. */
  creationType: string | null;
  externalUserState: 'PendingAcceptance' | 'Accepted' | null;
  externalUserStateChangeDateTime: string | null;
  lastPasswordChangeDateTime: string | null;
  /** Reset by revokeSignInSessions (and by password changes). */
  signInSessionsValidFromDateTime: string;

  // ---- test-only state, never served ----
  /** The last password set through the API, in clear (assertions only). Undefined for invited guests. */
  password: string | undefined;
  forceChangePasswordNextSignIn: boolean;
  forceChangePasswordNextSignInWithMfa: boolean;
  /** How many times a password was set (creation included). */
  passwordSets: number;
  /** Exact time (ISO, ms) of the last `revokeSignInSessions`, and how many there were. */
  sessionsRevokedAt: string | undefined;
  sessionRevocations: number;
}

export interface FakeGroup {
  id: string;
  displayName: string;
  description: string | null;
  mailNickname: string;
  mailEnabled: boolean;
  securityEnabled: boolean;
  groupTypes: string[];
  isAssignableToRole: boolean | null;
  mail: string | null;
  visibility: string | null;
  createdDateTime: string;
  deletedDateTime: null;
  /** Member user ids, in the order they were added. */
  members: Set<string>;
}

export interface FakeInvitation {
  id: string;
  invitedUserEmailAddress: string;
  invitedUserDisplayName: string | null;
  invitedUserType: 'Guest' | 'Member';
  inviteRedirectUrl: string;
  inviteRedeemUrl: string;
  sendInvitationMessage: boolean;
  invitedUserMessageInfo: unknown;
  resetRedemption: boolean;
  status: 'PendingAcceptance' | 'Completed';
  invitedUserId: string;
  createdAt: string;
}

/** An invitation e-mail Entra ID would have sent (`sendInvitationMessage: true`). */
export interface SentInvitationEmail {
  to: string;
  cc: string[];
  invitationId: string;
  userId: string;
  inviteRedeemUrl: string;
  customizedMessageBody: string | null;
  messageLanguage: string | null;
  at: string;
}
