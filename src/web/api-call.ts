import type { FastifyInstance } from 'fastify';

/** One answer of the API, as the page reads it. */
export interface ApiAnswer<T = unknown> {
  status: number;
  body: T;
}

/** The members of an API problem (RFC 9457) the page explains. */
export interface ApiProblem {
  status: number;
  detail?: string;
  errors?: { field: string; rule: string }[];
  liveGrantId?: string;
  /** The incident that blocks the supplier, on a 409 about a block. */
  incidentId?: string;
}

/** The methods the page's forms lead to. */
export type ApiMethod = 'GET' | 'POST' | 'DELETE';

/**
 * Calls the API in-process (`app.inject`) with the signed-in person's token: roles, four eyes, validation and
 * errors are the API's own, written once; the page only shows them.
 */
export async function callApi<T = unknown>(
  app: FastifyInstance,
  token: string,
  method: ApiMethod,
  url: string,
  payload?: Record<string, unknown>,
): Promise<ApiAnswer<T>> {
  const response = await app.inject({
    method,
    url,
    headers: {
      authorization: `Bearer ${token}`,
      ...(payload ? { 'content-type': 'application/json' } : {}),
    },
    ...(payload ? { payload: JSON.stringify(payload) } : {}),
  });
  const type = String(response.headers['content-type'] ?? '');
  const body = (type.includes('json') ? response.json() : response.body) as T;
  return { status: response.statusCode, body };
}

/** Whether an answer is a success (2xx). */
export const succeeded = (answer: ApiAnswer) => answer.status >= 200 && answer.status < 300;
