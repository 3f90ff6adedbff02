/** Columns that several registry tables keep alike, turned into records' fields and back in one place. */

/** A person kept as a name column and an e-mail column that may be null: a custodian, a sponsor. */
export function personOf(name: string, email: string | null): { name: string; email?: string } {
  return { name, ...(email ? { email } : {}) };
}

/** Who made a record and when, and when it last changed (a supplier, a shared account). */
export interface Stamp {
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}

/** {@link Stamp} as its table keeps it. */
export interface StampColumns {
  created_by: string;
  created_at: string;
  updated_at: string;
}

/** The columns of a record's stamp. */
export function stampColumns(record: Stamp): StampColumns {
  return { created_by: record.createdBy, created_at: record.createdAt, updated_at: record.updatedAt };
}

/** The stamp a row keeps. */
export function stampOf(row: StampColumns): Stamp {
  return { createdBy: row.created_by, createdAt: row.created_at, updatedAt: row.updated_at };
}
