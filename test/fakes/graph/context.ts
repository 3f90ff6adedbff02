/** What the server, its hooks and its routes share. */
import type { Server as HttpsServer } from 'node:https';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { TokenClaims, Tokens } from './auth.js';
import type { Applications } from './applications.js';
import type { Directory } from './directory.js';
import { GraphApiError, invalidJson } from './errors.js';

export interface RecordedRequest {
  /** 'identity': the token and discovery endpoints; 'graph': /v1.0. */
  service: 'identity' | 'graph';
  method: string;
  /** The path without its query string, percent-decoded. */
  path: string;
  query: Record<string, string>;
  status: number;
  /** Arrival time, epoch milliseconds. */
  at: number;
  durationMs: number;
  /** The request body (JSON or form), with passwords and client secrets replaced by '[REDACTED]'. */
  body?: unknown;
  /** Graph's error code when the answer is an error. */
  errorCode?: string;
  /** The `client-request-id` header the client sent. */
  clientRequestId?: string;
  /** The Graph client's RetryHandler sends `Retry-Attempt: n` on its n-th retry. */
  retryAttempt?: number;
  /** The `ConsistencyLevel` header. */
  consistencyLevel?: string;
}

export interface PendingFailure {
  remaining: number;
  status: 429 | 500 | 503 | 504;
  retryAfterSeconds: number | undefined;
}

export interface Throttle {
  limit: number;
  windowMs: number;
  windowStart: number;
  used: number;
}

export interface GraphFakeContext {
  dir: Directory;
  /** Application registrations and service principals. */
  apps: Applications;
  tokens: Tokens;
  tenantId: string;
  clientId: string;
  clientSecret: string;
  /** Application permissions granted to the client (the `roles` of tokens issued from now on). */
  permissions: string[];
  tokenLifetimeSeconds: number;
  latencyMs: number;
  throttle: Throttle;
  failures: PendingFailure[];
  requests: RecordedRequest[];
  /** https://127.0.0.1:PORT, known once listening. */
  origin: string;
}

export type GraphFakeServer = FastifyInstance<HttpsServer>;

const claimsOf = new WeakMap<FastifyRequest, TokenClaims>();

export function setClaims(req: FastifyRequest, claims: TokenClaims): void {
  claimsOf.set(req, claims);
}

export function claims(req: FastifyRequest): TokenClaims {
  const c = claimsOf.get(req);
  if (!c) throw new GraphApiError(401, 'InvalidAuthenticationToken', 'Access token is empty.');
  return c;
}

export function queryOf(req: FastifyRequest): URLSearchParams {
  const i = req.url.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : req.url.slice(i + 1));
}

export function pathOf(req: FastifyRequest): string {
  const i = req.url.indexOf('?');
  const raw = i < 0 ? req.url : req.url.slice(0, i);
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

/** The raw body as text ('' when none). */
export function rawBody(req: FastifyRequest): string {
  return typeof req.body === 'string' ? req.body : '';
}

/** The JSON body of a Graph request; undefined when empty; 400 BadRequest when not JSON. */
export function jsonBody(req: FastifyRequest): unknown {
  const text = rawBody(req);
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidJson();
  }
}

export const GRAPH_CONTENT_TYPE =
  'application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8';

export function sendGraph(reply: FastifyReply, status: number, body?: unknown): FastifyReply {
  reply.code(status);
  if (body === undefined) return reply.send();
  return reply.type(GRAPH_CONTENT_TYPE).send(JSON.stringify(body));
}

/** `ConsistencyLevel: eventual` present. */
export function isEventual(req: FastifyRequest): boolean {
  const h = req.headers.consistencylevel;
  return typeof h === 'string' && h.toLowerCase() === 'eventual';
}
