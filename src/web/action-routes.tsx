import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { GrantWithCredential } from '../cli/api-types.js';
import { succeeded } from './api-call.js';
import {
  apiAs,
  explain,
  formIsOurs,
  formOf,
  messagesOf,
  pageContext,
  segment,
  type WebContext,
} from './context.js';
import type { WebIdentity } from './identity.js';
import { CredentialPage, NewGrantPage, type GrantForm } from './pages/new-grant.js';
import { ProblemPage } from './pages/problem.js';
import { renderGrant } from './page-routes.js';
import { sendPage } from './render.js';

/** The person behind a form POST that may act; otherwise the answer is sent (sign-in, or a 403 page). */
export async function actingIdentity(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
): Promise<WebIdentity | null> {
  const identity = await ctx.identify(request);
  if (!identity) {
    void reply.redirect('/sign-in', 303);
    return null;
  }
  if (!formIsOurs(request, identity)) {
    const m = messagesOf(request);
    const problem = { status: 403, message: m.problems.csrf, fields: [] };
    void sendPage(reply, <ProblemPage ctx={pageContext(request, identity)} problem={problem} />, 403);
    return null;
  }
  return identity;
}

/** Only the fields a person filled in: an empty optional field is absent, as the API expects. */
export const filled = (value: string | undefined) => (value?.trim() ? value.trim() : undefined);

/** The form as the API's body: a whole number of days is sent as a number, anything else as typed (and refused). */
function grantBody(form: GrantForm): Record<string, unknown> {
  const days = filled(form.durationDays);
  return {
    provider: form.provider,
    supplier: { organisation: form.organisation ?? '', contactEmail: filled(form.contactEmail) },
    durationDays: days && /^\d+$/.test(days) ? Number(days) : days,
    reason: form.reason ?? '',
    ticket: filled(form.ticket),
  };
}

/** The forms that act: a new grant, and a grant's extension, decision and revocation. Each POST redirects. */
export function actionRoutes(web: FastifyInstance, ctx: WebContext): void {
  web.get('/grants/new', async (request, reply) => {
    const identity = await ctx.identify(request);
    if (!identity) return reply.redirect('/sign-in', 303);
    const page = pageContext(request, identity);
    return sendPage(reply, <NewGrantPage ctx={page} providers={ctx.providers} form={{}} />);
  });

  // The answer to this POST is the only page that ever shows the one-time password: not stored, no redirect.
  web.post('/grants', async (request, reply) => {
    const identity = await actingIdentity(ctx, request, reply);
    if (!identity) return reply;
    const form = formOf(request) as GrantForm;
    const answer = await apiAs<GrantWithCredential>(ctx, identity, 'POST', '/v1/grants', grantBody(form));
    const page = pageContext(request, identity);
    if (!succeeded(answer)) {
      const problem = explain(request, answer);
      const view = <NewGrantPage ctx={page} providers={ctx.providers} form={form} problem={problem} />;
      return sendPage(reply, view, answer.status);
    }
    return sendPage(
      reply,
      <CredentialPage ctx={page} created={answer.body} provisioning={answer.status === 202} />,
    );
  });

  /** A change of one grant: on success back to its page with a confirmation, else its page with the refusal. */
  const change = (
    path: string,
    done: string,
    body: (form: Record<string, string | undefined>) => object | undefined,
  ) =>
    web.post(`/grants/:id/${path}`, async (request, reply) => {
      const identity = await actingIdentity(ctx, request, reply);
      if (!identity) return reply;
      const { id } = request.params as { id: string };
      const payload = body(formOf(request)) as Record<string, unknown> | undefined;
      const answer = await apiAs(ctx, identity, 'POST', `/v1/grants/${segment(id)}/${path}`, payload);
      // A revoke answered 202 is recorded, and the door closes once the directory answers: the page says so.
      const said = path === 'revoke' && answer.status === 202 ? 'revokeQueued' : done;
      if (succeeded(answer)) return reply.redirect(`/grants/${segment(id)}?done=${said}`, 303);
      return renderGrant(ctx, request, reply, identity, id, { problem: explain(request, answer) });
    });

  change('extensions', 'requested', (form) => {
    const day = filled(form.expiresOn);
    // A date input gives a day; the extension runs to its end, in UTC as every time on the page.
    const expiresAt = day && /^\d{4}-\d{2}-\d{2}$/.test(day) ? `${day}T23:59:00Z` : day;
    return { expiresAt, reason: form.reason ?? '' };
  });
  change('extensions/approve', 'approved', () => undefined);
  change('extensions/reject', 'rejected', (form) => ({ reason: form.reason ?? '' }));
  change('revoke', 'revoked', (form) => ({ reason: form.reason ?? '' }));
}
