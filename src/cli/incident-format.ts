import type { Incident, IncidentDetail, OpenedIncident } from './api-types.js';
import { formatFields, formatTable } from './format.js';

type Door = IncidentDetail['doors'][number];
type Change = NonNullable<NonNullable<IncidentDetail['events'][number]['changes']>['reason']>;

const indented = (lines: string[]) => lines.map((line) => `  ${line}`);

/** The register listing's columns. */
export function formatIncidentTable(incidents: Incident[]): string[] {
  return formatTable(
    ['ID', 'DISCOVERED', 'SUPPLIER', 'DOORS', 'REASON'],
    incidents.map((i) => [i.id, i.discoveredAt, i.supplierName ?? '(internal)', i.doors, i.reason]),
  );
}

/** The entry's own fields, the register's in the Regulation's order. */
function formatEntry(incident: Incident, keepUntil?: string): string[] {
  const period =
    incident.occurredFrom || incident.occurredUntil
      ? `${incident.occurredFrom ?? '?'} to ${incident.occurredUntil ?? '?'}`
      : undefined;
  const risk =
    incident.seriousRisk === undefined ? undefined : incident.seriousRisk ? 'serious' : 'not serious';
  return [
    `Incident ${incident.id}`,
    ...formatFields([
      [
        'supplier',
        incident.supplierId ? `${incident.supplierName ?? ''} (${incident.supplierId})` : '(internal)',
      ],
      ['reason', incident.reason],
      ['discovered at', incident.discoveredAt],
      ['period', period],
      ['personal information', incident.personalInformation],
      ['circumstances', incident.circumstances],
      ['persons concerned', incident.personsConcerned?.toString()],
      ['risk of injury', risk],
      ['risk assessment', incident.riskAssessment],
      ['commission notified', incident.commissionNotifiedAt],
      ['persons notified', incident.personsNotifiedAt],
      ['measures', incident.measures],
      ['doors', incident.doorsClosedAt ? `${incident.doors} at ${incident.doorsClosedAt}` : incident.doors],
      ['opened', `by ${incident.createdBy} at ${incident.createdAt}`],
      ['revision', `${incident.revision} (updated at ${incident.updatedAt})`],
      ['kept until', keepUntil],
    ]),
  ];
}

/** The doors an incident closes: what, how, and when each closed. */
function formatDoors(doors: Door[]): string[] {
  if (doors.length === 0) return ['  (none)'];
  return indented(
    formatTable(
      ['KIND', 'NAME', 'PROVIDER', 'ACTION', 'STATUS', 'CLOSED AT', 'DOOR'],
      doors.map((d) => [d.kind, d.name, d.provider ?? '', d.action, d.status, d.closedAt ?? '', d.doorId]),
    ),
  );
}

const shown = (value: Change['from']) => (value === null ? '(unknown)' : String(value));

/** `incident open`: what closed, what is pending. */
export function formatOpenedIncident(opened: OpenedIncident): string[] {
  return [
    ...formatEntry(opened.incident),
    `Doors: ${opened.closed} closed, ${opened.pending} pending`,
    ...formatDoors(opened.doors),
  ];
}

/** `incident show`: the entry, the doors it closes and those the supplier held, and every change. */
export function formatIncident(detail: IncidentDetail): string[] {
  const held = detail.heldDoors.map((d) => [
    d.kind,
    d.name,
    d.provider ?? '',
    d.from,
    d.until ?? '',
    d.status,
  ]);
  const events = detail.events.map((e) => [
    e.at,
    e.type,
    e.actor,
    [
      ...Object.entries(e.details ?? {}).map(([key, value]) => `${key}=${value}`),
      ...Object.entries(e.changes ?? {}).map(([key, c]) => `${key}: ${shown(c.from)} -> ${shown(c.to)}`),
    ].join('; '),
  ]);
  return [
    ...formatEntry(detail.incident, detail.keepUntil),
    'Doors it closes',
    ...formatDoors(detail.doors),
    'Doors held during the period',
    ...(held.length
      ? indented(formatTable(['KIND', 'NAME', 'PROVIDER', 'FROM', 'UNTIL', 'STATUS'], held))
      : ['  (none)']),
    'Events',
    ...indented(formatTable(['AT', 'EVENT', 'ACTOR', 'DETAILS'], events)),
  ];
}
