import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { problem } from './problem.js';

export const DEFAULT_RATE_LIMIT_PER_MINUTE = 120;

/**
 * What the rate limit counts: requests that change something (`POST /v1/…`). Reading, and the codec, are not
 * limited. The OpenAPI document lists the 429 by the same rule.
 */
export function isRateLimited(method: string, path: string): boolean {
  return !['GET', 'HEAD', 'OPTIONS'].includes(method.toUpperCase()) && path.startsWith('/v1/');
}

/**
 * Limits changing requests per token (callers without a valid token, per address). Registered before the
 * routes: it hooks each route as it is added, and runs after the token is read.
 */
export async function registerRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  if (perMinute <= 0) return;
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    keyGenerator: (request) => (request.actor ? `token:${request.actor.name}` : `address:${request.ip}`),
    allowList: (request) => !isRateLimited(request.method, request.url),
    errorResponseBuilder: (_request, context) =>
      problem(
        429,
        `at most ${context.max} changing requests a minute per token; try again in ${context.after}`,
      ),
  });
}
