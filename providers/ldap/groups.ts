import { AndFilter, Attribute, Change, EqualityFilter, PresenceFilter, type Client } from 'ldapts';
import { ProviderError } from '../errors.js';
import type { ResolvedLdapConfig } from './config.js';
import { hasCode, ResultCode } from './connection.js';
import type { Dialect } from './dialect.js';
import { dnKey, isWithinDn, values } from './syntax.js';

const PAGE_SIZE = 500;

const memberChange = (operation: 'add' | 'delete', dn: string): Change =>
  new Change({ operation, modification: new Attribute({ type: 'member', values: [dn] }) });

/** A requested group the provider will not use: a bad request, naming the `groups` field. */
const badGroup = (message: string, cause?: unknown): ProviderError =>
  new ProviderError('invalid', message, {
    provider: 'ldap',
    operation: 'createAccount',
    field: 'groups',
    cause,
  });

/**
 * Checks every requested group before anything is created or changed, so that a bad one leaves the directory
 * as it was. A group must be within groupsDN: that is where memberships are looked for and removed at expiry,
 * and the supplier would stay a member of a group elsewhere. It must also exist and be a group (a base-scope
 * read): adding a member to anything else fails only after the account is made.
 */
export async function checkGroups(
  client: Client,
  config: ResolvedLdapConfig,
  dialect: Dialect,
  groups: readonly string[],
): Promise<void> {
  for (const group of groups) {
    if (!isWithinDn(group, config.groupsDN)) {
      throw badGroup(
        `group ${group} is not under ${config.groupsDN} (LDAP_GROUPS_DN), where memberships are removed at expiry`,
      );
    }
    let classes: string[] | undefined;
    try {
      const { searchEntries } = await client.search(group, {
        scope: 'base',
        filter: new PresenceFilter({ attribute: 'objectClass' }),
        attributes: ['objectClass'],
      });
      classes = searchEntries[0] ? values(searchEntries[0], 'objectClass') : undefined;
    } catch (err) {
      if (hasCode(err, ResultCode.noSuchObject)) throw badGroup(`group ${group} does not exist`, err);
      if (hasCode(err, ResultCode.invalidDNSyntax)) throw badGroup(`group ${group} is not a valid DN`, err);
      throw err;
    }
    if (!classes) throw badGroup(`group ${group} does not exist`);
    const wanted = dialect.groupObjectClass.toLowerCase();
    if (!classes.some((c) => c.toLowerCase() === wanted)) {
      throw badGroup(`${group} is not a group (objectClass ${dialect.groupObjectClass})`);
    }
  }
}

/** Whether the group lists `userDn` as a member now (a base read of the group, filtered on the value). */
async function isMember(client: Client, group: string, userDn: string): Promise<boolean> {
  const { searchEntries } = await client.search(group, {
    scope: 'base',
    filter: new EqualityFilter({ attribute: 'member', value: userDn }),
    attributes: ['1.1'],
  });
  return searchEntries.length > 0;
}

/**
 * Adds the account to each group. Already a member counts as done, so a retried create is harmless; a group
 * that does not exist (deleted since `checkGroups` read it) is a bad request, not a missing account.
 */
export async function addToGroups(
  client: Client,
  dialect: Dialect,
  groups: string[],
  userDn: string,
): Promise<void> {
  for (const group of groups) {
    try {
      await client.modify(group, memberChange('add', userDn));
    } catch (err) {
      if (hasCode(err, ResultCode.noSuchObject)) throw badGroup(`group ${group} does not exist`, err);
      const done =
        hasCode(err, ResultCode.typeOrValueExists) ||
        (hasCode(err, ...dialect.memberAlreadyThereCodes) && (await isMember(client, group, userDn)));
      if (!done) throw err;
    }
    await dropPlaceholder(client, dialect, group);
  }
}

/** The group has a real member again: the placeholder left by an earlier removal can go (if it is there). */
async function dropPlaceholder(client: Client, dialect: Dialect, group: string): Promise<void> {
  if (dialect.placeholderMember === undefined) return;
  try {
    await client.modify(group, memberChange('delete', dialect.placeholderMember));
  } catch (err) {
    if (!hasCode(err, ResultCode.noSuchAttribute, ResultCode.objectClassViolation)) throw err;
  }
}

/** DNs of the groups under groupsDN that list the account as a member. */
export async function groupsOf(
  client: Client,
  config: ResolvedLdapConfig,
  dialect: Dialect,
  userDn: string,
): Promise<string[]> {
  const filter = new AndFilter({
    filters: [
      new EqualityFilter({ attribute: 'objectClass', value: dialect.groupObjectClass }),
      new EqualityFilter({ attribute: 'member', value: userDn }),
    ],
  });
  const { searchEntries } = await client.search(config.groupsDN, {
    scope: 'sub',
    filter,
    attributes: ['1.1'],
    paged: { pageSize: PAGE_SIZE },
  });
  return searchEntries.map((e) => e.dn);
}

/**
 * Removes the account from every group that lists it. A groupOfNames must keep one member, so when the
 * account is the last one the placeholder takes its place in the same modify: the group survives (other
 * systems may refer to it) and grants nothing. A value already gone counts as removed.
 */
export async function removeFromAllGroups(
  client: Client,
  config: ResolvedLdapConfig,
  dialect: Dialect,
  userDn: string,
): Promise<void> {
  for (const group of await groupsOf(client, config, dialect, userDn)) {
    try {
      await client.modify(group, memberChange('delete', userDn));
    } catch (err) {
      // Removed since the search (a review and an expiry closing the same account at once).
      if (hasCode(err, ResultCode.noSuchAttribute)) continue;
      if (hasCode(err, ...dialect.memberAlreadyGoneCodes) && !(await isMember(client, group, userDn)))
        continue;
      if (!hasCode(err, ResultCode.objectClassViolation) || dialect.placeholderMember === undefined)
        throw err;
      await client.modify(group, [
        memberChange('add', dialect.placeholderMember),
        memberChange('delete', userDn),
      ]);
    }
  }
}

/**
 * Every group's DN by member, for listing many accounts with one search instead of one search per account.
 * Keys are `dnKey`s. (AD returns at most 1500 values of `member` per read without range retrieval; very
 * large AD groups would need `member;range=…` or the users' `memberOf`.)
 */
export async function membershipIndex(
  client: Client,
  config: ResolvedLdapConfig,
  dialect: Dialect,
): Promise<Map<string, string[]>> {
  const index = new Map<string, string[]>();
  const { searchEntries } = await client.search(config.groupsDN, {
    scope: 'sub',
    filter: new EqualityFilter({ attribute: 'objectClass', value: dialect.groupObjectClass }),
    attributes: ['member'],
    paged: { pageSize: PAGE_SIZE },
  });
  for (const group of searchEntries) {
    for (const member of values(group, 'member')) {
      const key = dnKey(member);
      const groups = index.get(key);
      if (groups) groups.push(group.dn);
      else index.set(key, [group.dn]);
    }
  }
  return index;
}
