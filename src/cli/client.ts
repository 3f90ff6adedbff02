import type { Problem } from './api-types.js';

/** The subset of the global `fetch` the client uses; tests may pass their own. */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** How long a call may take before the CLI gives up: creating or revoking waits for the directory. */
const DEFAULT_TIMEOUT_MS = 120_000;

/** A failure the CLI reports as one message and an exit code, without a stack trace. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

/** The API answered 4xx/5xx; `problem` is its RFC 9457 body, or one made up from the status line. */
export class ApiProblemError extends Error {
  override readonly name = 'ApiProblemError';
  constructor(readonly problem: Problem) {
    super(problem.detail);
  }
}

/** A successful answer: its status and body (parsed JSON when the API said JSON, else the text). */
export interface ApiAnswer {
  status: number;
  body: unknown;
}

/** One call: `query` values that are `undefined` are left out; `body` is sent as JSON when given. */
export interface ApiCall {
  query?: Record<string, string | number | undefined>;
  body?: unknown;
  accept?: string;
}

/** Where the API is, who is calling, and how; `timeoutMs` defaults to 120 s. */
export interface ApiClientOptions {
  /** The API's base URL, e.g. `http://127.0.0.1:8080` (a path prefix behind a proxy is kept). */
  apiUrl: string;
  token: string;
  fetch: FetchLike;
  timeoutMs?: number;
}

/**
 * A thin client of the HTTP API: it adds the bearer token, turns problem answers into {@link ApiProblemError}
 * and network failures into a {@link CliError} that names the URL, and never puts the token in a message.
 */
export class ApiClient {
  private readonly base: URL;

  constructor(private readonly options: ApiClientOptions) {
    this.base = parseApiUrl(options.apiUrl);
  }

  /** Sends one request; resolves with 1xx–3xx answers, rejects with the problem for 4xx/5xx. */
  async call(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    path: string,
    call: ApiCall = {},
  ): Promise<ApiAnswer> {
    const url = new URL(path.replace(/^\//, ''), this.base);
    for (const [key, value] of Object.entries(call.query ?? {}))
      if (value !== undefined) url.searchParams.set(key, String(value));
    const headers: Record<string, string> = {
      authorization: `Bearer ${this.options.token}`,
      accept: call.accept ?? 'application/json',
    };
    // Fastify refuses an empty body sent as JSON, so a body-less POST carries no content-type.
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    const response = await this.send(url, {
      method,
      headers,
      ...(call.body !== undefined ? { body: JSON.stringify(call.body) } : {}),
    });
    const text = await response.text();
    const body = parseBody(response.headers.get('content-type'), text);
    if (response.status >= 400) throw new ApiProblemError(toProblem(response, body, text));
    return { status: response.status, body };
  }

  private async send(url: URL, init: RequestInit): Promise<Response> {
    const timeoutMs = this.options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    try {
      return await this.options.fetch(url.toString(), { ...init, signal: AbortSignal.timeout(timeoutMs) });
    } catch (err) {
      throw new CliError(`cannot reach the API at ${this.options.apiUrl}: ${networkReason(err, timeoutMs)}`);
    }
  }
}

/** The base URL with a trailing slash, so relative paths resolve under any prefix it has. */
export function parseApiUrl(apiUrl: string): URL {
  let url: URL;
  try {
    url = new URL(apiUrl);
  } catch {
    throw new CliError(`the API URL "${apiUrl}" is not a URL (like http://127.0.0.1:8080)`, 2);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:')
    throw new CliError(`the API URL "${apiUrl}" must start with http:// or https://`, 2);
  if (!url.pathname.endsWith('/')) url.pathname += '/';
  return url;
}

function parseBody(contentType: string | null, text: string): unknown {
  if (!text || !/[/+]json\b/i.test(contentType ?? '')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

function toProblem(response: Response, body: unknown, text: string): Problem {
  if (typeof body === 'object' && body !== null && typeof (body as Problem).detail === 'string')
    return { ...(body as Problem), status: response.status };
  // Not a problem document (a proxy's error page, say): keep the status line and the start of the text.
  const excerpt = text.trim().split('\n')[0]?.slice(0, 200);
  const statusLine = `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ''}`;
  return {
    title: response.statusText || 'Error',
    status: response.status,
    detail: excerpt ? `${statusLine}: ${excerpt}` : statusLine,
  };
}

/** Node's fetch says only "fetch failed"; the useful part (ECONNREFUSED, ENOTFOUND…) is in its cause. */
function networkReason(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError'))
    return `no answer within ${Math.round(timeoutMs / 1000)} s`;
  const cause =
    err instanceof Error ? (err.cause as { code?: string; message?: string } | undefined) : undefined;
  if (cause?.message) return cause.message;
  if (cause?.code) return cause.code;
  return err instanceof Error ? err.message : String(err);
}
