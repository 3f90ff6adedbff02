import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { AD_LIMITS } from './ad.js';
import { parentDn } from './syntax.js';

/** The longest account name of each dialect: OpenLDAP's `uid` by our rule, AD's `sAMAccountName` by AD's. */
export const LDAP_USERNAME_LIMITS = { openldap: 64, ad: AD_LIMITS.sAMAccountName } as const;

/** The LDAP provider's settings, checked once when the provider is created. */
export const ldapConfigSchema = z
  .object({
    /** `ldap://host:port` or `ldaps://host:port`; AD only accepts password writes over `ldaps://`. */
    url: z.string().regex(/^ldaps?:\/\/[^/\s]+\/?$/, 'must be ldap://host[:port] or ldaps://host[:port]'),
    /** The service account the provider binds as; it needs write access to usersDN and the groups. */
    bindDN: z.string().min(1),
    bindPassword: z.string().min(1),
    /** Where supplier accounts are created, one level below. */
    usersDN: z.string().min(1),
    /** Where to look for group memberships (whole subtree); default: the parent of usersDN. */
    groupsDN: z.string().min(1).optional(),
    dialect: z.enum(['openldap', 'ad']).default('openldap'),
    /**
     * A PEM file of the CA certificate(s) that signed the directory's certificate: for `ldaps://`, these are then
     * the only CAs trusted (unset: Node's public CAs and `NODE_EXTRA_CA_CERTS`). The certificate and its name are
     * always verified: there is no setting that turns the check off.
     */
    caFile: z.string().min(1).optional(),
  })
  .refine((c) => c.dialect !== 'ad' || c.url.startsWith('ldaps://'), {
    // AD refuses simple binds on plain LDAP (or lets the password cross in clear) and takes unicodePwd over TLS only.
    message: 'must be ldaps://host[:port] for Active Directory',
    path: ['url'],
  });

/** What callers pass: `dialect`, `groupsDN` and `caFile` may be left out. */
export type LdapConfig = z.input<typeof ldapConfigSchema>;

/** The settings with every default applied, and the CA file read. */
export type ResolvedLdapConfig = z.output<typeof ldapConfigSchema> & {
  groupsDN: string;
  /** The CA file's certificates, when one was named. */
  ca?: string[] | undefined;
};

/**
 * Validates the settings (throws a ZodError naming the bad fields), fills in the defaults and reads the CA file,
 * once, so that a missing file stops the start rather than the first grant.
 */
export function resolveLdapConfig(config: LdapConfig): ResolvedLdapConfig {
  const parsed = ldapConfigSchema.parse(config);
  const ca = parsed.caFile === undefined ? undefined : [readCaFile(parsed.caFile)];
  return { ...parsed, groupsDN: parsed.groupsDN ?? parentDn(parsed.usersDN), ca };
}

function readCaFile(file: string): string {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch (err) {
    throw new Error(`cannot read the LDAP CA file ${file}: ${(err as Error).message}`, { cause: err });
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new Error(`the LDAP CA file ${file} holds no PEM certificate`);
  }
  return pem;
}
