import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { Client, InvalidCredentialsError } from 'ldapts';
import type { SambaDc } from './samba.js';

/**
 * How AD answers a simple bind, by the `data` code in its refusal (the sub-status of AcceptSecurityContext).
 * `must-change-password` (773) is the answer to the right one-time password of an account created with
 * `pwdLastSet: 0`: the password is correct, and AD wants it changed (Kerberos or a Windows sign-in) first.
 */
export type AdSignIn =
  'ok' | 'wrong-password' | 'must-change-password' | 'disabled' | 'expired' | 'locked' | 'password-expired';

const REFUSALS: Record<string, AdSignIn> = {
  '52e': 'wrong-password',
  '773': 'must-change-password',
  '533': 'disabled',
  '701': 'expired',
  '775': 'locked',
  '532': 'password-expired',
};

/** The DC's certificate, to trust it without turning verification off. */
export const dcCa = (dc: SambaDc): string[] => [readFileSync(dc.caFile, 'utf8')];

/** Runs `work` as the domain's Administrator, outside the provider, to see or change what is really there. */
export async function asDomainAdmin<T>(dc: SambaDc, work: (client: Client) => Promise<T>): Promise<T> {
  const client = new Client({ url: dc.url, tlsOptions: { ca: dcCa(dc) }, timeout: 10_000 });
  try {
    await client.bind(dc.bindDN, dc.bindPassword);
    return await work(client);
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/** A simple bind by DN or `name@realm`, the way a supplier's application signs in, and AD's answer to it. */
export async function adSignIn(dc: SambaDc, name: string, password: string): Promise<AdSignIn> {
  const client = new Client({ url: dc.url, tlsOptions: { ca: dcCa(dc) }, timeout: 10_000 });
  try {
    await client.bind(name, password);
    return 'ok';
  } catch (err) {
    if (!(err instanceof InvalidCredentialsError)) throw err;
    const code = /\bdata ([0-9a-f]+)/i.exec(err.message)?.[1]?.toLowerCase() ?? '';
    const answer = REFUSALS[code];
    if (!answer) throw new Error(`unexpected AD bind refusal: ${err.message}`);
    return answer;
  } finally {
    await client.unbind().catch(() => undefined);
  }
}

/**
 * What the supplier does at first sign-in without Windows: `kpasswd <account>@<REALM>` with the one-time
 * password, then a new one. Kerberos reads the three answers from stdin when there is no terminal.
 */
export function kpasswd(
  dc: SambaDc,
  username: string,
  oldPassword: string,
  newPassword: string,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'kpasswd',
      [`${username}@${dc.realm}`],
      { env: { ...process.env, KRB5_CONFIG: dc.krb5Config, KRB5CCNAME: 'MEMORY:' }, timeout: 20_000 },
      (err, stdout, stderr) =>
        err ? reject(new Error(`kpasswd failed: ${stderr || err.message}`)) : resolve(stdout),
    );
    child.stdin?.end(`${oldPassword}\n${newPassword}\n${newPassword}\n`);
  });
}
