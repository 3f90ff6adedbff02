import { chmodSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AdminTokenError, loadOrCreateAdminToken, openDataDir } from '../../src/local-state.js';

const base = mkdtempSync(join(tmpdir(), 'supplier-access-local-state-'));
afterAll(() => rmSync(base, { recursive: true, force: true }));
const mode = (path: string) => (statSync(path).mode & 0o777).toString(8);

describe('local state', () => {
  it('tightens a data dir an earlier version left open to 0700', () => {
    const dir = join(base, 'old');
    mkdirSync(dir, { mode: 0o755 });
    chmodSync(dir, 0o755);
    expect(openDataDir(dir)).toBe(dir);
    expect(mode(dir)).toBe('700');
    expect(mode(openDataDir(join(base, 'new', 'nested')))).toBe('700');
  });

  it('keeps the generated admin token across starts, 0600', () => {
    const dir = openDataDir(join(base, 'token'));
    const first = loadOrCreateAdminToken(dir);
    expect(first.file).toBe(join(dir, 'admin-token'));
    expect(first.token).toMatch(/^[A-Za-z0-9_-]{32}$/);
    chmodSync(first.file, 0o644);
    expect(loadOrCreateAdminToken(dir).token).toBe(first.token);
    expect(mode(first.file)).toBe('600');
  });

  it('refuses an unusable token file, naming it and the way out', () => {
    const dir = openDataDir(join(base, 'bad'));
    writeFileSync(join(dir, 'admin-token'), 'short\n');
    expect(() => loadOrCreateAdminToken(dir)).toThrow(AdminTokenError);
    expect(() => loadOrCreateAdminToken(dir)).toThrow(/admin-token holds no usable token: delete it/);
  });
});
