import { INCIDENT_FIELDS } from '../../../domain/incident.js';
import type { IncidentDetail } from '../../cli/api-types.js';
import { IncidentDoorsTable } from './incident-report.js';
import { Layout, when, type PageContext } from './layout.js';

type IncidentEvent = IncidentDetail['events'][number];

/** One value of the register as people read it: instants in UTC, yes or no, and a field not known yet said so. */
function shownValue(ctx: PageContext, value: string | number | boolean | null | undefined): string {
  const { m } = ctx;
  if (value === undefined || value === null) return m.incident.notRecorded;
  if (typeof value === 'boolean') return value ? m.review.yes : m.review.no;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value)) return when(value);
  return String(value);
}

/** A register entry, read-only: the Law 25 fields, the doors it closed with their times, the held doors, the trail. */
export function IncidentPage(props: { ctx: PageContext; detail: IncidentDetail }) {
  const { ctx, detail } = props;
  const { m } = ctx;
  const { incident } = detail;
  return (
    <Layout ctx={ctx} title={m.incident.entryTitle(incident.supplierName ?? m.incident.internal)}>
      <h2>{m.incident.register}</h2>
      <dl>
        <dt>{m.incident.supplier}</dt>
        <dd>
          {incident.supplierId ? (
            <a href={`/suppliers/${incident.supplierId}`}>{incident.supplierName ?? incident.supplierId}</a>
          ) : (
            m.incident.internal
          )}
        </dd>
        {INCIDENT_FIELDS.map((field) => (
          <>
            <dt>{m.incident.fields[field] ?? field}</dt>
            <dd>{shownValue(ctx, incident[field])}</dd>
          </>
        ))}
        <dt>{m.incident.doors}</dt>
        <dd>{m.incident.doorsStatus[incident.doors] ?? incident.doors}</dd>
        {incident.doorsClosedAt && (
          <>
            <dt>{m.incident.doorsClosedAt}</dt>
            <dd>{when(incident.doorsClosedAt)}</dd>
          </>
        )}
        <dt>{m.incident.createdBy}</dt>
        <dd>{incident.createdBy}</dd>
        <dt>{m.incident.createdAt}</dt>
        <dd>{when(incident.createdAt)}</dd>
        <dt>{m.incident.revision}</dt>
        <dd>{incident.revision}</dd>
        <dt>{m.incident.keepUntil}</dt>
        <dd>{when(detail.keepUntil)}</dd>
      </dl>
      {detail.doors.length > 0 && (
        <>
          <h2>{m.incident.closing}</h2>
          <IncidentDoorsTable ctx={ctx} doors={detail.doors} />
        </>
      )}
      {incident.supplierId && <HeldDoors ctx={ctx} doors={detail.heldDoors} />}
      <Trail ctx={ctx} events={detail.events} />
    </Layout>
  );
}

function HeldDoors({ ctx, doors }: { ctx: PageContext; doors: IncidentDetail['heldDoors'] }) {
  const { m } = ctx;
  return (
    <>
      <h2>{m.incident.held}</h2>
      {doors.length === 0 ? (
        <p>{m.incident.heldNone}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{m.incident.door}</th>
              <th scope="col">{m.incident.kind}</th>
              <th scope="col">{m.incident.from}</th>
              <th scope="col">{m.incident.until}</th>
              <th scope="col">{m.incident.state}</th>
            </tr>
          </thead>
          <tbody>
            {doors.map((d) => (
              <tr>
                <td>
                  {d.name}
                  {d.provider ? ` (${d.provider})` : ''}
                </td>
                <td>{m.doors.kinds[d.kind] ?? d.kind}</td>
                <td>{when(d.from)}</td>
                <td>{when(d.until)}</td>
                <td>{m.statuses[d.status] ?? d.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}

/** An event's details and changes, as one line: `personsConcerned: 10 → 12`. */
function eventDetails(ctx: PageContext, event: IncidentEvent): string {
  const details = Object.entries(event.details ?? {}).map(([key, value]) => `${key}: ${value}`);
  const changes = Object.entries(event.changes ?? {}).map(
    ([field, change]) =>
      `${ctx.m.incident.fields[field] ?? field}: ${shownValue(ctx, change?.from)} → ${shownValue(ctx, change?.to)}`,
  );
  return [...details, ...changes].join('; ');
}

function Trail({ ctx, events }: { ctx: PageContext; events: IncidentEvent[] }) {
  const { m } = ctx;
  return (
    <>
      <h2>{m.incident.trail}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{m.incident.at}</th>
            <th scope="col">{m.incident.event}</th>
            <th scope="col">{m.incident.actor}</th>
            <th scope="col">{m.incident.details}</th>
          </tr>
        </thead>
        <tbody>
          {events.map((e) => (
            <tr>
              <td>{when(e.at)}</td>
              <td>{m.incident.events[e.type] ?? e.type}</td>
              <td>{e.actor}</td>
              <td>{eventDetails(ctx, e)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </>
  );
}
