import type { SupplierWithGrants } from '../../cli/api-types.js';
import { Layout, when, type PageContext } from './layout.js';

/** A supplier: who they are, who vouches for them, and every grant they had. */
export function SupplierPage(props: { ctx: PageContext; supplier: SupplierWithGrants }) {
  const { ctx, supplier } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.supplier.title(supplier.legalName)}>
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
