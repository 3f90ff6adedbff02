import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { ReviewReport } from '../../domain/review.js';
import { can } from '../api/auth.js';
import type { Grant, GrantPage as GrantListing, SupplierWithGrants } from '../cli/api-types.js';
import type { OpenDoors } from '../registry/open-doors.js';
import { succeeded } from './api-call.js';
import { apiAs, explain, messagesOf, pageContext, segment, signedIn, type WebContext } from './context.js';
import type { WebIdentity } from './identity.js';
import { DoorsPage } from './pages/doors.js';
import { GrantPage } from './pages/grant.js';
import { PendingPage } from './pages/pending.js';
import { ProblemPage } from './pages/problem.js';
import { ReviewPage } from './pages/review.js';
import { SupplierPage } from './pages/supplier.js';
import type { ExplainedProblem } from './problems.js';
import { sendPage } from './render.js';

/** `datetime-local` gives `2026-12-03T17:30`; the API wants an instant: the page's times are UTC. */
export function instantOf(local: string): string {
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/.test(local) ? `${local}:00Z` : local;
}

/**
 * The grant's page, with a confirmation (`done`) or a refusal (`problem`, answered with the API's status):
 * the actions shown are those the person's roles allow.
 */
export async function renderGrant(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  identity: WebIdentity,
  id: string,
  outcome: { done?: string | undefined; problem?: ExplainedProblem | undefined } = {},
) {
  const page = pageContext(request, identity);
  const answer = await apiAs<Grant>(ctx, identity, 'GET', `/v1/grants/${segment(id)}`);
  if (!succeeded(answer))
    return sendPage(reply, <ProblemPage ctx={page} problem={explain(request, answer)} />, answer.status);
  const { actor } = identity;
  const actions = {
    extend: can(actor, 'request'),
    decide: can(actor, 'approve'),
    revoke: can(actor, 'admin'),
  };
  return sendPage(
    reply,
    <GrantPage
      ctx={page}
      grant={answer.body}
      actions={actions}
      done={outcome.done}
      problem={outcome.problem}
    />,
    outcome.problem?.status ?? 200,
  );
}

/** The pages that read: open doors, a supplier, a grant, pending extensions, the latest review. */
export function pageRoutes(web: FastifyInstance, ctx: WebContext): void {
  web.get('/', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    const { activeAt, supplierId } = request.query as Record<string, string | undefined>;
    const query = new URLSearchParams();
    if (activeAt) query.set('activeAt', instantOf(activeAt));
    if (supplierId) query.set('supplierId', supplierId.trim());
    const answer = await apiAs<OpenDoors>(ctx, identity, 'GET', `/v1/doors?${query}`);
    const filters = { activeAt, supplierId };
    const page = pageContext(request, identity);
    if (!succeeded(answer))
      return sendPage(
        reply,
        <DoorsPage ctx={page} filters={filters} problem={explain(request, answer)} />,
        answer.status,
      );
    return sendPage(reply, <DoorsPage ctx={page} filters={filters} doors={answer.body} />);
  });

  web.get('/grants/:id', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    const { done } = request.query as Record<string, string | undefined>;
    const { id } = request.params as { id: string };
    return renderGrant(ctx, request, reply, identity, id, {
      done: done ? messagesOf(request).grant.done[done] : undefined,
    });
  });

  web.get('/suppliers/:id', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    const { id } = request.params as { id: string };
    const { done } = request.query as Record<string, string | undefined>;
    const answer = await apiAs<SupplierWithGrants>(ctx, identity, 'GET', `/v1/suppliers/${segment(id)}`);
    const page = pageContext(request, identity);
    if (!succeeded(answer))
      return sendPage(reply, <ProblemPage ctx={page} problem={explain(request, answer)} />, answer.status);
    const actions = { admin: can(identity.actor, 'admin'), audit: can(identity.actor, 'audit') };
    return sendPage(
      reply,
      <SupplierPage
        ctx={page}
        supplier={answer.body}
        actions={actions}
        done={done ? messagesOf(request).supplier.done[done] : undefined}
      />,
    );
  });

  web.get('/extensions', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    const answer = await apiAs<GrantListing>(
      ctx,
      identity,
      'GET',
      '/v1/grants?status=extension-requested&limit=500',
    );
    const page = pageContext(request, identity);
    const canDecide = can(identity.actor, 'approve');
    if (!succeeded(answer))
      return sendPage(
        reply,
        <PendingPage ctx={page} grants={[]} canDecide={canDecide} problem={explain(request, answer)} />,
        answer.status,
      );
    return sendPage(reply, <PendingPage ctx={page} grants={answer.body.grants} canDecide={canDecide} />);
  });

  web.get('/review', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    const answer = await apiAs<ReviewReport>(ctx, identity, 'GET', '/v1/reviews/latest');
    const page = pageContext(request, identity);
    if (answer.status === 404) return sendPage(reply, <ReviewPage ctx={page} review={null} />);
    if (!succeeded(answer))
      return sendPage(reply, <ProblemPage ctx={page} problem={explain(request, answer)} />, answer.status);
    return sendPage(reply, <ReviewPage ctx={page} review={answer.body} />);
  });
}
