import fastifyCookie from '@fastify/cookie';
import type { FastifyInstance } from 'fastify';
import type { ProviderName } from '../../domain/account.js';
import type { TokenAuthenticator } from '../api/auth.js';
import type { EncryptionCodec } from '../codec.js';
import { actionRoutes } from './action-routes.js';
import { LANGUAGE_COOKIE, type WebContext } from './context.js';
import { asLanguage } from './i18n/index.js';
import { tokenSessionIdentity, type IdentifyRequest } from './identity.js';
import { incidentRoutes } from './incident-routes.js';
import { pageRoutes } from './page-routes.js';
import { signInRoutes } from './sign-in-routes.js';
import { STYLE, STYLE_PATH } from './style.js';

/** What the web page needs from the service. */
export interface WebOptions {
  /** The payload codec: it seals the session cookie with the service's keys. */
  codec: EncryptionCodec;
  authenticator: TokenAuthenticator;
  providers: readonly ProviderName[];
  now?: (() => number) | undefined;
  /** Where people reach the page (`PUBLIC_URL`): when it is https, the session cookie is `Secure` whatever the proxy. */
  publicUrl?: string | undefined;
  /** How a request names its person; by default the API token kept in the sealed session cookie. */
  identify?: IdentifyRequest | undefined;
}

/**
 * No script, no inline style, forms only to this site, never in a frame: what the pages need and nothing more.
 */
export const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

const FORM_LIMIT_BYTES = 16 * 1024;

/**
 * The web page at `/`, served by the API process: server-rendered HTML whose every action is a form POST to this
 * site, answered by a redirect. Each handler calls the API in-process with the person's token.
 */
export async function webRoutes(app: FastifyInstance, options: WebOptions): Promise<void> {
  const now = options.now ?? Date.now;
  const ctx: WebContext = {
    api: app,
    identify: options.identify ?? tokenSessionIdentity(options.codec, options.authenticator, now),
    providers: options.providers,
    now,
  };
  // A context of its own: the cookie and form parsers, the headers and the HTML error page stay out of the API.
  await app.register(async (web) => {
    await web.register(fastifyCookie);
    web.addContentTypeParser(
      'application/x-www-form-urlencoded',
      { parseAs: 'string', bodyLimit: FORM_LIMIT_BYTES },
      (_request, body, done) => done(null, Object.fromEntries(new URLSearchParams(body as string))),
    );

    web.addHook('onRequest', async (request, reply) => {
      const chosen = asLanguage((request.query as Record<string, unknown> | undefined)?.lang);
      if (chosen)
        reply.setCookie(LANGUAGE_COOKIE, chosen, { path: '/', sameSite: 'lax', maxAge: 31_536_000 });
    });
    // After the API's own onSend hook (a parent's hooks run first): these replace its JSON-only policy.
    web.addHook('onSend', async (_request, reply) => {
      reply.header('content-security-policy', PAGE_CSP);
      reply.header('referrer-policy', 'same-origin');
      reply.header('x-content-type-options', 'nosniff');
    });

    web.get(STYLE_PATH, async (_request, reply) =>
      reply
        .type('text/css; charset=utf-8')
        .header('cache-control', 'public, max-age=31536000, immutable')
        .send(STYLE),
    );
    const httpsOnly = options.publicUrl?.startsWith('https:') ?? false;
    signInRoutes(web, ctx, { codec: options.codec, now, httpsOnly });
    pageRoutes(web, ctx);
    actionRoutes(web, ctx);
    incidentRoutes(web, ctx);
  });
}
