import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig, parseDuration } from '../../src/config.js';

describe('configuration', () => {
  it('uses the documented defaults and the embedded stack when nothing is set', () => {
    const config = loadConfig({});
    expect(config.host).toBe('127.0.0.1');
    expect(config.port).toBe(8080);
    expect(config.temporal).toEqual({
      address: undefined,
      namespace: 'default',
      taskQueue: 'supplier-access',
    });
    expect(config.embeddedLdap).toBe(true);
    expect(config.policy).toEqual({
      accountPrefix: 'sup-',
      maxGrantDays: 90,
      reminderLeadMs: [14 * 86_400_000, 7 * 86_400_000, 86_400_000],
    });
    expect(config.dataDir).toBe('.data');
    expect(config.answerWithinMs).toBe(10_000);
    expect(config.workerCachedGrants).toBe(2000);
  });

  it('takes LOG_FORMAT json or pretty, leaves it to the terminal when unset, and names it when wrong', () => {
    expect(loadConfig({}).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: '' }).logFormat).toBeUndefined();
    expect(loadConfig({ LOG_FORMAT: 'json' }).logFormat).toBe('json');
    expect(loadConfig({ LOG_FORMAT: 'pretty' }).logFormat).toBe('pretty');
    expect(() => loadConfig({ LOG_FORMAT: 'xml' })).toThrow(
      /LOG_FORMAT: .*"json"\|"pretty"|LOG_FORMAT: .*json.*pretty/,
    );
  });

  it('parses API_TOKENS into actors with roles', () => {
    const config = loadConfig({
      API_TOKENS: 'rita:requester:aaaaaaaaaaaaaaaaaaaa, ada:admin+auditor:bbbbbbbbbbbbbbbb:cc',
    });
    expect(config.apiTokens).toEqual([
      { name: 'rita', roles: ['requester'], token: 'aaaaaaaaaaaaaaaaaaaa' },
      { name: 'ada', roles: ['admin', 'auditor'], token: 'bbbbbbbbbbbbbbbb:cc' },
    ]);
  });

  it('reads an empty API_TOKENS as unset, so the local admin token is generated rather than nobody signing in', () => {
    expect(loadConfig({ API_TOKENS: '' }).apiTokens).toBeUndefined();
    expect(loadConfig({ API_TOKENS: '  ' }).apiTokens).toBeUndefined();
  });

  it('names every bad variable and never echoes a token', () => {
    let message = '';
    try {
      loadConfig({
        API_TOKENS: 'rita:superuser:secret-token-value-123',
        PORT: 'eighty',
        MAX_GRANT_DAYS: '0',
      });
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      message = (err as Error).message;
    }
    expect(message).toContain('API_TOKENS');
    expect(message).toContain('PORT');
    expect(message).toContain('MAX_GRANT_DAYS');
    expect(message).not.toContain('secret-token-value-123');
  });

  it('requires the LDAP variables together', () => {
    expect(() => loadConfig({ LDAP_URL: 'ldap://127.0.0.1:389' })).toThrow(
      /LDAP_BIND_DN, LDAP_BIND_PASSWORD, LDAP_USERS_DN must be set/,
    );
    const config = loadConfig({
      LDAP_URL: 'ldap://127.0.0.1:389',
      LDAP_BIND_DN: 'cn=admin,dc=example',
      LDAP_BIND_PASSWORD: 'pw',
      LDAP_USERS_DN: 'ou=suppliers,dc=example',
    });
    expect(config.embeddedLdap).toBe(false);
    expect(config.ldap?.dialect).toBe('openldap');
  });

  it('takes Active Directory over ldaps:// only, and a CA file that exists', () => {
    const ad = {
      LDAP_URL: 'ldap://dc.corp.example',
      LDAP_BIND_DN: 'CN=svc-supplier-access,OU=Service,DC=corp,DC=example',
      LDAP_BIND_PASSWORD: 'pw',
      LDAP_USERS_DN: 'OU=Suppliers,DC=corp,DC=example',
      LDAP_DIALECT: 'ad',
    };
    expect(() => loadConfig(ad)).toThrow(/LDAP_URL: must be ldaps:\/\/host\[:port\] when LDAP_DIALECT=ad/);
    expect(() =>
      loadConfig({ ...ad, LDAP_URL: 'ldaps://dc.corp.example', LDAP_CA_FILE: '/nonexistent/ca.pem' }),
    ).toThrow(/LDAP_CA_FILE: must name a PEM file that exists/);
    const caFile = fileURLToPath(new URL('../fakes/graph/tls/test-ca.crt', import.meta.url));
    const config = loadConfig({ ...ad, LDAP_URL: 'ldaps://dc.corp.example', LDAP_CA_FILE: caFile });
    expect(config.ldap).toMatchObject({ dialect: 'ad', caFile });
  });

  it("refuses an ACCOUNT_PREFIX that leaves no room for a cut name's hash in AD's 20 characters", () => {
    const ad = {
      LDAP_URL: 'ldaps://dc.corp.example',
      LDAP_BIND_DN: 'CN=svc-supplier-access,OU=Service,DC=corp,DC=example',
      LDAP_BIND_PASSWORD: 'pw',
      LDAP_USERS_DN: 'OU=Suppliers,DC=corp,DC=example',
      LDAP_DIALECT: 'ad',
    };
    expect(() => loadConfig({ ...ad, ACCOUNT_PREFIX: 'supplier-' })).toThrow(
      /ACCOUNT_PREFIX: must be at most 7 characters with ldap, whose account names hold 20/,
    );
    expect(loadConfig({ ...ad, ACCOUNT_PREFIX: 'vendor-' }).policy.accountPrefix).toBe('vendor-');
    // OpenLDAP's 64 characters take any prefix ACCOUNT_PREFIX's own rule allows.
    expect(loadConfig({ ACCOUNT_PREFIX: 'supplier-' }).policy.accountPrefix).toBe('supplier-');
  });

  it('enables Okta and Entra only with all their required variables', () => {
    expect(() => loadConfig({ OKTA_ORG_URL: 'https://acme.okta.com' })).toThrow(
      /Okta: OKTA_API_TOKEN, OKTA_LOGIN_DOMAIN/,
    );
    const config = loadConfig({
      OKTA_ORG_URL: 'https://acme.okta.com',
      OKTA_API_TOKEN: 'token',
      OKTA_LOGIN_DOMAIN: 'suppliers.acme.example',
      OKTA_GROUP_IDS: '00g1, 00g2',
    });
    expect(config.okta?.groups).toEqual(['00g1', '00g2']);
    expect(config.embeddedLdap).toBe(false);
    expect(() => loadConfig({ GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c' })).toThrow(
      /Entra: GRAPH_CLIENT_SECRET/,
    );
  });

  it("checks each provider's variables by its own rules at start, naming the variable", () => {
    const okta = {
      OKTA_ORG_URL: 'not a url',
      OKTA_API_TOKEN: 'okta-token-never-echoed',
      OKTA_LOGIN_DOMAIN: 'suppliers.acme.example',
    };
    const bad = () => loadConfig(okta);
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/OKTA_ORG_URL: must be an http\(s\) URL/);
    expect(bad).not.toThrow(/orgUrl/);
    expect(bad).not.toThrow(/okta-token-never-echoed/);
    const entra = { GRAPH_TENANT_ID: 't', GRAPH_CLIENT_ID: 'c', GRAPH_CLIENT_SECRET: 's' };
    expect(() => loadConfig({ ...entra, GRAPH_GROUP_IDS: 'not-a-guid' })).toThrow(
      /GRAPH_GROUP_IDS: must be a GUID/,
    );
    expect(() => loadConfig({ ...entra, GRAPH_BASE_URL: 'http://graph.example' })).toThrow(
      /GRAPH_BASE_URL: must be an https URL/,
    );
    expect(() =>
      loadConfig({ ...okta, OKTA_ORG_URL: 'https://acme.okta.com', OKTA_LOGIN_DOMAIN: 'acme' }),
    ).toThrow(/OKTA_LOGIN_DOMAIN: must be a domain name/);
  });

  it('reads the notification and review settings, and refuses malformed ones without echoing them', () => {
    const config = loadConfig({
      SMTP_URL: 'smtp://mailer:s3cret-pass@mail.example.com:587',
      WEBHOOK_URL: 'https://hooks.example.com/services/T000/B000/XXXX',
      REVIEW_INTERVAL: '30m',
      REVIEW_DISABLE_ORPHANS: 'true',
      REVIEW_REPORT_TO: 'it@client.example, audit@client.example',
      API_TOKENS: 'rita@client.example:requester:rita-token-0123456789',
    });
    expect(config.notifications).toEqual({
      smtpUrl: 'smtp://mailer:s3cret-pass@mail.example.com:587',
      smtpFrom: 'supplier-access@localhost',
      webhookUrl: 'https://hooks.example.com/services/T000/B000/XXXX',
    });
    expect(config.review).toEqual({
      intervalMs: 30 * 60_000,
      disableOrphans: true,
      reportTo: ['it@client.example', 'audit@client.example'],
    });
    // A requester named by e-mail address receives the reminders of their grants.
    expect(config.apiTokens?.[0]?.name).toBe('rita@client.example');
    expect(loadConfig({ SMTP_URL: '', WEBHOOK_URL: ' ' }).notifications.smtpUrl).toBeUndefined();

    const bad = () => loadConfig({ SMTP_URL: 'http://mailer:s3cret-pass@mail', WEBHOOK_URL: 'ftp://x' });
    expect(bad).toThrow(ConfigError);
    expect(bad).toThrow(/SMTP_URL: must be an smtp:\/\/ or smtps:\/\/ URL/);
    expect(bad).toThrow(/WEBHOOK_URL: must be an http:\/\/ or https:\/\/ URL/);
    expect(bad).not.toThrow(/s3cret-pass/);
  });

  it("reads the page's public address for links in reminders, without a trailing slash, and refuses a malformed one", () => {
    expect(loadConfig({ PUBLIC_URL: 'https://access.client.example/' }).publicUrl).toBe(
      'https://access.client.example',
    );
    expect(loadConfig({ PUBLIC_URL: 'https://client.example/access' }).publicUrl).toBe(
      'https://client.example/access',
    );
    expect(loadConfig({}).publicUrl).toBeUndefined();
    expect(loadConfig({ PUBLIC_URL: ' ' }).publicUrl).toBeUndefined();
    expect(() => loadConfig({ PUBLIC_URL: 'access.client.example' })).toThrow(
      /PUBLIC_URL: must be an http:\/\/ or https:\/\/ URL/,
    );
  });

  it('takes two tokens for one name (rotation), never one token for two names', () => {
    const both = loadConfig({
      API_TOKENS: 'rita:requester:old-token-0123456789,rita:requester:new-token-0123456789',
    }).apiTokens;
    expect(both?.map((t) => t.name)).toEqual(['rita', 'rita']);
    const shared = () =>
      loadConfig({ API_TOKENS: 'rita:requester:same-token-0123456789,ada:admin:same-token-0123456789' });
    expect(shared).toThrow(/"ada" and "rita" have the same token/);
    expect(shared).not.toThrow(/same-token-0123456789/);
  });

  it('refuses two names that differ only in case: four eyes would take them for two people', () => {
    const twoSpellings = () =>
      loadConfig({
        API_TOKENS:
          'rita@client.example:requester+approver:rita-token-0123456789,' +
          'Rita@Client.Example:approver:other-token-0123456789',
      });
    expect(twoSpellings).toThrow(ConfigError);
    expect(twoSpellings).toThrow(/"Rita@Client.Example" and "rita@client.example" differ only in case/);
    expect(twoSpellings).not.toThrow(/token-0123456789/);
  });

  it('reads the rate limit and the codec origins', () => {
    expect(loadConfig({}).rateLimitPerMinute).toBe(120);
    expect(loadConfig({}).codecCorsOrigins).toBeUndefined();
    const config = loadConfig({
      RATE_LIMIT_PER_MINUTE: '0',
      CODEC_CORS_ORIGINS: 'https://temporal.example.com, http://127.0.0.1:8233',
    });
    expect(config.rateLimitPerMinute).toBe(0);
    expect(config.codecCorsOrigins).toEqual(['https://temporal.example.com', 'http://127.0.0.1:8233']);
    expect(() => loadConfig({ RATE_LIMIT_PER_MINUTE: '-1' })).toThrow(/RATE_LIMIT_PER_MINUTE/);
    expect(() => loadConfig({ CODEC_CORS_ORIGINS: 'https://ui.example.com/path' })).toThrow(
      /CODEC_CORS_ORIGINS: must be origins separated by commas/,
    );
    expect(() => loadConfig({ CODEC_CORS_ORIGINS: '*' })).toThrow(/CODEC_CORS_ORIGINS/);
  });

  it('takes WORKFLOW_BUNDLE_PATH, a prebuilt workflow bundle, and names it when the file is missing', () => {
    expect(loadConfig({}).workflowBundlePath).toBeUndefined();
    const bundle = fileURLToPath(import.meta.url);
    expect(loadConfig({ WORKFLOW_BUNDLE_PATH: bundle }).workflowBundlePath).toBe(bundle);
    expect(() => loadConfig({ WORKFLOW_BUNDLE_PATH: '/nonexistent/workflows.js' })).toThrow(
      /WORKFLOW_BUNDLE_PATH: .*exist/,
    );
  });

  it('reads the retention periods in days: 30 for accounts and 365 for contacts by default, fractions, or never', () => {
    expect(loadConfig({}).retention).toEqual({ accountDays: 30, contactDays: 365 });
    expect(loadConfig({ ACCOUNT_RETENTION_DAYS: '0.5', CONTACT_RETENTION_DAYS: '0' }).retention).toEqual({
      accountDays: 0.5,
      contactDays: 0,
    });
    expect(
      loadConfig({ ACCOUNT_RETENTION_DAYS: 'never', CONTACT_RETENTION_DAYS: ' never ' }).retention,
    ).toEqual({ accountDays: undefined, contactDays: undefined });
    expect(loadConfig({ ACCOUNT_RETENTION_DAYS: '' }).retention.accountDays).toBe(30);
    for (const bad of ['-1', '30d', 'forever', '1e3', '40000']) {
      expect(() => loadConfig({ ACCOUNT_RETENTION_DAYS: bad }), bad).toThrow(
        /ACCOUNT_RETENTION_DAYS: must be a number of days .* or never/,
      );
    }
    expect(() => loadConfig({ CONTACT_RETENTION_DAYS: '-3' })).toThrow(/CONTACT_RETENTION_DAYS/);
  });

  it('reads durations', () => {
    expect(parseDuration('90s')).toBe(90_000);
    expect(parseDuration('1h')).toBe(3_600_000);
    expect(parseDuration('soon')).toBeNull();
  });
});
