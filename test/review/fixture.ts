import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { createReviewActivities, type ReviewProviderInput } from '../../activities/review.js';
import { createLdapProvider } from '../../providers/ldap/index.js';
import { toGeneralizedTime } from '../../providers/ldap/syntax.js';
import type { IdentityProvider } from '../../providers/types.js';
import { startLocalSlapd, type LocalSlapd } from '../../src/local-stack/slapd.js';
import { createLogger } from '../../src/logger.js';
import type { ProviderReview, ReviewedAccount } from '../../domain/review.js';
import { openRegistry } from '../../src/registry/store.js';
import type { GrantRecord, RegistryStore } from '../../src/registry/types.js';
import type { GrantStatus } from '../../domain/status.js';
import type { PendingExtension } from '../../domain/grant.js';
import { DAY } from '../helpers/kit.js';

export { DAY };
/** The password of entries made by hand in these tests. */
export const HAND_PASSWORD = 'Typed-by-hand-0';
/** ppolicy's permanent lock, as a person (or the provider) writes it. */
export const LOCK = '000001010000Z';

/** An instant `offsetMs` from now, as the registry stores instants. */
export function fromNow(offsetMs: number): string {
  return new Date(Date.now() + offsetMs).toISOString();
}

/** The same instant in whole seconds, as LDAP holds it. */
export function toSeconds(iso: string): string {
  return new Date(Math.floor(Date.parse(iso) / 1000) * 1000).toISOString();
}

export const replace = (type: string, values: string[]): Change =>
  new Change({ operation: 'replace', modification: new Attribute({ type, values }) });

export const remove = (type: string): Change =>
  new Change({ operation: 'delete', modification: new Attribute({ type, values: [] }) });

let reviews = 0;

/** A real slapd, the LDAP provider on it and a SQLite registry, with what the review tests do to them. */
export class ReviewFixture {
  private constructor(
    private readonly dir: string,
    readonly slapd: LocalSlapd,
    readonly ldap: IdentityProvider,
    readonly registry: RegistryStore,
  ) {}

  static async start(): Promise<ReviewFixture> {
    const dir = mkdtempSync(join(tmpdir(), 'review-'));
    const slapd = await startLocalSlapd({ dataDir: join(dir, 'ldap') });
    const ldap = createLdapProvider({ ...slapd, dialect: 'openldap' });
    return new ReviewFixture(dir, slapd, ldap, await openRegistry({ dataDir: dir }));
  }

  async stop(): Promise<void> {
    await this.ldap.close();
    await this.registry.close();
    await this.slapd.stop();
    rmSync(this.dir, { recursive: true, force: true });
  }

  dnOf(username: string): string {
    return `uid=${username},${this.slapd.usersDN}`;
  }

  activities(provider = this.ldap, registry = this.registry) {
    const logger = createLogger('silent');
    return createReviewActivities({ providers: new Map([['ldap', provider]]), registry, logger });
  }

  /** Starts a review and reviews the directory's accounts named `prefix…`. */
  async review(
    prefix: string,
    options: Partial<ReviewProviderInput> = {},
    provider = this.ldap,
  ): Promise<{ input: ReviewProviderInput; summary: ProviderReview }> {
    const reviewId = `review-${++reviews}`;
    const review = this.activities(provider);
    await review.startReview({ reviewId, trigger: 'schedule', startedAt: new Date().toISOString() });
    const input = { reviewId, provider: 'ldap' as const, prefix, disableOrphans: false, ...options };
    return { input, summary: await review.reviewProvider(input) };
  }

  /** The review's rows by username. */
  async rowsOf(reviewId: string): Promise<Map<string, ReviewedAccount>> {
    const report = await this.registry.getReview(reviewId);
    return new Map(report?.accounts.map((a) => [a.username, a]));
  }

  async eventTypes(grant: GrantRecord): Promise<string[]> {
    return (await this.registry.listEvents(grant.id)).map((e) => e.type);
  }

  /** Runs `work` as the directory's root, around the provider: the way somebody changes things by hand. */
  async byHand<T>(work: (client: Client) => Promise<T>): Promise<T> {
    const client = new Client({ url: this.slapd.url, timeout: 10_000 });
    try {
      await client.bind(this.slapd.bindDN, this.slapd.bindPassword);
      return await work(client);
    } finally {
      await client.unbind();
    }
  }

  async modifyByHand(username: string, ...changes: Change[]): Promise<void> {
    await this.byHand((c) => c.modify(this.dnOf(username), changes));
  }

  async setEndTimeByHand(username: string, iso: string): Promise<void> {
    await this.modifyByHand(username, replace('pwdEndTime', [toGeneralizedTime(iso)]));
  }

  /** A supplier entry somebody made by hand, that no grant ever asked for. */
  async handMadeEntry(username: string): Promise<void> {
    await this.byHand((c) =>
      c.add(this.dnOf(username), {
        objectClass: ['inetOrgPerson'],
        uid: username,
        cn: `${username} (hand-made)`,
        sn: 'Hand',
        userPassword: HAND_PASSWORD,
      }),
    );
  }

  /** A grant with its account, as its workflow would have left them up to `status`. */
  async grantWithAccount(
    username: string,
    status: GrantStatus,
    expiresAt: string,
    pendingExtension?: PendingExtension,
  ): Promise<GrantRecord> {
    const grant = await this.recordGrant(username, status, expiresAt, pendingExtension);
    await this.ldap.createAccount({
      username,
      organisation: grant.organisation,
      displayName: grant.displayName,
      grantId: grant.id,
      expiresAt,
      groups: [],
    });
    if (status === 'expired' || status === 'revoked') {
      const ref = { username, externalId: this.dnOf(username), displayName: grant.displayName };
      await this.ldap.disableAccount(ref);
      await this.ldap.rotateCredentials(ref);
    }
    return grant;
  }

  /** Writes a grant into the registry with the events its workflow would have recorded, up to `status`. */
  async recordGrant(
    username: string,
    status: GrantStatus,
    expiresAt: string,
    pendingExtension?: PendingExtension,
  ): Promise<GrantRecord> {
    const id = randomUUID();
    const at = fromNow(-DAY);
    const event = { grantId: id, actor: 'supplier-access', at };
    await this.registry.insertGrant(
      {
        id,
        workflowId: `grant-ldap-${username}`,
        provider: 'ldap',
        organisation: username,
        username,
        displayName: `${username} (supplier)`,
        status: 'provisioning',
        expiresAt,
        reason: 'review test',
        groups: [],
        requestedBy: 'rita',
        createdAt: at,
        door: 'account',
      },
      { ...event, seq: 0, type: 'created', actor: 'rita' },
    );
    if (status === 'failed') {
      const failure = { kind: 'provider-invalid' as const, field: 'groups', message: 'group does not exist' };
      await this.registry.recordEvent({
        ...event,
        seq: 1,
        type: 'provisioning-failed',
        patch: { status, failure },
      });
    } else if (status !== 'provisioning') {
      const patch = { status: 'active' as const, externalId: this.dnOf(username) };
      await this.registry.recordEvent({ ...event, seq: 1, type: 'provisioned', patch });
    }
    if (status === 'expired' || status === 'revoked') {
      const patch = { status, endedAt: expiresAt };
      await this.registry.recordEvent({ ...event, seq: 2, type: status, at: expiresAt, patch });
    } else if (status === 'extension-requested') {
      const patch = { status, pendingExtension };
      await this.registry.recordEvent({ ...event, seq: 2, type: status, actor: 'rita', patch });
    }
    const grant = await this.registry.getGrant(id);
    if (!grant) throw new Error('grant not recorded');
    return grant;
  }
}
