import type { FastifyInstance } from 'fastify';
import type { CheckResult } from '../readiness.js';
import { json } from './answers.js';
import { healthSchema, readinessSchema } from './response-schemas.js';

/** `GET /healthz` and `GET /readyz`, public, for load balancers and orchestrators. */
export function healthRoutes(
  app: FastifyInstance,
  readiness: (() => Promise<Record<string, CheckResult>>) | undefined,
): void {
  app.get(
    '/healthz',
    {
      schema: {
        operationId: 'health',
        tags: ['health'],
        summary: 'Liveness',
        description: 'Answers while the process runs.',
        response: { 200: json('Up.', healthSchema) },
      },
    },
    async () => ({ status: 'ok' }),
  );
  app.get(
    '/readyz',
    {
      schema: {
        operationId: 'readiness',
        tags: ['health'],
        summary: 'Readiness',
        description: 'Whether Temporal and every configured directory answer, each reported under `checks`.',
        response: { 200: json('Ready.', readinessSchema), 503: json('Not ready.', readinessSchema) },
      },
    },
    async (_request, reply) => {
      const checks = readiness ? await readiness() : {};
      const ok = Object.values(checks).every((result) => result === 'ok');
      return reply.code(ok ? 200 : 503).send({ status: ok ? 'ready' : 'not-ready', checks });
    },
  );
}
