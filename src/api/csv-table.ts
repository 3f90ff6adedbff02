import { stringify } from 'csv-stringify/sync';

/** A CSV export's cell: what a spreadsheet shows, empty for an unknown value. */
export type CsvCell = string | number | boolean | undefined;

/**
 * A header row and its rows as CSV. Cells starting with = + - @ are prefixed so a spreadsheet never runs a
 * supplier's (or anyone's) words as a formula.
 */
export function csvTable(header: readonly string[], rows: readonly (readonly CsvCell[])[]): string {
  const cells = rows.map((row) => row.map((cell) => (cell === undefined ? '' : String(cell))));
  return stringify([[...header], ...cells], { escape_formulas: true });
}
