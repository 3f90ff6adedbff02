import { describe, expect, it } from 'vitest';
import { classifyAccount } from '../../activities/review.js';
import { owningGrant, plannedAction } from '../../src/registry/review-rules.js';
import type { GrantRecord } from '../../src/registry/types.js';
import type { GrantStatus } from '../../domain/status.js';

const NOW = new Date('2031-03-01T08:00:00.000Z');
const EXPIRY = '2031-03-31T08:00:00.250Z';
/** What LDAP holds for EXPIRY: whole seconds, the fraction cut. */
const EXPIRY_IN_LDAP = '2031-03-31T08:00:00.000Z';

function grant(status: GrantStatus, overrides: Partial<GrantRecord> = {}): GrantRecord {
  return {
    id: 'g1',
    workflowId: 'grant-ldap-sup-acme',
    provider: 'ldap',
    organisation: 'Acme',
    username: 'sup-acme',
    displayName: 'Acme (supplier)',
    status,
    expiresAt: EXPIRY,
    reason: 'audit',
    groups: [],
    requestedBy: 'rita',
    createdAt: '2031-02-01T08:00:00.000Z',
    door: 'account',
    ...overrides,
  };
}

const usable = { enabled: true, expiresAt: EXPIRY_IN_LDAP };
const disabled = { enabled: false, expiresAt: EXPIRY_IN_LDAP };

describe('classifyAccount', () => {
  it('calls an account no grant covers, or whose grant failed, an orphan', () => {
    expect(classifyAccount(usable, undefined, NOW)).toBe('orphan');
    expect(classifyAccount(disabled, undefined, NOW)).toBe('orphan');
    expect(classifyAccount(usable, grant('failed'), NOW)).toBe('orphan');
  });

  it('never questions an account whose grant is still provisioning', () => {
    expect(classifyAccount({ enabled: true, expiresAt: undefined }, grant('provisioning'), NOW)).toBe(
      'covered',
    );
    expect(classifyAccount(disabled, grant('provisioning'), NOW)).toBe('covered');
  });

  it('tells a closed account from one usable again after its grant ended', () => {
    for (const status of ['expired', 'revoked'] as const) {
      expect(classifyAccount(disabled, grant(status), NOW)).toBe('closed');
      expect(classifyAccount(usable, grant(status), NOW)).toBe('drift');
    }
  });

  it('covers a live account holding the registry’s expiry to the second', () => {
    expect(classifyAccount(usable, grant('active'), NOW)).toBe('covered');
    expect(classifyAccount(usable, grant('extension-requested'), NOW)).toBe('covered');
    expect(
      classifyAccount({ enabled: true, expiresAt: '2031-03-31T08:00:01.250Z' }, grant('active'), NOW),
    ).toBe('covered');
  });

  it('finds a mismatch beyond a second, or no expiry where the provider keeps one', () => {
    expect(
      classifyAccount({ enabled: true, expiresAt: '2031-03-31T08:00:02.000Z' }, grant('active'), NOW),
    ).toBe('expiry-mismatch');
    expect(
      classifyAccount({ enabled: true, expiresAt: '2031-06-30T08:00:00.000Z' }, grant('active'), NOW),
    ).toBe('expiry-mismatch');
    expect(classifyAccount({ enabled: true, expiresAt: undefined }, grant('active'), NOW)).toBe(
      'expiry-mismatch',
    );
    expect(classifyAccount({ enabled: true, expiresAt: undefined }, grant('active'), NOW, false)).toBe(
      'covered',
    );
  });

  it('accepts the expiry of an extension being approved, and no other', () => {
    const pendingExtension = {
      expiresAt: '2031-04-30T08:00:00.000Z',
      reason: 'more work',
      requestedBy: 'rita',
      requestedAt: '2031-02-28T08:00:00.000Z',
    };
    const pending = grant('extension-requested', { pendingExtension });
    expect(classifyAccount({ enabled: true, expiresAt: '2031-04-30T08:00:00.000Z' }, pending, NOW)).toBe(
      'covered',
    );
    expect(classifyAccount(usable, pending, NOW)).toBe('covered');
    expect(classifyAccount({ enabled: true, expiresAt: '2031-05-30T08:00:00.000Z' }, pending, NOW)).toBe(
      'expiry-mismatch',
    );
  });

  it('reports a live account disabled before its expiry, but not one its workflow is closing', () => {
    expect(classifyAccount(disabled, grant('active'), NOW)).toBe('disabled-while-live');
    const due = grant('active', { expiresAt: '2031-03-01T07:59:59.000Z' });
    expect(classifyAccount({ enabled: false, expiresAt: '2031-03-01T07:59:59.000Z' }, due, NOW)).toBe(
      'closed',
    );
  });
});

describe('plannedAction', () => {
  it('corrects drift and expiries, and closes orphans only when told to and only usable ones', () => {
    expect(plannedAction('covered', true, true)).toBe('none');
    expect(plannedAction('closed', false, true)).toBe('none');
    expect(plannedAction('drift', true, false)).toBe('disabled-and-rotated');
    expect(plannedAction('expiry-mismatch', true, false)).toBe('expiry-corrected');
    expect(plannedAction('orphan', true, false)).toBe('reported');
    expect(plannedAction('orphan', true, true)).toBe('disabled-and-rotated');
    expect(plannedAction('orphan', false, true)).toBe('reported');
    expect(plannedAction('disabled-while-live', false, true)).toBe('reported');
  });
});

describe('owningGrant', () => {
  const revoked = grant('revoked', { id: 'g1', createdAt: '2031-02-01T08:00:00.000Z' });
  const failedLater = grant('failed', { id: 'g2', createdAt: '2031-02-20T08:00:00.000Z' });

  it('never lets a failed grant own an account another grant had', () => {
    // Revoked, re-enabled by hand, then a new request for the supplier failed: the account is the revoked
    // grant's, usable again behind its back, not an orphan to report and leave usable.
    const owner = owningGrant([revoked, failedLater]);
    expect(owner?.id).toBe('g1');
    expect(classifyAccount(usable, owner, NOW)).toBe('drift');
    expect(plannedAction(classifyAccount(usable, owner, NOW), true, false)).toBe('disabled-and-rotated');
  });

  it('takes the newest grant that did not fail, by creation then id', () => {
    const newer = grant('active', { id: 'g3', createdAt: '2031-02-25T08:00:00.000Z' });
    const sameInstant = grant('provisioning', { id: 'g4', createdAt: '2031-02-25T08:00:00.000Z' });
    expect(owningGrant([newer, revoked, failedLater])?.id).toBe('g3');
    expect(owningGrant([sameInstant, newer])?.id).toBe('g4');
  });

  it('falls back on the newest failed grant when only failed grants named the account', () => {
    const failedEarlier = grant('failed', { id: 'g0', createdAt: '2031-01-01T08:00:00.000Z' });
    expect(owningGrant([failedEarlier, failedLater])?.id).toBe('g2');
    expect(owningGrant([])).toBeUndefined();
  });
});
