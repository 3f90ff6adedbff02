import { createHash, randomBytes } from 'node:crypto';
import { join } from 'node:path';

/** What slapd.conf names: where slapd keeps its files, the tree it serves and how long idle connections live. */
export interface ConfLayout {
  dataDir: string;
  pidFile: string;
  suffix: string;
  rootDN: string;
  idleTimeoutSeconds: number;
}

/** `{SSHA}` so the root password is not in the config file in clear. */
function ssha(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

/** The embedded slapd's whole configuration, written on every start. */
export function slapdConf(l: ConfLayout, password: string): string {
  const schemas = ['core', 'cosine', 'nis', 'inetorgperson'];
  return [
    '# Written by supplier-access on every start (src/local-stack/slapd-conf.ts); edits here are lost.',
    ...schemas.map((s) => `include /etc/ldap/schema/${s}.schema`),
    'modulepath /usr/lib/ldap',
    // A connection idle this long is closed, so a session bound before a revoke ends (docs/operations.md).
    `idletimeout ${l.idleTimeoutSeconds}`,
    'moduleload back_mdb',
    // slapd 2.5's ppolicy module carries its own schema (pwdPolicy, pwdEndTime, ...): no ppolicy.schema include.
    'moduleload ppolicy',
    `pidfile "${l.pidFile}"`,
    `argsfile "${join(l.dataDir, 'slapd.args')}"`,
    'password-hash {SSHA}',
    'database mdb',
    `suffix "${l.suffix}"`,
    `rootdn "${l.rootDN}"`,
    `rootpw ${ssha(password)}`,
    `directory "${join(l.dataDir, 'db')}"`,
    'maxsize 1073741824',
    'index objectClass eq',
    'index uid eq,sub',
    'index member eq',
    ...accessRules(l.suffix),
    'overlay ppolicy',
    `ppolicy_default "cn=default,ou=policies,${l.suffix}"`,
    'ppolicy_use_lockout',
    // Passwords sent in clear by an add/modify are stored hashed, like a password change would be.
    'ppolicy_hash_cleartext',
    '',
  ].join('\n');
}

/**
 * Who reads what. The root DN (the service) is above these rules. A supplier reads its own entry and nothing
 * else (other suppliers' e-mail addresses, organisations and grant ids are not its business), may replace its
 * own password (pwdReset asks it to) without reading the hash, and may search from the suffix or the users'
 * container, which finds its own entry only. A locked account loses all of it at once, also on a connection
 * bound before the lock: slapd checks these rules on every operation, not only at bind.
 */
function accessRules(suffix: string): string[] {
  const locked = 'by set="user/pwdAccountLockedTime" none';
  return [
    `access to attrs=userPassword ${locked} by self =xw by anonymous auth by * none`,
    `access to dn.base="${suffix}" attrs=entry ${locked} by users search by * none`,
    `access to dn.base="ou=suppliers,${suffix}" attrs=entry ${locked} by users search by * none`,
    `access to * ${locked} by self read by * none`,
  ];
}
