import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * Creates `DATA_DIR` (or tightens an existing one) to 0700: it holds the registry with the suppliers' contact
 * e-mails (personal information), the payload keys and the admin token, so nobody but its owner may enter it.
 * A folder owned by another user (a volume mounted for the service) keeps the mode its owner gave it: `warn`
 * says so. Returns its absolute path.
 */
export function openDataDir(dataDir: string, warn: (message: string) => void = () => {}): string {
  const dir = resolve(dataDir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  // mkdir leaves an existing folder as it was, and its mode is masked by the umask: set it outright.
  try {
    chmodSync(dir, 0o700);
  } catch (err) {
    if ((err as { code?: unknown }).code !== 'EPERM') throw err;
    warn(`${dir} belongs to another user: its mode is left as it is; make it 0700 and yours`);
  }
  return dir;
}

/** Thrown when the stored admin token cannot be used; says what to do about it. */
export class AdminTokenError extends Error {
  override readonly name = 'AdminTokenError';
}

/**
 * The admin token of a local run without `API_TOKENS`: generated on first start and kept 0600 in
 * `<dataDir>/admin-token`, so scripts and open terminals keep working across restarts.
 */
export function loadOrCreateAdminToken(dataDir: string): { token: string; file: string } {
  const file = join(dataDir, 'admin-token');
  if (!existsSync(file)) {
    // 'wx': two processes starting on the same data dir must not each write a different token.
    try {
      writeFileSync(file, randomBytes(24).toString('base64url') + '\n', { mode: 0o600, flag: 'wx' });
    } catch (err) {
      if ((err as { code?: unknown }).code !== 'EEXIST') throw err;
    }
  }
  chmodSync(file, 0o600);
  const token = readFileSync(file, 'utf8').trim();
  if (token.length < 16 || /\s/.test(token)) {
    throw new AdminTokenError(`${file} holds no usable token: delete it and a new one is generated at start`);
  }
  return { token, file };
}
