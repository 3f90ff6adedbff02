/**
 * The tenant's directory: users, groups, invitations, with the validation rules Entra ID applies.
 *
 * - POST /users needs accountEnabled, displayName, mailNickname, userPrincipalName and passwordProfile.password;
 *   the UPN's domain must be a verified domain of the tenant, the UPN (and `mail`, a proxy address) unique, the
 *   password must meet the cloud password policy (8–256 characters, three of lowercase / uppercase / digits /
 *   symbols, only the allowed characters) unless passwordPolicies has DisableStrongPassword.
 * - Invitations create (or, for an address already invited, reuse) a Guest user
 *   `alice_contoso.com#EXT#@<initial domain>` with `externalUserState: PendingAcceptance`.
 * - Group membership: adding an existing member is a 400, removing a non-member a 404.
 */
import {
  cannotConvert,
  duplicateValue,
  GraphApiError,
  invalidReference,
  invalidValue,
  invitationBadRequest,
  notImplementedByFake,
  passwordComplexity,
  readOnlyProperty,
  referencesAlreadyExist,
  referencesDoNotExist,
  resourceNotFound,
  unknownProperty,
  unverifiedDomain,
} from './errors.js';
import { graphDateTime, guid, isGuid, randomBase64url } from './ids.js';
import {
  emptyExtensionAttributes,
  EXTENSION_ATTRIBUTE_NAMES,
  GROUP_PROPERTIES,
  USER_PROPERTIES,
  type FakeGraphUser,
  type FakeGroup,
  type FakeInvitation,
  type PropertyDef,
  type SentInvitationEmail,
} from './model.js';

export interface DirectoryConfig {
  tenantId: string;
  /** Custom verified domains (e.g. contoso.test). */
  verifiedDomains: string[];
  /** The tenant's initial domain (xxx.onmicrosoft.com): always verified; guests' UPNs use it. */
  initialDomain: string;
  /** Where the fake serves `/redeem` (the authority origin). */
  redeemBaseUrl: () => string;
}

type Body = Record<string, unknown>;

const USER_TYPE = 'microsoft.graph.user';
const EMAIL_RE = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;
/** userPrincipalName: "only the following characters are supported: A - Z, a - z, 0 - 9, ' . - _ ! # ^ ~". */
const UPN_LOCAL_RE = /^[A-Za-z0-9'._!#^~-]{1,64}$/;
/** mailNickname: ASCII 0-127 except @ () \ [] " ; : <> , and space (Exchange alias rules). */
const MAIL_NICKNAME_RE = /^[\x21-\x7e]{1,64}$/;
const MAIL_NICKNAME_FORBIDDEN = /[@()\\[\]";:<>,]/;
/** Characters the cloud password policy allows (ASCII letters, digits, symbols and the space). */
const PASSWORD_CHARS_RE = /^[A-Za-z0-9@#$%^&*\-_!+=[\]{}|\\:',.?/`~"();<> ]+$/;

export function checkPasswordPolicy(password: string, passwordPolicies: string | null): boolean {
  if (password.length < 8 || password.length > 256 || !PASSWORD_CHARS_RE.test(password)) return false;
  if (passwordPolicies?.includes('DisableStrongPassword')) return true;
  const classes = [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(password)).length;
  return classes >= 3;
}

function isObject(v: unknown): v is Body {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export class Directory {
  readonly users = new Map<string, FakeGraphUser>();
  readonly groups = new Map<string, FakeGroup>();
  readonly invitations = new Map<string, FakeInvitation>();
  readonly invitationEmails: SentInvitationEmail[] = [];
  /** How many of the next passwords set are refused (`refusePasswords`). */
  private refusals = 0;

  constructor(private readonly cfg: DirectoryConfig) {}

  get domains(): string[] {
    return [...this.cfg.verifiedDomains, this.cfg.initialDomain].map((d) => d.toLowerCase());
  }

  /** The next `count` passwords set (create or PATCH) are refused as not meeting the password policy. */
  refusePasswords(count: number): void {
    this.refusals = Math.max(0, count);
  }

  reset(): void {
    this.refusals = 0;
    this.users.clear();
    this.groups.clear();
    this.invitations.clear();
    this.invitationEmails.length = 0;
  }

  // ---- users ---------------------------------------------------------------------------------------------------

  /** By object id or userPrincipalName (case-insensitive). */
  findUser(idOrUpn: string): FakeGraphUser | undefined {
    const byId = this.users.get(idOrUpn.toLowerCase());
    if (byId) return byId;
    const upn = idOrUpn.toLowerCase();
    for (const u of this.users.values()) if (u.userPrincipalName.toLowerCase() === upn) return u;
    return undefined;
  }

  getUser(idOrUpn: string): FakeGraphUser {
    const u = this.findUser(idOrUpn);
    if (!u) throw resourceNotFound(idOrUpn);
    return u;
  }

  createUser(body: unknown): FakeGraphUser {
    if (!isObject(body)) throw invalidValue('displayName', 'User');
    const draft: Partial<FakeGraphUser> = {};
    this.applyUserProperties(draft, body, undefined);
    for (const required of ['displayName', 'mailNickname', 'userPrincipalName'] as const)
      if (draft[required] === undefined) throw invalidValue(required, 'User');
    const profile = body.passwordProfile as Body | undefined;
    if (!isObject(profile) || typeof profile.password !== 'string')
      throw invalidValue('passwordProfile', 'User');
    if (draft.accountEnabled === undefined) throw invalidValue('accountEnabled', 'User');
    return this.insertUser(draft);
  }

  /** Stores a new user from already validated properties. */
  private insertUser(draft: Partial<FakeGraphUser>): FakeGraphUser {
    const now = graphDateTime();
    const user: FakeGraphUser = {
      id: guid(),
      userPrincipalName: '',
      displayName: '',
      mailNickname: '',
      accountEnabled: true,
      userType: 'Member',
      mail: null,
      otherMails: [],
      businessPhones: [],
      givenName: null,
      surname: null,
      jobTitle: null,
      department: null,
      companyName: null,
      employeeId: null,
      employeeType: null,
      employeeHireDate: null,
      employeeLeaveDateTime: null,
      mobilePhone: null,
      officeLocation: null,
      preferredLanguage: null,
      usageLocation: null,
      onPremisesExtensionAttributes: emptyExtensionAttributes(),
      onPremisesSyncEnabled: null,
      passwordPolicies: null,
      createdDateTime: now,
      creationType: null,
      externalUserState: null,
      externalUserStateChangeDateTime: null,
      lastPasswordChangeDateTime: now,
      signInSessionsValidFromDateTime: now,
      password: undefined,
      forceChangePasswordNextSignIn: false,
      forceChangePasswordNextSignInWithMfa: false,
      passwordSets: 0,
      sessionsRevokedAt: undefined,
      sessionRevocations: 0,
      ...draft,
    };
    this.users.set(user.id, user);
    return user;
  }

  updateUser(user: FakeGraphUser, body: unknown): void {
    if (!isObject(body)) throw invalidValue('displayName', 'User');
    const draft: Partial<FakeGraphUser> = {};
    // Validates everything before changing anything. onPremisesExtensionAttributes are merged: the attributes sent
    // change, the others keep their values.
    this.applyUserProperties(draft, body, user);
    Object.assign(user, draft);
  }

  deleteUser(user: FakeGraphUser): void {
    this.users.delete(user.id);
    for (const g of this.groups.values()) g.members.delete(user.id);
  }

  revokeSignInSessions(user: FakeGraphUser): void {
    const now = new Date();
    user.signInSessionsValidFromDateTime = graphDateTime(now);
    user.sessionsRevokedAt = now.toISOString();
    user.sessionRevocations++;
  }

  /**
   * Validates `body` against the user's properties and writes the new values into `draft`. `existing` is the
   * user being updated (undefined on create).
   */
  private applyUserProperties(
    draft: Partial<FakeGraphUser>,
    body: Body,
    existing: FakeGraphUser | undefined,
  ): void {
    const target = draft as Record<string, unknown>;
    const policies =
      typeof body.passwordPolicies === 'string'
        ? body.passwordPolicies
        : (existing?.passwordPolicies ?? null);
    for (const [key, value] of Object.entries(body)) {
      if (key === '@odata.type') {
        if (value !== '#microsoft.graph.user') throw invalidValue('@odata.type', 'User');
        continue;
      }
      const def = USER_PROPERTIES[key];
      if (!def) throw unknownProperty(key, USER_TYPE);
      if (!def.writable) throw readOnlyProperty(key, 'User');
      switch (def.kind) {
        case 'string':
          target[key] = this.checkUserString(key, value, def, existing);
          break;
        case 'boolean':
          if (typeof value !== 'boolean') {
            if (value === null) throw invalidValue(key, 'User');
            throw cannotConvert('Edm.Boolean');
          }
          target[key] = value;
          break;
        case 'datetime':
          target[key] = parseDateTime(value);
          break;
        case 'strings': {
          if (!Array.isArray(value) || value.some((v) => typeof v !== 'string'))
            throw cannotConvert('Collection(Edm.String)');
          const list = value as string[];
          if (key === 'businessPhones' && list.length > 1) throw invalidValue(key, 'User');
          if (key === 'otherMails' && list.some((m) => !EMAIL_RE.test(m))) throw invalidValue(key, 'User');
          target[key] = [...list];
          break;
        }
        case 'passwordProfile':
          this.applyPasswordProfile(draft, value, policies);
          break;
        case 'extensionAttributes':
          target[key] = mergeExtensionAttributes(existing?.onPremisesExtensionAttributes, value);
          break;
      }
    }
  }

  private checkUserString(
    key: string,
    value: unknown,
    def: PropertyDef,
    existing: FakeGraphUser | undefined,
  ): string | null {
    if (value !== null && typeof value !== 'string') throw cannotConvert('Edm.String');
    const mandatory = ['displayName', 'mailNickname', 'userPrincipalName', 'userType'].includes(key);
    if (value === null || value === '') {
      if (mandatory) throw invalidValue(key, 'User');
      return null;
    }
    if (def.maxLength !== undefined && value.length > def.maxLength) throw invalidValue(key, 'User');
    switch (key) {
      case 'userPrincipalName': {
        const at = value.lastIndexOf('@');
        const local = value.slice(0, at);
        const domain = value.slice(at + 1).toLowerCase();
        if (
          at <= 0 ||
          !UPN_LOCAL_RE.test(local) ||
          local.startsWith('.') ||
          local.endsWith('.') ||
          local.includes('..')
        )
          throw invalidValue(key, 'User');
        if (!this.domains.includes(domain)) throw unverifiedDomain();
        const clash = this.findUser(value);
        if (clash && clash.id !== existing?.id) throw duplicateValue('userPrincipalName');
        return value;
      }
      case 'mailNickname':
        if (!MAIL_NICKNAME_RE.test(value) || MAIL_NICKNAME_FORBIDDEN.test(value))
          throw invalidValue(key, 'User');
        return value;
      case 'mail': {
        if (!EMAIL_RE.test(value)) throw invalidValue(key, 'User');
        const lower = value.toLowerCase();
        for (const u of this.users.values())
          if (u.id !== existing?.id && u.mail?.toLowerCase() === lower)
            throw duplicateValue('proxyAddresses');
        return value;
      }
      case 'userType':
        if (value !== 'Member' && value !== 'Guest') throw invalidValue(key, 'User');
        return value;
      case 'usageLocation':
        if (!/^[A-Za-z]{2}$/.test(value)) throw invalidValue(key, 'User');
        return value.toUpperCase();
      case 'passwordPolicies': {
        const parts = value.split(',').map((s) => s.trim());
        if (parts.some((p) => p !== 'DisablePasswordExpiration' && p !== 'DisableStrongPassword'))
          throw invalidValue(key, 'User');
        return value;
      }
      default:
        return value;
    }
  }

  private applyPasswordProfile(draft: Partial<FakeGraphUser>, value: unknown, policies: string | null): void {
    if (!isObject(value)) throw invalidValue('passwordProfile', 'User');
    for (const [k, v] of Object.entries(value)) {
      if (k === 'password') {
        if (typeof v !== 'string') throw cannotConvert('Edm.String');
        if (!checkPasswordPolicy(v, policies) || this.refusals > 0) {
          this.refusals = Math.max(0, this.refusals - 1);
          throw passwordComplexity();
        }
        const now = graphDateTime();
        draft.password = v;
        draft.lastPasswordChangeDateTime = now;
        draft.signInSessionsValidFromDateTime = now;
      } else if (k === 'forceChangePasswordNextSignIn' || k === 'forceChangePasswordNextSignInWithMfa') {
        if (typeof v !== 'boolean') throw cannotConvert('Edm.Boolean');
        draft[k] = v;
      } else if (k !== '@odata.type') {
        throw unknownProperty(k, 'microsoft.graph.passwordProfile');
      }
    }
  }

  /** Counts a password set (create or PATCH) for the test-only counter. */
  notePasswordSet(user: FakeGraphUser, body: unknown): void {
    if (isObject(body) && isObject(body.passwordProfile) && typeof body.passwordProfile.password === 'string')
      user.passwordSets++;
  }

  // ---- invitations -----------------------------------------------------------------------------------------------

  invite(body: unknown): { invitation: FakeInvitation; user: FakeGraphUser; created: boolean } {
    if (!isObject(body)) throw invitationBadRequest('The request body must be an invitation object.');
    for (const key of Object.keys(body))
      if (!INVITATION_PROPERTIES.has(key)) throw unknownProperty(key, 'microsoft.graph.invitation');
    const email = body.invitedUserEmailAddress;
    if (typeof email !== 'string' || email === '')
      throw invitationBadRequest("The request is missing the required property 'invitedUserEmailAddress'.");
    if (!EMAIL_RE.test(email))
      throw invitationBadRequest('The invitedUserEmailAddress is not a valid email address.');
    const redirect = body.inviteRedirectUrl;
    if (typeof redirect !== 'string' || redirect === '')
      throw invitationBadRequest("The request is missing the required property 'inviteRedirectUrl'.");
    if (!URL.canParse(redirect))
      throw invitationBadRequest('The inviteRedirectUrl is not a valid absolute URL.');
    const displayName = body.invitedUserDisplayName;
    if (displayName !== undefined && displayName !== null && typeof displayName !== 'string')
      throw cannotConvert('Edm.String');
    const send = body.sendInvitationMessage ?? false;
    if (typeof send !== 'boolean') throw cannotConvert('Edm.Boolean');
    const userType = body.invitedUserType ?? 'Guest';
    if (userType !== 'Guest' && userType !== 'Member')
      throw invitationBadRequest("The invitedUserType must be 'Guest' or 'Member'.");
    if (body.resetRedemption === true) throw notImplementedByFake('resetRedemption');
    const messageInfo = body.invitedUserMessageInfo ?? null;
    if (messageInfo !== null && !isObject(messageInfo))
      throw cannotConvert('microsoft.graph.invitedUserMessageInfo');

    const lower = email.toLowerCase();
    let user = [...this.users.values()].find(
      (u) => u.creationType === 'Invitation' && u.mail?.toLowerCase() === lower,
    );
    const created = user === undefined;
    const now = graphDateTime();
    if (!user) {
      // alice@partner.example → alice_partner.example#EXT#@<initial domain> (characters a UPN cannot hold → '_').
      const alias = `${email.replace('@', '_').replace(/[^A-Za-z0-9'._!#^~-]/g, '_')}#EXT#`;
      let upn = `${alias}@${this.cfg.initialDomain}`;
      for (let n = 1; this.findUser(upn); n++)
        upn = `${alias.replace('#EXT#', `${n}#EXT#`)}@${this.cfg.initialDomain}`;
      user = this.insertUser({
        accountEnabled: true,
        displayName:
          typeof displayName === 'string' && displayName !== ''
            ? displayName
            : (email.split('@')[0] ?? email),
        mailNickname: alias,
        userPrincipalName: upn,
        userType,
        mail: email,
        otherMails: [email],
        creationType: 'Invitation',
        externalUserState: 'PendingAcceptance',
        externalUserStateChangeDateTime: now,
        lastPasswordChangeDateTime: null,
      });
    }
    const id = guid();
    const ticket = randomBase64url(24);
    const inviteRedeemUrl = `${this.cfg.redeemBaseUrl()}/redeem?rd=${encodeURIComponent(
      `https://invitations.microsoft.com/redeem/?tenant=${this.cfg.tenantId}&user=${id}&ticket=${ticket}&ver=2.0`,
    )}&invitation=${id}`;
    const mi = messageInfo;
    const invitation: FakeInvitation = {
      id,
      invitedUserEmailAddress: email,
      invitedUserDisplayName: typeof displayName === 'string' ? displayName : null,
      invitedUserType: userType,
      inviteRedirectUrl: redirect,
      inviteRedeemUrl,
      sendInvitationMessage: send,
      invitedUserMessageInfo: {
        messageLanguage: typeof mi?.messageLanguage === 'string' ? mi.messageLanguage : null,
        customizedMessageBody:
          typeof mi?.customizedMessageBody === 'string' ? mi.customizedMessageBody : null,
        ccRecipients: Array.isArray(mi?.ccRecipients)
          ? mi.ccRecipients
          : [{ emailAddress: { name: null, address: null } }],
      },
      resetRedemption: false,
      status: user.externalUserState === 'Accepted' ? 'Completed' : 'PendingAcceptance',
      invitedUserId: user.id,
      createdAt: new Date().toISOString(),
    };
    this.invitations.set(id, invitation);
    if (send) {
      const cc = Array.isArray(mi?.ccRecipients)
        ? (mi.ccRecipients as { emailAddress?: { address?: unknown } }[])
            .map((r) => r.emailAddress?.address)
            .filter((a): a is string => typeof a === 'string')
        : [];
      this.invitationEmails.push({
        to: email,
        cc,
        invitationId: id,
        userId: user.id,
        inviteRedeemUrl,
        customizedMessageBody:
          typeof mi?.customizedMessageBody === 'string' ? mi.customizedMessageBody : null,
        messageLanguage: typeof mi?.messageLanguage === 'string' ? mi.messageLanguage : null,
        at: invitation.createdAt,
      });
    }
    return { invitation, user, created };
  }

  /** The invited user accepts (what following inviteRedeemUrl does). */
  redeem(invitationIdOrUserId: string): FakeGraphUser {
    const inv = this.invitations.get(invitationIdOrUserId);
    const user = this.users.get(inv?.invitedUserId ?? invitationIdOrUserId);
    if (!user || user.creationType !== 'Invitation') throw resourceNotFound(invitationIdOrUserId);
    if (user.externalUserState !== 'Accepted') {
      user.externalUserState = 'Accepted';
      user.externalUserStateChangeDateTime = graphDateTime();
    }
    for (const i of this.invitations.values()) if (i.invitedUserId === user.id) i.status = 'Completed';
    return user;
  }

  // ---- groups ----------------------------------------------------------------------------------------------------

  getGroup(id: string): FakeGroup {
    const g = this.groups.get(id.toLowerCase());
    if (!g) throw resourceNotFound(id);
    return g;
  }

  createGroup(body: unknown): FakeGroup {
    if (!isObject(body)) throw invalidValue('displayName', 'Group');
    for (const [key, value] of Object.entries(body)) {
      if (key === '@odata.type' || key === 'members@odata.bind' || key === 'owners@odata.bind') {
        if (key !== '@odata.type') throw notImplementedByFake(`'${key}'`);
        continue;
      }
      const def = GROUP_PROPERTIES[key];
      if (!def) throw unknownProperty(key, 'microsoft.graph.group');
      if (!def.writable) throw readOnlyProperty(key, 'Group');
      if (def.kind === 'boolean' && typeof value !== 'boolean' && value !== null)
        throw cannotConvert('Edm.Boolean');
      if (def.kind === 'string' && typeof value !== 'string' && value !== null)
        throw cannotConvert('Edm.String');
      if (def.kind === 'strings' && (!Array.isArray(value) || value.some((v) => typeof v !== 'string')))
        throw cannotConvert('Collection(Edm.String)');
      if (def.kind === 'string' && typeof value === 'string' && def.maxLength && value.length > def.maxLength)
        throw invalidValue(key, 'Group');
    }
    const { displayName, mailNickname, mailEnabled, securityEnabled } = body;
    if (typeof displayName !== 'string' || displayName === '') throw invalidValue('displayName', 'Group');
    if (
      typeof mailNickname !== 'string' ||
      !MAIL_NICKNAME_RE.test(mailNickname) ||
      MAIL_NICKNAME_FORBIDDEN.test(mailNickname)
    )
      throw invalidValue('mailNickname', 'Group');
    if (typeof mailEnabled !== 'boolean') throw invalidValue('mailEnabled', 'Group');
    if (typeof securityEnabled !== 'boolean') throw invalidValue('securityEnabled', 'Group');
    const groupTypes = (body.groupTypes as string[] | undefined) ?? [];
    const unified = groupTypes.includes('Unified');
    const group: FakeGroup = {
      id: guid(),
      displayName,
      description: typeof body.description === 'string' ? body.description : null,
      mailNickname,
      mailEnabled,
      securityEnabled,
      groupTypes: [...groupTypes],
      isAssignableToRole: typeof body.isAssignableToRole === 'boolean' ? body.isAssignableToRole : null,
      mail: unified || mailEnabled ? `${mailNickname}@${this.cfg.initialDomain}` : null,
      visibility: typeof body.visibility === 'string' ? body.visibility : unified ? 'Public' : null,
      createdDateTime: graphDateTime(),
      deletedDateTime: null,
      members: new Set(),
    };
    this.groups.set(group.id, group);
    return group;
  }

  deleteGroup(group: FakeGroup): void {
    this.groups.delete(group.id);
  }

  /** POST /groups/{id}/members/$ref body `{ "@odata.id": "https://graph.microsoft.com/v1.0/directoryObjects/{id}" }`. */
  addMember(group: FakeGroup, body: unknown): FakeGraphUser {
    if (!isObject(body) || !('@odata.id' in body))
      throw new GraphApiError(400, 'BadRequest', "The request body must contain an '@odata.id' reference.");
    for (const key of Object.keys(body))
      if (key !== '@odata.id') throw unknownProperty(key, 'microsoft.graph.directoryObject');
    const ref = body['@odata.id'];
    if (typeof ref !== 'string') throw invalidReference(ref);
    const m = /\/(?:directoryObjects|users|groups)\/([^/?#]+)\/?$/i.exec(ref);
    const id = m?.[1] ? decodeURIComponent(m[1]) : undefined;
    if (id === undefined || !isGuid(id)) throw invalidReference(ref);
    if (this.groups.has(id.toLowerCase())) throw notImplementedByFake('Nested group membership');
    const user = this.users.get(id.toLowerCase());
    if (!user) throw resourceNotFound(id);
    if (group.members.has(user.id)) throw referencesAlreadyExist('members');
    group.members.add(user.id);
    return user;
  }

  removeMember(group: FakeGroup, memberId: string): void {
    const id = memberId.toLowerCase();
    if (!group.members.has(id)) {
      if (!this.users.has(id)) throw resourceNotFound(memberId);
      throw referencesDoNotExist('members');
    }
    group.members.delete(id);
  }

  memberOf(user: FakeGraphUser): FakeGroup[] {
    return [...this.groups.values()].filter((g) => g.members.has(user.id));
  }

  membersOf(group: FakeGroup): FakeGraphUser[] {
    return [...group.members]
      .map((id) => this.users.get(id))
      .filter((u): u is FakeGraphUser => u !== undefined);
  }
}

const INVITATION_PROPERTIES = new Set([
  '@odata.type',
  'invitedUserEmailAddress',
  'inviteRedirectUrl',
  'invitedUserDisplayName',
  'invitedUserType',
  'sendInvitationMessage',
  'invitedUserMessageInfo',
  'resetRedemption',
  'invitedUser',
]);

/** DateTimeOffset in a JSON body → Graph's format, or null. */
function parseDateTime(value: unknown): string | null {
  if (value === null) return null;
  if (
    typeof value !== 'string' ||
    !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(value)
  )
    throw cannotConvert('Edm.DateTimeOffset');
  const t = Date.parse(value);
  if (Number.isNaN(t)) throw cannotConvert('Edm.DateTimeOffset');
  return graphDateTime(new Date(t));
}

function mergeExtensionAttributes(
  current: Record<string, string | null> | undefined,
  value: unknown,
): Record<string, string | null> {
  if (value === null) return emptyExtensionAttributes();
  if (!isObject(value)) throw cannotConvert('microsoft.graph.onPremisesExtensionAttributes');
  const next = { ...(current ?? emptyExtensionAttributes()) };
  for (const [k, v] of Object.entries(value)) {
    if (k === '@odata.type') continue;
    if (!EXTENSION_ATTRIBUTE_NAMES.includes(k))
      throw unknownProperty(k, 'microsoft.graph.onPremisesExtensionAttributes');
    if (v !== null && typeof v !== 'string') throw cannotConvert('Edm.String');
    if (typeof v === 'string' && v.length > 1024) throw invalidValue('onPremisesExtensionAttributes', 'User');
    next[k] = v === '' ? null : v;
  }
  return next;
}
