import type { FastifyInstance } from 'fastify';
import type { EncryptionCodec } from '../codec.js';
import { callApi, succeeded } from './api-call.js';
import { explain, formOf, fromOurSite, pageContext, type WebContext } from './context.js';
import { SignInPage } from './pages/sign-in.js';
import { sendPage } from './render.js';
import { csrfMatches, endSession, startSession } from './session.js';

/** `GET/POST /sign-in` and `POST /sign-out`. */
export function signInRoutes(
  web: FastifyInstance,
  ctx: WebContext,
  options: { codec: EncryptionCodec; now: () => number; httpsOnly: boolean },
): void {
  web.get('/sign-in', async (request, reply) => {
    const signedOut = (request.query as Record<string, unknown>).signedOut === '1';
    return sendPage(reply, <SignInPage ctx={pageContext(request)} signedOut={signedOut} />);
  });

  web.post('/sign-in', async (request, reply) => {
    // Another site may not sign a browser in (with its own token) behind the person's back.
    if (!fromOurSite(request)) return reply.redirect('/sign-in', 303);
    const token = (formOf(request).token ?? '').trim();
    // The API says whether the token is good: every role may read the open doors.
    const answer = await callApi(ctx.api, token, 'GET', '/v1/doors');
    if (!succeeded(answer)) {
      const problem = explain(request, answer.status === 401 ? answer : { ...answer, status: 401 });
      return sendPage(reply, <SignInPage ctx={pageContext(request)} problem={problem} />, 401);
    }
    await startSession(options.codec, request, reply, token, options.now(), options.httpsOnly);
    return reply.redirect('/', 303);
  });

  web.post('/sign-out', async (request, reply) => {
    const identity = await ctx.identify(request);
    // A sign-out another site forged would only be a nuisance; it is refused all the same.
    if (identity && !csrfMatches(identity, formOf(request).csrf)) return reply.redirect('/', 303);
    endSession(request, reply, options.httpsOnly);
    return reply.redirect('/sign-in?signedOut=1', 303);
  });
}
