import { describe, expect, it } from 'vitest';
import { classifyHolder, type InventoryContext } from '../../domain/inventory.js';
import type { ServiceCredentialState } from '../../providers/service-types.js';

const NOW = new Date('2031-03-01T08:00:00.000Z');
const context: InventoryContext = {
  provider: 'entra',
  prefix: 'sup-',
  maxGrantDays: 90,
  now: NOW,
  liveGrantNames: new Set(['sup-acme', 'Acme (supplier integration)']),
};
const inDays = (days: number) => new Date(NOW.getTime() + days * 86_400_000).toISOString();

function holder(overrides: Partial<ServiceCredentialState> = {}): ServiceCredentialState {
  return {
    kind: 'application',
    id: 'app-1',
    name: 'Payroll export',
    owners: ['it-admin@example.com'],
    enabled: true,
    createdAt: '2030-12-01T08:00:00.000Z',
    credentials: [{ id: 's1', type: 'password', expiresAt: inDays(30) }],
    ...overrides,
  };
}

describe('classifyHolder', () => {
  it('flags nothing on an owned credential that ends within MAX_GRANT_DAYS, and gives its age', () => {
    const row = classifyHolder(holder(), context);
    expect(row.flags).toEqual([]);
    expect(row.ageDays).toBe(90);
    expect(row.expiresAt).toBe(inDays(30));
  });

  it('flags a secret that never expires, and one that runs past MAX_GRANT_DAYS', () => {
    const never = holder({ credentials: [{ id: 's1', type: 'password' }] });
    expect(classifyHolder(never, context).flags).toEqual(['no-expiry']);
    expect(classifyHolder(never, context).expiresAt).toBeUndefined();
    const far = holder({ credentials: [{ id: 's1', type: 'password', expiresAt: inDays(91) }] });
    expect(classifyHolder(far, context).flags).toEqual(['expiry-beyond-max']);
    const edge = holder({ credentials: [{ id: 's1', type: 'password', expiresAt: inDays(90) }] });
    expect(classifyHolder(edge, context).flags).toEqual([]);
  });

  it('flags a holder nobody owns', () => {
    expect(classifyHolder(holder({ owners: [] }), context).flags).toEqual(['no-owner']);
  });

  it('flags a supplier-style name that no live grant carries, by prefix or by "(supplier"', () => {
    expect(classifyHolder(holder({ name: 'sup-old-vendor' }), context).flags).toEqual([
      'supplier-name-without-grant',
    ]);
    expect(classifyHolder(holder({ name: 'Old Vendor (Supplier)' }), context).flags).toEqual([
      'supplier-name-without-grant',
    ]);
    expect(classifyHolder(holder({ name: 'sup-acme' }), context).flags).toEqual([]);
    expect(classifyHolder(holder({ name: 'Acme (supplier integration)' }), context).flags).toEqual([]);
  });

  it('gives every flag that applies at once', () => {
    const planted = holder({ name: 'sup-ghost', owners: [], credentials: [{ id: 'k', type: 'key' }] });
    expect(classifyHolder(planted, context).flags).toEqual([
      'no-expiry',
      'no-owner',
      'supplier-name-without-grant',
    ]);
  });

  it('never flags a holder that carries our grant marker: the service door repairs it', () => {
    const ours = holder({
      name: 'sup-ghost',
      owners: [],
      credentials: [{ id: 'k', type: 'key' }],
      grantId: 'g1',
    });
    const row = classifyHolder(ours, context);
    expect(row.flags).toEqual([]);
    expect(row.grantId).toBe('g1');
  });

  it('reports an API token with its owner and last use, and no age when the provider gives none', () => {
    const token = holder({
      kind: 'api-token',
      name: 'CI deploy',
      createdAt: undefined,
      lastUsedAt: '2031-02-28T10:00:00.000Z',
      credentials: [{ id: 't1', type: 'token', expiresAt: inDays(20) }],
    });
    const row = classifyHolder(token, context);
    expect(row).toMatchObject({
      kind: 'api-token',
      owners: ['it-admin@example.com'],
      lastUsedAt: '2031-02-28T10:00:00.000Z',
    });
    expect(row.ageDays).toBeUndefined();
  });
});
