import { AndFilter, Attribute, Change, EqualityFilter, type Client } from 'ldapts';
import { ProviderError } from '../errors.js';
import type { ResolvedLdapConfig } from './config.js';
import { hasCode, ResultCode } from './connection.js';
import type { Dialect } from './dialect.js';
import { dnKey, values } from './syntax.js';

const PAGE_SIZE = 500;

const memberChange = (operation: 'add' | 'delete', dn: string): Change =>
  new Change({ operation, modification: new Attribute({ type: 'member', values: [dn] }) });

/**
 * Adds the account to each group. Already a member counts as done, so a retried create is harmless; a group
 * that does not exist is a bad request, not a missing account.
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
      if (hasCode(err, ResultCode.noSuchObject)) {
        throw new ProviderError('invalid', `group ${group} does not exist`, {
          provider: 'ldap',
          operation: 'createAccount',
          cause: err,
        });
      }
      if (!hasCode(err, ResultCode.typeOrValueExists)) throw err;
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
      if (hasCode(err, ResultCode.noSuchAttribute)) continue;
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
