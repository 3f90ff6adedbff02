/**
 * API tokens (`SSWS` tokens) as Okta's API Tokens API lists them: each is made by a user in the Admin Console
 * (there is no API to make one), acts as that user, and expires after `tokenWindow` without use: `expiresAt` is
 * the last use plus the window, moved on every use. The fake's own token is one of them; planted ones stand for
 * tokens somebody made and forgot. A revoked token no longer authenticates.
 */
import { resourceNotFound } from './errors.js';
import { isoNow, oktaId, randomChars } from './ids.js';

export interface FakeApiToken {
  id: string;
  name: string;
  /** The user who made it, whose rights it carries. */
  userId: string;
  clientName: string;
  created: string;
  lastUpdated: string;
  /** ISO-8601 duration: how long it lives without use (Okta's default: 30 days). */
  tokenWindow: string;
  /** When it was last used, from which `expiresAt` runs. */
  lastUsed: string;
  /** The token itself, for `Authorization: SSWS …`. */
  value: string;
  seq: number;
}

/** What a test plants: a token somebody made by hand. */
export interface PlantedApiToken {
  name: string;
  userId?: string;
  clientName?: string;
  tokenWindow?: string;
  /** Default: now. */
  lastUsed?: string;
  created?: string;
}

/** `P30D`, `PT12H`: the days and hours of an ISO-8601 duration, in milliseconds (all the windows Okta offers). */
export function durationMs(duration: string): number {
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?)?$/.exec(duration);
  if (!m) throw new Error(`unsupported duration ${duration}`);
  const [, d = '0', h = '0', min = '0'] = m;
  return ((Number(d) * 24 + Number(h)) * 60 + Number(min)) * 60_000;
}

export function expiresAtOf(token: FakeApiToken): string {
  return new Date(Date.parse(token.lastUsed) + durationMs(token.tokenWindow)).toISOString();
}

export class ApiTokens {
  readonly byId = new Map<string, FakeApiToken>();
  private seq = 0;

  /** The fake's own token, made by an administrator who is no user of the fake's directory. */
  constructor(private readonly ownValue: string) {
    this.reset();
  }

  reset(): void {
    this.byId.clear();
    this.plant({ name: 'supplier-access', userId: oktaId('00u'), clientName: 'Okta API' }, this.ownValue);
  }

  all(): FakeApiToken[] {
    return [...this.byId.values()].sort((a, b) => a.seq - b.seq);
  }

  plant(spec: PlantedApiToken, value = `00${randomChars(40)}`): FakeApiToken {
    const now = isoNow();
    const token: FakeApiToken = {
      id: oktaId('00T'),
      name: spec.name,
      userId: spec.userId ?? oktaId('00u'),
      clientName: spec.clientName ?? 'Okta API',
      created: spec.created ?? spec.lastUsed ?? now,
      lastUpdated: now,
      tokenWindow: spec.tokenWindow ?? 'P30D',
      lastUsed: spec.lastUsed ?? now,
      value,
      seq: ++this.seq,
    };
    durationMs(token.tokenWindow);
    this.byId.set(token.id, token);
    return token;
  }

  /** The live token with this value, marked as used now; undefined when none (revoked, expired or never made). */
  use(value: string, now = Date.now()): FakeApiToken | undefined {
    const token = [...this.byId.values()].find((t) => t.value === value);
    if (!token || Date.parse(expiresAtOf(token)) <= now) return undefined;
    token.lastUsed = isoNow(now);
    return token;
  }

  require(id: string): FakeApiToken {
    const token = this.byId.get(id);
    if (!token) throw resourceNotFound(id, 'ApiToken');
    return token;
  }

  revoke(id: string): void {
    this.byId.delete(this.require(id).id);
  }
}
