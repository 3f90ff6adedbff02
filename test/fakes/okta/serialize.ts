/** JSON shapes of Okta's user and group objects, and Okta's cursor pagination with `Link` headers. */
import type { FakeGroup } from './groups.js';
import type { FakeUser, UserStatus } from './users.js';

type Links = Record<string, { href: string; method?: string }>;

const LIFECYCLE_LINKS: Record<UserStatus, [string, string][]> = {
  STAGED: [
    ['activate', 'lifecycle/activate'],
    ['deactivate', 'lifecycle/deactivate'],
  ],
  PROVISIONED: [
    ['reactivate', 'lifecycle/reactivate'],
    ['deactivate', 'lifecycle/deactivate'],
  ],
  ACTIVE: [
    ['suspend', 'lifecycle/suspend'],
    ['resetPassword', 'lifecycle/reset_password'],
    ['expirePassword', 'lifecycle/expire_password'],
    ['resetFactors', 'lifecycle/reset_factors'],
    ['deactivate', 'lifecycle/deactivate'],
    ['changePassword', 'credentials/change_password'],
  ],
  RECOVERY: [
    ['resetPassword', 'lifecycle/reset_password'],
    ['expirePassword', 'lifecycle/expire_password'],
    ['deactivate', 'lifecycle/deactivate'],
  ],
  PASSWORD_EXPIRED: [
    ['resetPassword', 'lifecycle/reset_password'],
    ['deactivate', 'lifecycle/deactivate'],
  ],
  LOCKED_OUT: [
    ['unlock', 'lifecycle/unlock'],
    ['resetPassword', 'lifecycle/reset_password'],
    ['deactivate', 'lifecycle/deactivate'],
  ],
  SUSPENDED: [
    ['unsuspend', 'lifecycle/unsuspend'],
    ['deactivate', 'lifecycle/deactivate'],
  ],
  DEPROVISIONED: [['activate', 'lifecycle/activate']],
};

export function userJson(u: FakeUser, orgUrl: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/users/${u.id}`;
  const links: Links = { self: { href: self } };
  for (const [name, path] of LIFECYCLE_LINKS[u.status])
    links[name] = { href: `${self}/${path}`, method: 'POST' };
  links.schema = { href: `${orgUrl}/api/v1/meta/schemas/user/default` };
  links.type = { href: `${orgUrl}/api/v1/meta/types/user/${u.typeId}` };
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: u.lastLogin,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.passwordChanged,
    type: { id: u.typeId },
    profile: structuredClone(u.profile),
    // Okta never returns a password: `password: {}` only says one is set.
    credentials: {
      ...(u.password !== null ? { password: {} } : {}),
      provider: { type: 'OKTA', name: 'OKTA' },
    },
    _links: links,
  };
}

/** The attributes `search`/`filter` expressions see. */
export function userSearchView(u: FakeUser): Record<string, unknown> {
  return {
    id: u.id,
    status: u.status,
    created: u.created,
    activated: u.activated,
    statusChanged: u.statusChanged,
    lastLogin: u.lastLogin,
    lastUpdated: u.lastUpdated,
    passwordChanged: u.passwordChanged,
    type: { id: u.typeId },
    profile: u.profile,
  };
}

export function groupJson(g: FakeGroup, orgUrl: string): Record<string, unknown> {
  const self = `${orgUrl}/api/v1/groups/${g.id}`;
  return {
    id: g.id,
    created: g.created,
    lastUpdated: g.lastUpdated,
    lastMembershipUpdated: g.lastMembershipUpdated,
    objectClass: ['okta:user_group'],
    type: g.type,
    profile: { ...g.profile },
    _links: {
      logo: [
        { name: 'medium', href: `${orgUrl}/img/logos/groups/okta-medium.png`, type: 'image/png' },
        { name: 'large', href: `${orgUrl}/img/logos/groups/okta-large.png`, type: 'image/png' },
      ],
      users: { href: `${self}/users` },
      apps: { href: `${self}/apps` },
    },
  };
}

export interface Page<T> {
  items: T[];
  /** `Link` header values: rel="self" and, when more items follow, rel="next". */
  links: string[];
}

/**
 * Okta's cursor pagination: items in a stable order, `limit` per page, `after` = the id of the last item of
 * the previous page (opaque to clients; here it survives that item's deletion through `seqOf`).
 */
export function paginate<T extends { id: string; seq: number }>(
  items: T[],
  opts: {
    limit: number;
    after: string | null;
    seqOf: (id: string) => number | undefined;
    url: string;
    query: URLSearchParams;
  },
): Page<T> {
  let start = 0;
  if (opts.after !== null) {
    const afterSeq = opts.seqOf(opts.after);
    start = afterSeq === undefined ? items.length : items.findIndex((i) => i.seq > afterSeq);
    if (start < 0) start = items.length;
  }
  const pageItems = items.slice(start, start + opts.limit);
  const selfQuery = new URLSearchParams(opts.query);
  selfQuery.set('limit', String(opts.limit));
  const links = [`<${opts.url}?${selfQuery.toString()}>; rel="self"`];
  const last = pageItems[pageItems.length - 1];
  if (start + opts.limit < items.length && last) {
    const nextQuery = new URLSearchParams(selfQuery);
    nextQuery.set('after', last.id);
    links.push(`<${opts.url}?${nextQuery.toString()}>; rel="next"`);
  }
  return { items: pageItems, links };
}
