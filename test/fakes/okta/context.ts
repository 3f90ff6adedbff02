/** What the server and its routes share. */
import type { FastifyRequest } from 'fastify';
import type { ApiTokens } from './api-tokens.js';
import type { Apps } from './apps.js';
import { validationError } from './errors.js';
import type { Groups } from './groups.js';
import type { Bucket, RateLimiter } from './rate-limiter.js';
import type { UserSchema } from './schema.js';
import type { Users } from './users.js';

export interface RecordedRequest {
  method: string;
  /** The path without its query string. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** Arrival time, epoch milliseconds. */
  at: number;
  bucket: Bucket;
  durationMs: number;
}

export interface PendingFailure {
  remaining: number;
  status: 500 | 503 | 429;
}

export interface FakeContext {
  users: Users;
  groups: Groups;
  schema: UserSchema;
  apps: Apps;
  /** Every API token of the org, the fake's own among them: any live one authenticates. */
  apiTokens: ApiTokens;
  limiter: RateLimiter;
  /** http://127.0.0.1:PORT, known once listening. */
  orgUrl: string;
  /** The fake's own API token (its value). */
  apiToken: string;
  latencyMs: number;
  failures: PendingFailure[];
  requests: RecordedRequest[];
}

export function queryOf(req: FastifyRequest): URLSearchParams {
  const i = req.url.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : req.url.slice(i + 1));
}

export function pathOf(req: FastifyRequest): string {
  const i = req.url.indexOf('?');
  return i < 0 ? req.url : req.url.slice(0, i);
}

/** Okta's boolean query parameters: 'true' / 'false'; anything else is a 400. */
export function boolParam(q: URLSearchParams, name: string, dflt: boolean): boolean {
  const v = q.get(name);
  if (v === null || v === '') return dflt;
  if (v === 'true') return true;
  if (v === 'false') return false;
  throw validationError(`Api validation failed: ${name}`, [`${name}: Invalid value`]);
}

/** `limit`: a positive integer, capped at `max`; absent → `dflt`. */
export function limitParam(q: URLSearchParams, dflt: number, max: number): number {
  const v = q.get('limit');
  if (v === null || v === '') return dflt;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1)
    throw validationError('Api validation failed: limit', ['limit: Invalid value']);
  return Math.min(n, max);
}
