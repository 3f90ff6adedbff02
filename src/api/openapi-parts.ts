/**
 * Building blocks of the OpenAPI document (openapi.ts): zod → JSON Schema 2020-12, which OpenAPI 3.1 embeds
 * as it is (what needs care is the seam between zod's stand-alone schemas and one shared document), and the
 * shapes of operations and answers.
 */
import { z } from 'zod';
import type { Role } from '../../domain/actor.js';

/** A JSON Schema or any other plain JSON object of the document. */
export type JsonObject = Record<string, unknown>;

/** Where shared schemas live in the document. */
export const REF_PREFIX = '#/components/schemas/';

/** A reference to a component schema. */
export const ref = (id: string) => ({ $ref: `${REF_PREFIX}${id}` });

/** How `JsonSchemaConverter.query` documents the properties of a query schema. */
export interface QueryOptions {
  /** Per parameter, what it does. */
  descriptions: Record<string, string>;
  /** Comma-separated lists and the values their items may take. */
  lists?: Record<string, readonly string[]>;
  /** Parameters the operation accepts but ignores. */
  omit?: string[];
}

/** A comma-separated list; a limit on the raw string's length is kept in words: no keyword can say it. */
function listParameter(values: readonly string[], input: JsonObject, description = ''): JsonObject {
  const limit = typeof input.maxLength === 'number' ? ` At most ${input.maxLength} characters in all.` : '';
  return {
    description: `${description} Comma-separated.${limit}`.trim(),
    style: 'form',
    explode: false,
    schema: { type: 'array', minItems: 1, items: { type: 'string', enum: [...values] } },
  };
}

/**
 * Converts zod schemas for one document. Request schemas are generated from their input side: what a client
 * sends, before any transform runs. Refinements (`superRefine`, `refine`) are code, not JSON Schema: the
 * document states them in words where the operation is described.
 */
export class JsonSchemaConverter {
  /** `$defs` met while converting, moved to `components.schemas` so their `$ref`s resolve in the document. */
  readonly defs: JsonObject = {};

  /** The input side of a request schema, ready to embed. */
  input(schema: z.ZodType): JsonObject {
    return this.embed(
      z.toJSONSchema(schema, { io: 'input', target: 'draft-2020-12', unrepresentable: 'any' }),
    ) as JsonObject;
  }

  /** A JSON request body; optional when the schema also accepts no body at all. */
  body(schema: z.ZodType, extra: JsonObject = {}, example?: unknown): JsonObject {
    return {
      required: !schema.safeParse(undefined).success,
      content: {
        'application/json': {
          schema: { ...this.input(schema), ...extra },
          ...(example === undefined ? {} : { example }),
        },
      },
    };
  }

  /**
   * Query parameters, one per property of the object schema. `lists` names the comma-separated lists
   * (`status=active,expired`) and their allowed values: a transform splits them in code, so their input
   * side is a plain string. They are OpenAPI's `form` style without `explode`, documented as arrays of those
   * values so that tools and readers see what is allowed.
   */
  query(schema: z.ZodObject, options: QueryOptions): JsonObject[] {
    return Object.entries(schema.shape as Record<string, z.ZodType>)
      .filter(([name]) => !options.omit?.includes(name))
      .map(([name, property]) => {
        const input = this.input(property);
        const values = options.lists?.[name];
        const description = options.descriptions[name];
        return {
          name,
          in: 'query',
          required: !property.safeParse(undefined).success,
          ...(values ? listParameter(values, input, description) : { description, schema: input }),
        };
      });
  }

  /** A path parameter that the schema validates. */
  path(name: string, schema: z.ZodType, description: string): JsonObject {
    return { name, in: 'path', required: true, description, schema: this.input(schema) };
  }

  /**
   * Copies a generated schema for embedding: `$schema` and `$id` belong to stand-alone schemas, not to a
   * document, and `#/$defs/…` would resolve against the document root, where there is no `$defs`.
   */
  embed(schema: unknown): unknown {
    if (Array.isArray(schema)) return schema.map((item) => this.embed(item));
    if (typeof schema !== 'object' || schema === null) return schema;
    const out: JsonObject = {};
    for (const [key, value] of Object.entries(schema)) {
      if (key === '$schema' || key === '$id') continue;
      if (key === '$defs') {
        for (const [name, def] of Object.entries(value as JsonObject)) this.define(name, this.embed(def));
      } else if (key === '$ref' && typeof value === 'string') {
        out.$ref = value.replace(/^#\/\$defs\//, REF_PREFIX);
      } else out[key] = this.embed(value);
    }
    return out;
  }

  private define(name: string, schema: unknown): void {
    // Two request schemas may share a named part; two different parts under one name would be a silent bug.
    if (name in this.defs && JSON.stringify(this.defs[name]) !== JSON.stringify(schema))
      throw new Error(`two different schemas are both named ${name}`);
    this.defs[name] = schema;
  }
}

/**
 * The response schemas as `components.schemas`, each named by the `id` of its `.meta()`; schemas nested in
 * one another become `$ref`s. Response objects are left open (no `additionalProperties: false`): a later
 * version may add fields, and clients must ignore what they do not know.
 */
export function componentSchemas(components: readonly z.ZodType[]): JsonObject {
  const registry = z.registry<{ id: string }>();
  for (const schema of components) {
    const id = (z.globalRegistry.get(schema) as { id?: unknown } | undefined)?.id;
    if (typeof id !== 'string') throw new Error('every component schema needs an id in .meta()');
    registry.add(schema, { id });
  }
  const { schemas } = z.toJSONSchema(registry, {
    target: 'draft-2020-12',
    uri: (id) => `${REF_PREFIX}${id}`,
    unrepresentable: 'any',
    override: ({ jsonSchema }) => {
      if (jsonSchema.additionalProperties === false) delete jsonSchema.additionalProperties;
    },
  });
  // `__shared` would hold schemas with an id that is not in the list: their refs could not resolve.
  if ('__shared' in schemas) throw new Error('a schema with an id in .meta() is missing from the components');
  return new JsonSchemaConverter().embed(schemas) as JsonObject;
}

/** One operation of the API. */
export interface OperationSpec {
  method: 'get' | 'post';
  /** In OpenAPI form: `{id}`, not `:id`. */
  path: string;
  operationId: string;
  tag: 'grants' | 'registry' | 'reviews' | 'codec' | 'health';
  summary: string;
  description: string;
  /** DESIGN.md's role column; absent for public operations. */
  role?: Role;
  /** Works on one grant, `{id}` in the path: 400 when it is malformed, 404 when unknown. */
  grantId?: boolean;
  query?: JsonObject[];
  body?: JsonObject;
  /** The answers particular to this operation. */
  responses: Record<number, JsonObject>;
}

/** A JSON answer whose body is a component schema. */
export const json = (description: string, id: string, headers?: JsonObject): JsonObject => ({
  description,
  ...(headers ? { headers } : {}),
  content: { 'application/json': { schema: ref(id) } },
});

/** An error answer with an RFC 9457 body. */
export const problem = (description: string): JsonObject => ({
  description,
  content: { 'application/problem+json': { schema: ref('Problem') } },
});

/** A CSV download. */
export const csv = (description: string): JsonObject => ({
  description,
  headers: {
    'Content-Disposition': {
      description: 'An attachment with a dated file name.',
      schema: { type: 'string' },
    },
  },
  content: { 'text/csv': { schema: { type: 'string' } } },
});
