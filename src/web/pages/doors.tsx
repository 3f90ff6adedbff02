import type { OpenDoors, SupplierDoors } from '../../registry/open-doors.js';
import type { ExplainedProblem } from '../problems.js';
import { Layout, ProblemBox, when, type PageContext } from './layout.js';

/** The filters of `GET /v1/doors`, as the form shows them. */
export interface DoorFilters {
  activeAt?: string | undefined;
  supplierId?: string | undefined;
}

/** Every open door, by supplier, with the registry's filters. */
export function DoorsPage(props: {
  ctx: PageContext;
  filters: DoorFilters;
  doors?: OpenDoors | undefined;
  problem?: ExplainedProblem | undefined;
}) {
  const { ctx, doors, filters } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.doors.title}>
      {props.problem && <ProblemBox problem={props.problem} ctx={ctx} />}
      <form method="get" action="/" aria-label={m.doors.filters}>
        <label for="activeAt">{m.doors.activeAt}</label>
        <input id="activeAt" name="activeAt" type="datetime-local" value={filters.activeAt ?? ''} />
        <label for="supplierId">{m.doors.supplierId}</label>
        <input id="supplierId" name="supplierId" type="text" value={filters.supplierId ?? ''} />
        <div>
          <button type="submit">{m.doors.apply}</button>
        </div>
      </form>
      {doors && (
        <>
          <p>
            {m.doors.intro(when(doors.activeAt))} {m.doors.total(doors.totals.total)}.
          </p>
          {doors.suppliers.length === 0 && <p>{m.doors.none}</p>}
          {doors.suppliers.map((s) => (
            <SupplierDoorsSection ctx={ctx} doors={s} />
          ))}
        </>
      )}
    </Layout>
  );
}

/** One supplier's open doors: a link to its page, then one row per door (a grant's row links to the grant). */
function SupplierDoorsSection({ ctx, doors: s }: { ctx: PageContext; doors: SupplierDoors }) {
  const { m } = ctx;
  return (
    <section>
      <h2>
        {s.supplier} <span class="muted">({m.doors.total(s.totals.total)})</span>
      </h2>
      {s.supplierId && (
        <p>
          <a href={`/suppliers/${s.supplierId}`}>
            {m.doors.supplierPage}: {s.supplier}
          </a>
        </p>
      )}
      <table>
        <thead>
          <tr>
            <th scope="col">{m.doors.account}</th>
            <th scope="col">{m.doors.kind}</th>
            <th scope="col">{m.doors.provider}</th>
            <th scope="col">{m.doors.status}</th>
            <th scope="col">{m.doors.since}</th>
            <th scope="col">{m.doors.until}</th>
            <th scope="col">{m.doors.requestedBy}</th>
          </tr>
        </thead>
        <tbody>
          {s.doors.map((d) => (
            <tr>
              <td>
                {d.kind === 'manual' ? (d.what ?? d.id) : <a href={`/grants/${d.id}`}>{d.account ?? d.id}</a>}
              </td>
              <td>{m.doors.kinds[d.kind] ?? d.kind}</td>
              <td>{d.provider ?? d.where ?? ''}</td>
              <td>{m.statuses[d.status] ?? d.status}</td>
              <td>{when(d.since)}</td>
              <td>{when(d.until)}</td>
              <td>{d.requestedBy}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
