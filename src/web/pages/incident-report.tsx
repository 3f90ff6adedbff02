import type { OpenedIncident, Supplier } from '../../cli/api-types.js';
import type { OpenDoor } from '../../registry/open-doors.js';
import type { ExplainedProblem } from '../problems.js';
import { Csrf, Layout, ProblemBox, when, type PageContext } from './layout.js';

/** The report form's fields as the person filled them, kept when the API refuses them. */
export type ReportForm = Partial<Record<'reason' | 'discoveredAt', string>>;

/** A door's name as the lists show it: the account, or a manual door's description. */
const doorName = (door: Pick<OpenDoor, 'account' | 'what' | 'id'>) => door.account ?? door.what ?? door.id;

/**
 * The confirmation before a breach is reported: what will happen, the doors that will close, and the two fields
 * the register needs at once. Nothing happens until the confirm button is pressed.
 */
export function ReportPage(props: {
  ctx: PageContext;
  supplier: Supplier;
  doors: OpenDoor[];
  form: ReportForm;
  problem?: ExplainedProblem | undefined;
}) {
  const { ctx, supplier, doors, form } = props;
  const { m } = ctx;
  const name = supplier.legalName;
  return (
    <Layout ctx={ctx} title={m.incident.confirmTitle(name)}>
      {props.problem && <ProblemBox problem={props.problem} ctx={ctx} />}
      {supplier.block && !props.problem && (
        <div class="problem" role="status">
          <p>{m.incident.alreadyBlocked}</p>
          <p>
            <a href={`/incidents/${supplier.block.incidentId}`}>{m.incident.entryLink}</a>
          </p>
        </div>
      )}
      <p>{m.incident.willHappen}</p>
      <ul>
        <li>{m.incident.closesAll(name)}</li>
        <li>{m.incident.blocks}</li>
        <li>{m.incident.opensEntry}</li>
      </ul>
      <p>{m.incident.doorsNow(doors.length)}</p>
      {doors.length > 0 && (
        <ul>
          {doors.map((d) => (
            <li>
              {doorName(d)} ({m.doors.kinds[d.kind] ?? d.kind}
              {d.provider ? `, ${d.provider}` : ''})
            </li>
          ))}
        </ul>
      )}
      {!supplier.block && (
        <form method="post" action={`/suppliers/${supplier.id}/incident`}>
          <Csrf ctx={ctx} />
          <label for="incidentReason">{m.incident.reason}</label>
          <input id="incidentReason" name="reason" type="text" value={form.reason ?? ''} />
          <label for="discoveredAt">{m.incident.discoveredAt}</label>
          <input
            id="discoveredAt"
            name="discoveredAt"
            type="datetime-local"
            value={form.discoveredAt ?? ''}
          />
          <div>
            <button type="submit" class="danger">
              {m.incident.confirm}
            </button>
          </div>
        </form>
      )}
      <p>
        <a href={`/suppliers/${supplier.id}`}>{m.incident.back}</a>
      </p>
    </Layout>
  );
}

/** The API's answer to a report: the doors closed before it answered, those still closing, and the entry. */
export function OpenedPage(props: { ctx: PageContext; opened: OpenedIncident }) {
  const { ctx, opened } = props;
  const { m } = ctx;
  const { incident } = opened;
  return (
    <Layout ctx={ctx} title={m.incident.openedTitle(incident.supplierName ?? m.incident.internal)}>
      <p class="done" role="status">
        {m.incident.summary(opened.closed, opened.pending)}
      </p>
      {opened.pending > 0 && <p>{m.incident.pendingHelp}</p>}
      <IncidentDoorsTable ctx={ctx} doors={opened.doors} />
      <p>
        <a href={`/incidents/${incident.id}`}>{m.incident.entryLink}</a>
      </p>
      {incident.supplierId && (
        <p>
          <a href={`/suppliers/${incident.supplierId}`}>{m.incident.back}</a>
        </p>
      )}
    </Layout>
  );
}

/** The doors an incident closes, each with its action and when it closed; shared with the entry's page. */
export function IncidentDoorsTable(props: { ctx: PageContext; doors: OpenedIncident['doors'] }) {
  const { m } = props.ctx;
  return (
    <table>
      <thead>
        <tr>
          <th scope="col">{m.incident.door}</th>
          <th scope="col">{m.incident.kind}</th>
          <th scope="col">{m.incident.action}</th>
          <th scope="col">{m.incident.requestedAt}</th>
          <th scope="col">{m.incident.state}</th>
          <th scope="col">{m.incident.closedAt}</th>
        </tr>
      </thead>
      <tbody>
        {props.doors.map((d) => (
          <tr>
            <td>
              {d.kind === 'manual' ? d.name : <a href={`/grants/${d.doorId}`}>{d.name}</a>}
              {d.provider ? ` (${d.provider})` : ''}
            </td>
            <td>{m.doors.kinds[d.kind] ?? d.kind}</td>
            <td>{m.incident.actions[d.action] ?? d.action}</td>
            <td>{when(d.requestedAt)}</td>
            <td>{m.incident.states[d.status] ?? d.status}</td>
            <td>{when(d.closedAt)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The confirmation before a block is lifted: what it allows again, and the reason the entry records. */
export function LiftBlockPage(props: {
  ctx: PageContext;
  supplier: Supplier;
  problem?: ExplainedProblem | undefined;
}) {
  const { ctx, supplier } = props;
  const { m } = ctx;
  return (
    <Layout ctx={ctx} title={m.block.title(supplier.legalName)}>
      {props.problem && <ProblemBox problem={props.problem} ctx={ctx} />}
      {supplier.block ? (
        <>
          <p>{m.block.willHappen(supplier.legalName)}</p>
          <p>
            <a href={`/incidents/${supplier.block.incidentId}`}>{m.incident.entryLink}</a>
          </p>
          <form method="post" action={`/suppliers/${supplier.id}/block`}>
            <Csrf ctx={ctx} />
            <label for="liftReason">{m.block.reason}</label>
            <input id="liftReason" name="reason" type="text" />
            <div>
              <button type="submit">{m.block.confirm}</button>
            </div>
          </form>
        </>
      ) : (
        !props.problem && <p>{m.block.notBlocked}</p>
      )}
      <p>
        <a href={`/suppliers/${supplier.id}`}>{m.incident.back}</a>
      </p>
    </Layout>
  );
}
