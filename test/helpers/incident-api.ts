/** Incidents through the HTTP API, as end-to-end tests and the benchmark drive them: the answers read and polled. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { HeldDoor, IncidentDoor, IncidentEvent, IncidentRecord } from '../../domain/incident.js';
import { TOKENS, type TestStack } from './stack.js';

/** A door as the incident's answers show it: the registry's door with whether it is closed yet. */
export type ShownIncidentDoor = IncidentDoor & { status: 'closed' | 'pending' };

/** `POST /v1/suppliers/{id}/incident`'s 201: the entry, its doors, and how many are closed and pending. */
export interface OpenedIncident {
  incident: IncidentRecord;
  doors: ShownIncidentDoor[];
  closed: number;
  pending: number;
}

/** `GET /v1/incidents/{id}`: the register's entry with its doors, pre-filled held doors and trail. */
export interface IncidentDetail {
  incident: IncidentRecord;
  keepUntil: string;
  doors: IncidentDoor[];
  heldDoors: HeldDoor[];
  events: IncidentEvent[];
}

/** Opens an incident about a supplier as ada (admin); answers the raw response (tests check 409s and 400s too). */
export function openIncident(
  stack: TestStack,
  supplierId: string,
  body: Record<string, unknown>,
  token: string = TOKENS.admin,
) {
  return stack.request('POST', `/v1/suppliers/${supplierId}/incident`, token, body);
}

/** The register's entry as an auditor reads it; fails the test on anything but a 200. */
export async function showIncident(stack: TestStack, id: string): Promise<IncidentDetail> {
  const response = await stack.request('GET', `/v1/incidents/${id}`, TOKENS.auditor);
  if (response.status !== 200)
    throw new Error(`reading incident ${id}: ${response.status} ${JSON.stringify(response.body)}`);
  return response.body as IncidentDetail;
}

/** Polls the entry until `done` holds; the machine is loaded, so callers give generous bounds. */
export async function incidentWhen(
  stack: TestStack,
  id: string,
  done: (detail: IncidentDetail) => boolean,
  withinMs: number,
  everyMs = 250,
): Promise<IncidentDetail> {
  const deadline = Date.now() + withinMs;
  for (let shown = await showIncident(stack, id); ; shown = await showIncident(stack, id)) {
    if (done(shown)) return shown;
    if (Date.now() > deadline) throw new Error(`the incident never got there: ${JSON.stringify(shown)}`);
    await sleep(everyMs);
  }
}

/** Whether every door of the incident is closed, as the entry records it. */
export const allDoorsClosed = (detail: IncidentDetail): boolean =>
  detail.incident.doors === 'closed' && detail.doors.every((door) => door.closedAt !== undefined);

/**
 * Parses CSV as RFC 4180 writes it (quoted fields may hold commas, quotes doubled, line breaks): the rows of
 * the export's column names and its rows by column name. Throws on a row whose width differs from the header's, or on an unclosed quote.
 */
export function parseCsv(text: string): { columns: string[]; rows: Record<string, string>[] } {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  const endField = () => {
    row.push(field);
    field = '';
  };
  const endRow = () => {
    endField();
    rows.push(row);
    row = [];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted && c === '"' && text[i + 1] === '"') {
      field += '"';
      i++;
    } else if (quoted && c === '"') quoted = false;
    else if (quoted) field += c;
    else if (c === '"' && field === '') quoted = true;
    else if (c === ',') endField();
    else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      endRow();
    } else field += c;
  }
  if (quoted) throw new Error('the CSV ends inside a quoted field');
  if (field !== '' || row.length > 0) endRow();
  const [header, ...body] = rows;
  if (!header) return { columns: [], rows: [] };
  const named = body.map((values, n) => {
    if (values.length !== header.length)
      throw new Error(`CSV row ${n + 2} has ${values.length} fields, the header ${header.length}`);
    return Object.fromEntries(header.map((name, i) => [name, values[i] ?? '']));
  });
  return { columns: header, rows: named };
}
