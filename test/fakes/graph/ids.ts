/** Identifiers and timestamps in the shapes Microsoft Graph and Entra ID use. */
import { randomBytes, randomUUID } from 'node:crypto';

export const guid = (): string => randomUUID();

export const isGuid = (s: string): boolean =>
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(s);

/** Graph's DateTimeOffset values: `2024-05-01T12:34:56Z` (UTC, whole seconds). */
export function graphDateTime(d: Date = new Date()): string {
  return d.toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** `innerError.date`: `2024-05-01T12:34:56` (UTC, no zone designator). */
export function innerErrorDate(d: Date = new Date()): string {
  return d.toISOString().slice(0, 19);
}

/** Entra ID token errors' `timestamp`: `2024-05-01 12:34:56Z`. */
export function stsTimestamp(d: Date = new Date()): string {
  return d.toISOString().slice(0, 19).replace('T', ' ') + 'Z';
}

export const base64url = (b: Buffer | string): string => Buffer.from(b).toString('base64url');

export const randomBase64url = (bytes: number): string => randomBytes(bytes).toString('base64url');
