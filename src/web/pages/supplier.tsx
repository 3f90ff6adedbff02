import type { SupplierWithGrants } from '../../cli/api-types.js';
import { DoneBox, Layout, when, type PageContext } from './layout.js';

/** What the signed-in person may do about a supplier's incidents; the API decides in the end. */
export interface SupplierActions {
  /** Report a breach, or lift a block (admins). */
  admin: boolean;
  /** Read the register entry a block names (auditors and admins). */
  audit: boolean;
}

/** A supplier: who they are, who vouches for them, its block if an incident holds it, and every grant they had. */
export function SupplierPage(props: {
  ctx: PageContext;
  supplier: SupplierWithGrants;
  actions: SupplierActions;
  done?: string | undefined;
}) {
  const { ctx, supplier, actions } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.supplier.title(supplier.legalName)}>
      <DoneBox text={props.done} />
      {supplier.block && <BlockSection ctx={ctx} supplier={supplier} actions={actions} />}
      <dl>
        <dt>{m.supplier.legalName}</dt>
        <dd>{supplier.legalName}</dd>
        <dt>{m.supplier.contacts}</dt>
        <dd>{supplier.contactEmails.join(', ') || m.supplier.none}</dd>
        <dt>{m.supplier.sponsor}</dt>
        <dd>{supplier.sponsor ? supplier.sponsor.name : m.supplier.none}</dd>
        <dt>{m.supplier.contractEnd}</dt>
        <dd>{supplier.contractEnd ? when(supplier.contractEnd) : m.supplier.none}</dd>
      </dl>
      {!supplier.block && actions.admin && (
        <section>
          <h2>{m.incident.report}</h2>
          <p>{m.incident.reportHelp}</p>
          {/* A GET: the button only leads to the confirmation, which says what will happen before anything does. */}
          <form method="get" action={`/suppliers/${supplier.id}/incident`}>
            <button type="submit" class="danger">
              {m.incident.report}
            </button>
          </form>
        </section>
      )}
      <h2>{m.supplier.grants}</h2>
      {supplier.grants.length === 0 ? (
        <p>{m.supplier.noGrants}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{m.grant.account}</th>
              <th scope="col">{m.grant.provider}</th>
              <th scope="col">{m.grant.status}</th>
              <th scope="col">{m.grant.expiresAt}</th>
              <th scope="col">{m.grant.requestedBy}</th>
            </tr>
          </thead>
          <tbody>
            {supplier.grants.map((g) => (
              <tr>
                <td>
                  <a href={`/grants/${g.id}`}>{g.account.username}</a>
                </td>
                <td>{g.provider}</td>
                <td>{m.statuses[g.status] ?? g.status}</td>
                <td>{when(g.expiresAt)}</td>
                <td>{g.requestedBy}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </Layout>
  );
}

/** The incident's block: which incident, since when, by whom; for an admin, the way to lift it. */
function BlockSection(props: { ctx: PageContext; supplier: SupplierWithGrants; actions: SupplierActions }) {
  const { ctx, supplier, actions } = props;
  const { m } = ctx;
  const block = supplier.block!;
  return (
    <section class="problem">
      <h2>{m.supplier.blocked}</h2>
      <p>{m.supplier.blockedHelp}</p>
      <dl>
        <dt>{m.supplier.blockIncident}</dt>
        <dd>
          {actions.audit ? (
            <a href={`/incidents/${block.incidentId}`}>{m.incident.entryLink}</a>
          ) : (
            block.incidentId
          )}
        </dd>
        <dt>{m.supplier.blockSince}</dt>
        <dd>{when(block.since)}</dd>
        <dt>{m.supplier.blockBy}</dt>
        <dd>{block.by}</dd>
      </dl>
      {actions.admin && (
        <form method="get" action={`/suppliers/${supplier.id}/block`}>
          <button type="submit">{m.block.lift}</button>
        </form>
      )}
    </section>
  );
}
