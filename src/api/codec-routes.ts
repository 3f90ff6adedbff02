import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { requireActor } from './auth.js';
import { invalid, parseOrInvalid } from './problem.js';

/** Histories carry bigger batches than the API's own requests; Temporal's payload limit is 2 MB. */
export const CODEC_BODY_LIMIT_BYTES = 4 * 1024 * 1024;
const MAX_PAYLOADS = 10_000;

const base64 = z
  .string()
  .max(CODEC_BODY_LIMIT_BYTES)
  .regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

/** Temporal's remote codec body: `Payloads` in proto3 JSON, bytes as base64. */
export const codecBodySchema = z.strictObject({
  payloads: z
    .array(
      z.strictObject({
        metadata: z.record(z.string().max(256), base64).optional(),
        data: base64.optional(),
      }),
    )
    .max(MAX_PAYLOADS),
});

type JsonPayload = z.output<typeof codecBodySchema>['payloads'][number];

const fromJson = (p: JsonPayload): Payload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]),
  ),
  data: Buffer.from(p.data ?? '', 'base64'),
});

const toJson = (p: Payload): JsonPayload => ({
  metadata: Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([key, value]) => [key, Buffer.from(value).toString('base64')]),
  ),
  data: Buffer.from(p.data ?? []).toString('base64'),
});

export interface CodecRoutesOptions {
  codec: PayloadCodec;
  /** Browser origins allowed to call the codec (the Temporal UI); none → no CORS headers at all. */
  corsOrigins: string[];
}

/**
 * Temporal's remote codec protocol (`POST /codec/encode`, `POST /codec/decode`), so operators can read
 * encrypted histories with the Temporal CLI (`--codec-endpoint`, `--codec-auth`) or the Temporal UI. Decoding
 * shows what the encryption hides — one-time passwords in flight, contact e-mails — so it takes an admin token.
 */
export async function codecRoutes(app: FastifyInstance, options: CodecRoutesOptions): Promise<void> {
  await app.register(
    async (codec) => {
      if (options.corsOrigins.length > 0) {
        await codec.register(cors, {
          origin: options.corsOrigins,
          methods: ['POST'],
          allowedHeaders: ['Authorization', 'Content-Type', 'X-Namespace'],
          credentials: true,
          maxAge: 600,
        });
      }
      for (const direction of ['encode', 'decode'] as const) {
        codec.post(`/${direction}`, { bodyLimit: CODEC_BODY_LIMIT_BYTES }, async (request, reply) => {
          requireActor(request, 'admin');
          const { payloads } = parseOrInvalid(codecBodySchema, request.body);
          let result: Payload[];
          try {
            result = await options.codec[direction](payloads.map(fromJson));
          } catch {
            // A wrong key id, a tampered ciphertext, bytes that are no payload: the caller's input, not ours.
            throw invalid([{ field: 'payloads', rule: `must be payloads this service can ${direction}` }]);
          }
          return reply.header('cache-control', 'no-store').send({ payloads: result.map(toJson) });
        });
      }
    },
    { prefix: '/codec' },
  );
}
