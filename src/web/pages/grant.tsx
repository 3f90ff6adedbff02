import { LIVE_STATUSES } from '../../../domain/status.js';
import type { Grant } from '../../cli/api-types.js';
import type { ExplainedProblem } from '../problems.js';
import { Csrf, DoneBox, Layout, ProblemBox, when, type PageContext } from './layout.js';

/** What the signed-in person may do here; the API decides in the end, the page only hides what cannot work. */
export interface GrantActions {
  extend: boolean;
  decide: boolean;
  revoke: boolean;
}

/** One grant: its facts, its event trail, and the forms that change it. */
export function GrantPage(props: {
  ctx: PageContext;
  grant: Grant;
  actions: GrantActions;
  done?: string | undefined;
  problem?: ExplainedProblem | undefined;
}) {
  const { ctx, grant, actions } = props;
  const { m } = ctx;
  const live = LIVE_STATUSES.includes(grant.status);
  const pending = grant.pendingExtension;
  return (
    <Layout ctx={ctx} title={m.grant.title(grant.supplier.organisation)}>
      <DoneBox text={props.done} />
      {props.problem && <ProblemBox problem={props.problem} ctx={ctx} />}
      <GrantDetails ctx={ctx} grant={grant} />
      {pending && <p>{m.grant.pending(when(pending.expiresAt), pending.requestedBy)}</p>}
      {pending && actions.decide && (
        <DecisionForms ctx={ctx} grantId={grant.id} org={grant.supplier.organisation} />
      )}
      {live && !pending && actions.extend && <ExtendForm ctx={ctx} grantId={grant.id} />}
      {live && actions.revoke && <RevokeForm ctx={ctx} grantId={grant.id} />}
      <EventTrail ctx={ctx} grant={grant} />
    </Layout>
  );
}

function GrantDetails({ ctx, grant }: { ctx: PageContext; grant: Grant }) {
  const { m } = ctx;
  return (
    <>
      <h2>{m.grant.details}</h2>
      <dl>
        <dt>{m.grant.id}</dt>
        <dd>{grant.id}</dd>
        <dt>{m.grant.supplier}</dt>
        <dd>
          {grant.supplierId ? (
            <a href={`/suppliers/${grant.supplierId}`}>{grant.supplier.organisation}</a>
          ) : (
            grant.supplier.organisation
          )}
        </dd>
        <dt>{m.grant.provider}</dt>
        <dd>{grant.provider}</dd>
        <dt>{m.grant.account}</dt>
        <dd>{grant.account.username}</dd>
        <dt>{m.grant.status}</dt>
        <dd>{m.statuses[grant.status] ?? grant.status}</dd>
        <dt>{m.grant.expiresAt}</dt>
        <dd>{when(grant.expiresAt)}</dd>
        <dt>{m.grant.reason}</dt>
        <dd>{grant.reason}</dd>
        {grant.ticket && (
          <>
            <dt>{m.grant.ticket}</dt>
            <dd>{grant.ticket}</dd>
          </>
        )}
        <dt>{m.grant.requestedBy}</dt>
        <dd>{grant.requestedBy}</dd>
        <dt>{m.grant.createdAt}</dt>
        <dd>{when(grant.createdAt)}</dd>
      </dl>
    </>
  );
}

function ExtendForm({ ctx, grantId }: { ctx: PageContext; grantId: string }) {
  const { m } = ctx;
  return (
    <section>
      <h2>{m.grant.extend}</h2>
      <form method="post" action={`/grants/${grantId}/extensions`}>
        <Csrf ctx={ctx} />
        <label for="expiresOn">{m.grant.newExpiry}</label>
        <input id="expiresOn" name="expiresOn" type="date" />
        <label for="extendReason">{m.reasonRequired}</label>
        <input id="extendReason" name="reason" type="text" />
        <div>
          <button type="submit">{m.grant.extendSubmit}</button>
        </div>
      </form>
    </section>
  );
}

function RevokeForm({ ctx, grantId }: { ctx: PageContext; grantId: string }) {
  const { m } = ctx;
  return (
    <section>
      <h2>{m.grant.revoke}</h2>
      <p>{m.grant.revokeHelp}</p>
      <form method="post" action={`/grants/${grantId}/revoke`}>
        <Csrf ctx={ctx} />
        <label for="revokeReason">{m.reasonRequired}</label>
        <input id="revokeReason" name="reason" type="text" />
        <div>
          <button type="submit" class="danger">
            {m.grant.revokeSubmit}
          </button>
        </div>
      </form>
    </section>
  );
}

function EventTrail({ ctx, grant }: { ctx: PageContext; grant: Grant }) {
  const { m } = ctx;
  return (
    <>
      <h2>{m.grant.events}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{m.grant.at}</th>
            <th scope="col">{m.grant.event}</th>
            <th scope="col">{m.grant.actor}</th>
          </tr>
        </thead>
        <tbody>
          {(grant.events ?? []).map((e) => (
            <tr>
              <td>{when(e.at)}</td>
              <td>{m.events[e.type] ?? e.type}</td>
              <td>{e.actor}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}

/** Approve, or reject with a reason; used on the grant's page and in the list of pending extensions. */
export function DecisionForms(props: { ctx: PageContext; grantId: string; org: string }) {
  const { ctx, grantId } = props;
  const { m } = ctx;
  const reasonId = `reject-${grantId}`;
  return (
    <div>
      <form method="post" action={`/grants/${grantId}/extensions/approve`}>
        <Csrf ctx={ctx} />
        <button type="submit">{m.grant.approve}</button>
      </form>
      <form method="post" action={`/grants/${grantId}/extensions/reject`}>
        <Csrf ctx={ctx} />
        <label for={reasonId}>{m.pending.rejectReason(props.org)}</label>
        <input id={reasonId} name="reason" type="text" />
        <div>
          <button type="submit" class="danger">
            {m.grant.reject}
          </button>
        </div>
      </form>
    </div>
  );
}
