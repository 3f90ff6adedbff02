import type { Grant } from '../../cli/api-types.js';
import type { ExplainedProblem } from '../problems.js';
import { DecisionForms } from './grant.js';
import { Layout, ProblemBox, when, type PageContext } from './layout.js';

/** Extensions waiting for a decision, each with its approve and reject forms. */
export function PendingPage(props: {
  ctx: PageContext;
  grants: Grant[];
  canDecide: boolean;
  problem?: ExplainedProblem | undefined;
}) {
  const { ctx, grants } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.pending.title}>
      {props.problem && <ProblemBox problem={props.problem} ctx={ctx} />}
      {grants.length === 0 && <p>{m.pending.none}</p>}
      {grants.length > 0 && (
        <table>
          <thead>
            <tr>
              <th scope="col">{m.grant.supplier}</th>
              <th scope="col">{m.grant.account}</th>
              <th scope="col">{m.grant.expiresAt}</th>
              <th scope="col">{m.pending.asked}</th>
              <th scope="col">{m.pending.by}</th>
              <th scope="col">{m.pending.why}</th>
              {props.canDecide && <th scope="col">{m.pending.decide}</th>}
            </tr>
          </thead>
          <tbody>
            {grants.map((g) => (
              <tr>
                <td>
                  <a href={`/grants/${g.id}`}>{g.supplier.organisation}</a>
                </td>
                <td>{g.account.username}</td>
                <td>{when(g.expiresAt)}</td>
                <td>{when(g.pendingExtension?.expiresAt)}</td>
                <td>{g.pendingExtension?.requestedBy}</td>
                <td>{g.pendingExtension?.reason}</td>
                {props.canDecide && (
                  <td>
                    <DecisionForms ctx={ctx} grantId={g.id} org={g.supplier.organisation} />
                  </td>
                )}
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}
