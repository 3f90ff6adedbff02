/**
 * TLS material of the Graph fake. Microsoft Graph client 3 attaches the bearer token only to `https://` URLs, so the
 * fake must speak HTTPS with a certificate the client trusts.
 *
 * Two sources:
 * - 'committed' (default): a long-lived TEST-ONLY CA and a server certificate it signed, committed under `tls/`.
 *   Because the CA file has a fixed path, a test runner can trust it from process start with
 *   `NODE_EXTRA_CA_CERTS=test/fakes/graph/tls/test-ca.crt` (Node reads that variable only at start-up).
 * - 'generated': a fresh CA + server certificate made with the `openssl` CLI in a temporary directory at start; the
 *   CA is then trusted only by clients given `caCertPem`/`caFile` explicitly (or child processes started with
 *   `NODE_EXTRA_CA_CERTS=<caFile>`).
 *
 * Server certificates name 127.0.0.1, ::1 and localhost (subjectAltName IP and DNS).
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

export interface TlsMaterial {
  /** The CA certificate (PEM) that signed the server certificate: what clients must trust. */
  caCertPem: string;
  /** A file holding `caCertPem` (for NODE_EXTRA_CA_CERTS). */
  caFile: string;
  /** Server certificate chain (leaf, then CA) and its private key, PEM. */
  certPem: string;
  keyPem: string;
  /** Removes temporary files (generated material only). */
  dispose(): void;
}

/** The committed TEST-ONLY CA. Point NODE_EXTRA_CA_CERTS here. */
export const COMMITTED_CA_FILE = fileURLToPath(new URL('./tls/test-ca.crt', import.meta.url));
const COMMITTED_CERT_FILE = fileURLToPath(new URL('./tls/server.crt', import.meta.url));
const COMMITTED_KEY_FILE = fileURLToPath(new URL('./tls/server.key', import.meta.url));

export function committedTls(): TlsMaterial {
  const caCertPem = readFileSync(COMMITTED_CA_FILE, 'utf8');
  return {
    caCertPem,
    caFile: COMMITTED_CA_FILE,
    certPem: readFileSync(COMMITTED_CERT_FILE, 'utf8') + caCertPem,
    keyPem: readFileSync(COMMITTED_KEY_FILE, 'utf8'),
    dispose: () => undefined,
  };
}

const CA_SUBJECT =
  '/O=supplier-access TEST ONLY/OU=never trust outside tests/CN=supplier-access Graph fake test CA';
const SERVER_SUBJECT = '/O=supplier-access TEST ONLY/OU=never trust outside tests/CN=127.0.0.1';
const SERVER_EXTENSIONS = [
  'basicConstraints=critical,CA:FALSE',
  'keyUsage=critical,digitalSignature',
  'extendedKeyUsage=serverAuth',
  'subjectAltName=IP:127.0.0.1,IP:::1,DNS:localhost',
  'subjectKeyIdentifier=hash',
  'authorityKeyIdentifier=keyid',
].join('\n');

/**
 * Makes a CA and a server certificate with the `openssl` CLI (P-256 keys) in `dir`, valid `days` days.
 * Also used once to make the committed files (`days` = 7300).
 */
export function opensslIssue(
  dir: string,
  days: number,
): { caKey: string; caCrt: string; key: string; crt: string } {
  const run = (args: string[]) =>
    execFileSync('openssl', args, { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] });
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'ca.ec.key']);
  run(['pkcs8', '-topk8', '-nocrypt', '-in', 'ca.ec.key', '-out', 'ca.key']);
  run([
    'req', '-x509', '-new', '-key', 'ca.key', '-sha256', '-days', String(days), '-subj', CA_SUBJECT,
    '-addext', 'basicConstraints=critical,CA:TRUE,pathlen:0',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
    '-addext', 'subjectKeyIdentifier=hash',
    '-out', 'ca.crt',
  ]); // prettier-ignore
  run(['ecparam', '-name', 'prime256v1', '-genkey', '-noout', '-out', 'server.ec.key']);
  run(['pkcs8', '-topk8', '-nocrypt', '-in', 'server.ec.key', '-out', 'server.key']);
  run(['req', '-new', '-key', 'server.key', '-subj', SERVER_SUBJECT, '-out', 'server.csr']);
  writeFileSync(join(dir, 'server.ext'), SERVER_EXTENSIONS + '\n');
  run([
    'x509', '-req', '-in', 'server.csr', '-CA', 'ca.crt', '-CAkey', 'ca.key', '-set_serial',
    `0x${Date.now().toString(16)}`, '-days', String(days), '-sha256', '-extfile', 'server.ext', '-out', 'server.crt',
  ]); // prettier-ignore
  return {
    caKey: join(dir, 'ca.key'),
    caCrt: join(dir, 'ca.crt'),
    key: join(dir, 'server.key'),
    crt: join(dir, 'server.crt'),
  };
}

/** Caller-provided PEMs; the CA is also written to a temporary file (caFile). */
export function customTls(pems: { caCertPem: string; certPem: string; keyPem: string }): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'graph-fake-tls-'));
  const caFile = join(dir, 'ca.crt');
  writeFileSync(caFile, pems.caCertPem);
  return {
    caCertPem: pems.caCertPem,
    caFile,
    certPem: pems.certPem.includes(pems.caCertPem.trim()) ? pems.certPem : pems.certPem + pems.caCertPem,
    keyPem: pems.keyPem,
    dispose: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** A fresh CA + server certificate (valid 2 days) via `openssl`; throws a clear error when openssl is missing. */
export function generatedTls(): TlsMaterial {
  const dir = mkdtempSync(join(tmpdir(), 'graph-fake-tls-'));
  try {
    const files = opensslIssue(dir, 2);
    const caCertPem = readFileSync(files.caCrt, 'utf8');
    return {
      caCertPem,
      caFile: files.caCrt,
      certPem: readFileSync(files.crt, 'utf8') + caCertPem,
      keyPem: readFileSync(files.key, 'utf8'),
      dispose: () => rmSync(dir, { recursive: true, force: true }),
    };
  } catch (err) {
    rmSync(dir, { recursive: true, force: true });
    const reason =
      (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'the openssl CLI is not installed' : String(err);
    throw new Error(`graph fake: cannot generate a certificate (${reason}); use tls: 'committed'`, {
      cause: err,
    });
  }
}

/**
 * TEST-ONLY fallback for a process that was not started with NODE_EXTRA_CA_CERTS pointing at the fake's CA: makes
 * every TLS client of this process (global fetch/undici — the Graph client —, node:https — @azure/identity's
 * pipeline —, …) trust `caPem` besides the default roots (and the NODE_EXTRA_CA_CERTS file, if any), by wrapping
 * `tls.createSecureContext` for connections that bring no `ca` of their own. Returns a function that undoes it.
 * Prefer NODE_EXTRA_CA_CERTS; never use this outside tests.
 */
export function trustCaInProcess(caPem: string): () => void {
  const original = tls.createSecureContext;
  const extra = process.env.NODE_EXTRA_CA_CERTS;
  let extraPem = '';
  try {
    if (extra) extraPem = readFileSync(extra, 'utf8');
  } catch {
    // unreadable: Node ignored it too (with a warning)
  }
  const ca = [...tls.rootCertificates, ...(extraPem ? [extraPem] : []), caPem];
  const patched: typeof tls.createSecureContext = (options) =>
    original(options?.ca === undefined ? { ...options, ca } : options);
  tls.createSecureContext = patched;
  return () => {
    if (tls.createSecureContext === patched) tls.createSecureContext = original;
  };
}

/** Whether a TLS client of this process, with default settings, trusts the server at `origin` (a handshake only). */
export function isTrustedByDefault(origin: string): Promise<boolean> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve) => {
    const socket = tls.connect({ host: hostname, port: Number(port) }, () => {
      resolve(socket.authorized);
      socket.end();
    });
    socket.on('error', () => resolve(false));
  });
}
