import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { can } from '../api/auth.js';
import type { IncidentDetail, OpenedIncident, Supplier } from '../cli/api-types.js';
import type { OpenDoors } from '../registry/open-doors.js';
import { actingIdentity, filled } from './action-routes.js';
import { succeeded } from './api-call.js';
import {
  apiAs,
  explain,
  formOf,
  messagesOf,
  pageContext,
  segment,
  signedIn,
  type WebContext,
} from './context.js';
import type { WebIdentity } from './identity.js';
import { LiftBlockPage, OpenedPage, ReportPage, type ReportForm } from './pages/incident-report.js';
import { IncidentPage } from './pages/incident.js';
import { ProblemPage } from './pages/problem.js';
import { instantOf } from './page-routes.js';
import type { ExplainedProblem } from './problems.js';
import { sendPage } from './render.js';

/** `2026-12-03T17:30`: a `datetime-local` field's value for an instant, in UTC as every time on the page. */
const localMinute = (at: number) => new Date(at).toISOString().slice(0, 16);

/** The refusal a person without the admin role sees instead of a form they cannot use. */
function forbidden(request: FastifyRequest, reply: FastifyReply, identity: WebIdentity) {
  const problem = { status: 403, message: messagesOf(request).problems.forbidden, fields: [] };
  return sendPage(reply, <ProblemPage ctx={pageContext(request, identity)} problem={problem} />, 403);
}

/** The supplier as the API answers it, or the page with the API's refusal (then null). */
async function supplierOr(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  identity: WebIdentity,
  id: string,
): Promise<Supplier | null> {
  const answer = await apiAs<Supplier>(ctx, identity, 'GET', `/v1/suppliers/${segment(id)}`);
  if (succeeded(answer)) return answer.body;
  const page = pageContext(request, identity);
  void sendPage(reply, <ProblemPage ctx={page} problem={explain(request, answer)} />, answer.status);
  return null;
}

/** The report's confirmation, with the doors that will close, the form as filled, and a refusal if any. */
async function renderReport(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  identity: WebIdentity,
  id: string,
  outcome: { form: ReportForm; problem?: ExplainedProblem | undefined },
) {
  const supplier = await supplierOr(ctx, request, reply, identity, id);
  if (!supplier) return reply;
  const doors = await apiAs<OpenDoors>(ctx, identity, 'GET', `/v1/doors?supplierId=${segment(supplier.id)}`);
  const held = succeeded(doors) ? doors.body.suppliers.flatMap((s) => s.doors) : [];
  const page = pageContext(request, identity);
  return sendPage(
    reply,
    <ReportPage ctx={page} supplier={supplier} doors={held} form={outcome.form} problem={outcome.problem} />,
    outcome.problem?.status ?? 200,
  );
}

/** The lift's confirmation, with a refusal if any. */
async function renderLift(
  ctx: WebContext,
  request: FastifyRequest,
  reply: FastifyReply,
  identity: WebIdentity,
  id: string,
  problem?: ExplainedProblem,
) {
  const supplier = await supplierOr(ctx, request, reply, identity, id);
  if (!supplier) return reply;
  const page = pageContext(request, identity);
  return sendPage(
    reply,
    <LiftBlockPage ctx={page} supplier={supplier} problem={problem} />,
    problem?.status ?? 200,
  );
}

/**
 * A breach reported from a supplier's page (admins): a confirmation that says what will happen, then the API's
 * answer with the doors closed and still closing; a block lifted through its own confirmation; the register entry.
 */
export function incidentRoutes(web: FastifyInstance, ctx: WebContext): void {
  web.get('/suppliers/:id/incident', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    if (!can(identity.actor, 'admin')) return forbidden(request, reply, identity);
    const { id } = request.params as { id: string };
    const form = { discoveredAt: localMinute(ctx.now()) };
    return renderReport(ctx, request, reply, identity, id, { form });
  });

  // Answered with the page itself, not a redirect: the API's answer (what closed before it) is shown once; a
  // reload sends the form again, and the API refuses a second incident for a blocked supplier (explained).
  web.post('/suppliers/:id/incident', async (request, reply) => {
    const identity = await actingIdentity(ctx, request, reply);
    if (!identity) return reply;
    const { id } = request.params as { id: string };
    const form = formOf(request) as ReportForm;
    const discoveredAt = filled(form.discoveredAt);
    const answer = await apiAs<OpenedIncident>(
      ctx,
      identity,
      'POST',
      `/v1/suppliers/${segment(id)}/incident`,
      {
        reason: form.reason ?? '',
        discoveredAt: discoveredAt && instantOf(discoveredAt),
      },
    );
    if (!succeeded(answer))
      return renderReport(ctx, request, reply, identity, id, { form, problem: explain(request, answer) });
    return sendPage(reply, <OpenedPage ctx={pageContext(request, identity)} opened={answer.body} />);
  });

  web.get('/suppliers/:id/block', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    if (!can(identity.actor, 'admin')) return forbidden(request, reply, identity);
    const { id } = request.params as { id: string };
    return renderLift(ctx, request, reply, identity, id);
  });

  web.post('/suppliers/:id/block', async (request, reply) => {
    const identity = await actingIdentity(ctx, request, reply);
    if (!identity) return reply;
    const { id } = request.params as { id: string };
    const answer = await apiAs(ctx, identity, 'DELETE', `/v1/suppliers/${segment(id)}/block`, {
      reason: formOf(request).reason ?? '',
    });
    if (succeeded(answer)) return reply.redirect(`/suppliers/${segment(id)}?done=unblocked`, 303);
    return renderLift(ctx, request, reply, identity, id, explain(request, answer));
  });

  web.get('/incidents/:id', async (request, reply) => {
    const identity = await signedIn(ctx, request, reply);
    if (!identity) return reply;
    const { id } = request.params as { id: string };
    const answer = await apiAs<IncidentDetail>(ctx, identity, 'GET', `/v1/incidents/${segment(id)}`);
    const page = pageContext(request, identity);
    if (!succeeded(answer))
      return sendPage(reply, <ProblemPage ctx={page} problem={explain(request, answer)} />, answer.status);
    return sendPage(reply, <IncidentPage ctx={page} detail={answer.body} />);
  });
}
