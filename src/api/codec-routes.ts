import cors from '@fastify/cors';
import type { Payload, PayloadCodec } from '@temporalio/common';
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { json } from './answers.js';
import { invalid } from './problem.js';
import type { ZodTypeProvider } from './route-contract.js';

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

/** What the document says of each direction. */
const DOCS = {
  decode: {
    summary: 'Decrypt Temporal payloads',
    description:
      "Decrypts payloads of this service's workflow histories (proto3 JSON `Payloads`, bytes in base64) with " +
      'the keys of `PAYLOAD_ENCRYPTION_KEYS`; payloads that are not encrypted come back unchanged. Point ' +
      '`temporal workflow show --codec-endpoint <api>/codec --codec-auth "Bearer <token>"` or the Temporal ' +
      'UI here. Decrypted histories hold contact e-mails and one-time passwords in flight: admins only.',
  },
  encode: {
    summary: 'Encrypt Temporal payloads',
    description:
      'Encrypts payloads with the current key, as the service does before anything reaches Temporal.',
  },
};

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
      const api = codec.withTypeProvider<ZodTypeProvider>();
      for (const direction of ['decode', 'encode'] as const) {
        api.post(
          `/${direction}`,
          {
            bodyLimit: CODEC_BODY_LIMIT_BYTES,
            config: { permission: 'admin' },
            schema: {
              ...DOCS[direction],
              operationId: `${direction}Payloads`,
              tags: ['codec'],
              body: codecBodySchema,
              response: { 200: json(`The payloads, ${direction}d, in the order given.`, codecBodySchema) },
            },
          },
          async (request, reply) => {
            let result: Payload[];
            try {
              result = await options.codec[direction](request.body.payloads.map(fromJson));
            } catch {
              // A wrong key id, a tampered ciphertext, bytes that are no payload: the caller's input, not ours.
              throw invalid([{ field: 'payloads', rule: `must be payloads this service can ${direction}` }]);
            }
            return reply.header('cache-control', 'no-store').send({ payloads: result.map(toJson) });
          },
        );
      }
    },
    { prefix: '/codec' },
  );
}
