import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ProviderName } from '../../domain/account.js';
import { callApi, type ApiAnswer, type ApiMethod, type ApiProblem } from './api-call.js';
import { asLanguage, CATALOGUES, fromAcceptLanguage, type Language, type Messages } from './i18n/index.js';
import type { IdentifyRequest, WebIdentity } from './identity.js';
import type { PageContext } from './pages/layout.js';
import { explainProblem, type ExplainedProblem } from './problems.js';
import { csrfMatches } from './session.js';

/** The cookie that remembers the language chosen with `?lang=`. */
export const LANGUAGE_COOKIE = 'sa_lang';

/** What the page's routes share. */
export interface WebContext {
  /** The API itself (the root instance), called in-process. */
  api: FastifyInstance;
  identify: IdentifyRequest;
  providers: readonly ProviderName[];
  /** The clock, for a form's default time. */
  now: () => number;
}

/** The page's language: `?lang=` first, then the remembered choice, then the browser's preference. */
export function languageOf(request: FastifyRequest): Language {
  const query = request.query as Record<string, unknown> | undefined;
  return (
    asLanguage(query?.lang) ??
    asLanguage(request.cookies[LANGUAGE_COOKIE]) ??
    fromAcceptLanguage(request.headers['accept-language'])
  );
}

export function messagesOf(request: FastifyRequest): Messages {
  return CATALOGUES[languageOf(request)];
}

/** The context every page renders with. */
export function pageContext(request: FastifyRequest, identity?: WebIdentity | null): PageContext {
  return { m: messagesOf(request), path: request.url, actor: identity?.actor, csrf: identity?.csrf };
}

/** An API answer's problem, explained in the request's language. */
export function explain(request: FastifyRequest, answer: ApiAnswer): ExplainedProblem {
  const body = (typeof answer.body === 'object' && answer.body ? answer.body : {}) as Partial<ApiProblem>;
  return explainProblem(messagesOf(request), { ...body, status: answer.status });
}

/** The signed-in person, or null after sending them to the sign-in page. */
export async function signedIn(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<WebIdentity | null> {
  const identity = await ctx.identify(request);
  if (!identity) void reply.redirect('/sign-in', 303);
  return identity;
}

/**
 * Whether a request comes from a page of this site: the browser's `Origin`, when it sends one, names our host.
 * Host names only: behind a proxy that ends TLS the scheme and port the browser used are not the ones this process
 * sees. (The CSRF token is what ties a form to its session; this refuses other sites before it is even read.)
 */
export function fromOurSite(request: FastifyRequest): boolean {
  const origin = request.headers.origin;
  if (!origin) return true;
  try {
    return new URL(origin).hostname === request.hostname;
  } catch {
    return false;
  }
}

/** Whether a form POST may act: it comes from this site and carries the session's CSRF token. */
export function formIsOurs(request: FastifyRequest, identity: WebIdentity): boolean {
  return fromOurSite(request) && csrfMatches(identity, formOf(request).csrf);
}

/** The fields of a form POST, as strings (absent ones undefined). */
export function formOf(request: FastifyRequest): Record<string, string | undefined> {
  const body = request.body;
  return typeof body === 'object' && body ? (body as Record<string, string | undefined>) : {};
}

/** A call to the API as the signed-in person. */
export function apiAs<T>(
  ctx: WebContext,
  identity: WebIdentity,
  method: ApiMethod,
  url: string,
  payload?: Record<string, unknown>,
): Promise<ApiAnswer<T>> {
  return callApi<T>(ctx.api, identity.token, method, url, payload);
}

/** A path segment from a person's input, so it can never leave its place in the API's path. */
export const segment = (value: string) => encodeURIComponent(value);
