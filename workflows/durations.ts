/** `7d`, `36h`, `90m`: a lead time as configured (`REMINDER_LEAD`), for event trails and messages. */
export function formatLead(ms: number): string {
  if (ms % 86_400_000 === 0) return `${ms / 86_400_000}d`;
  if (ms % 3_600_000 === 0) return `${ms / 3_600_000}h`;
  return `${Math.round(ms / 60_000)}m`;
}
