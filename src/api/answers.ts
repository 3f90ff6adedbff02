/**
 * The answers a route declares in `schema.response`, in OpenAPI's own shape: a description, headers, and a
 * schema per media type. The schemas are zod's (response-schemas.ts); openapi.ts turns them into `$ref`s.
 */
import type { z } from 'zod';
import { problemSchema } from './response-schemas.js';

/** A schema of an answer: zod, or plain JSON Schema where zod has nothing to say (CSV text). */
export type AnswerSchema = z.ZodType | Record<string, unknown>;

/** One declared answer of a route. */
export interface Answer {
  description: string;
  headers?: Record<string, { description: string; schema: Record<string, unknown> }>;
  content: Record<string, { schema: AnswerSchema }>;
}

/** A JSON answer. */
export const json = (description: string, schema: AnswerSchema, headers?: Answer['headers']): Answer => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema } },
});

/** An error answer with an RFC 9457 body. */
export const problemAnswer = (description: string): Answer => ({
  description,
  content: { 'application/problem+json': { schema: problemSchema } },
});

/** A CSV download. */
export const csv = (description: string): Answer => ({
  description,
  headers: {
    'Content-Disposition': {
      description: 'An attachment with a dated file name.',
      schema: { type: 'string' },
    },
  },
  content: { 'text/csv': { schema: { type: 'string' } } },
});

/** The header of an answer that points at the grant it made. */
export const LOCATION = {
  Location: { description: 'The grant, `/v1/grants/{id}`.', schema: { type: 'string' } },
};

/** The header of an answer that holds a credential. */
export const NO_STORE = {
  'Cache-Control': { description: '`no-store`: the body holds a credential.', schema: { type: 'string' } },
};
