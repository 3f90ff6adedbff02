import type { FastifyReply } from 'fastify';
import type { ZodError, z } from 'zod';

/** One failing field of a request and the rule it broke. */
export interface FieldError {
  field: string;
  rule: string;
}

/**
 * Thrown by route handlers to answer with an RFC 9457 problem: a status, a clear detail, and for validation
 * the failing fields. The error handler turns it into `application/problem+json`.
 */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  constructor(
    readonly status: number,
    readonly title: string,
    readonly detail: string,
    readonly extra: Record<string, unknown> = {},
  ) {
    super(detail);
  }
}

const TITLES: Record<number, string> = {
  400: 'Invalid request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  415: 'Unsupported media type',
  429: 'Too many requests',
  500: 'Internal error',
  502: 'Provider refused',
  503: 'Unavailable',
};

export function problem(status: number, detail: string, extra: Record<string, unknown> = {}): HttpProblem {
  return new HttpProblem(status, TITLES[status] ?? 'Error', detail, extra);
}

/** A 400 naming every field that broke a rule; `extra`: further members of the problem. */
export function invalid(errors: FieldError[], extra: Record<string, unknown> = {}): HttpProblem {
  const detail = errors.map((e) => `${e.field}: ${e.rule}`).join('; ');
  return new HttpProblem(400, 'Invalid request', detail, { ...extra, errors });
}

export function fromZod(error: ZodError, root = 'body'): HttpProblem {
  return invalid(
    error.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const where = path ? `${path}.` : '';
        return { field: `${where}${issue.keys.join(`, ${where}`)}`, rule: 'unknown field' };
      }
      return { field: path || root, rule: issue.message };
    }),
  );
}

export function sendProblem(reply: FastifyReply, p: HttpProblem): FastifyReply {
  return (
    reply
      .code(p.status)
      .type('application/problem+json')
      // The standard members come last: an extension member can never replace them.
      .send({ ...p.extra, type: 'about:blank', title: p.title, status: p.status, detail: p.detail })
  );
}

/**
 * The rule an absent field broke, whatever its schema says of a present value: schemas whose own message is
 * meant for present values give it through `ruleForPresent`, which leaves absent ones to this.
 */
const requiredWhenAbsent = (issue: { input?: unknown }) =>
  issue.input === undefined ? 'is required' : undefined;

/** A schema's `error` for a present value that breaks its rule; an absent value is named as required. */
export const ruleForPresent = (rule: string) => (issue: { input?: unknown }) =>
  issue.input === undefined ? undefined : rule;

/** The value as `schema` reads it, or a 400 naming each failing field (under `root` when the value itself fails). */
export function parseOrInvalid<S extends z.ZodType>(schema: S, value: unknown, root = 'body'): z.output<S> {
  const result = schema.safeParse(value, { error: requiredWhenAbsent });
  if (!result.success) throw fromZod(result.error, root);
  return result.data;
}
