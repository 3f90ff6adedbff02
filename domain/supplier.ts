/**
 * A supplier: the outside firm grants are made for, as the registry keeps it. Types only; deterministic (the
 * workflow bundle may load this file through `grant.ts`).
 */
import type { SupplierBlock } from './incident.js';

/** The internal person answerable for a supplier: told when its contract end moves, asked about extensions. */
export interface Sponsor {
  name: string;
  /** Where the sponsor is reached; absent when only a name is known (a token name that is not an address). */
  email?: string | undefined;
}

/** One supplier organisation. Its `key` is set when it is created and never changes. */
export interface SupplierRecord {
  id: string;
  /** The legal name as written. */
  legalName: string;
  /**
   * The canonical key (`supplierKey(legalName)`): the same for every spelling of one legal name, unique in the
   * registry. A second supplier with another spelling of the same name is the same supplier.
   */
  key: string;
  /** Where the supplier's people are reached; the first one is the grants' default contact. */
  contactEmails: string[];
  sponsor: Sponsor;
  /** No grant of the supplier may run past this instant; absent when the contract has no end on record. */
  contractEnd?: string | undefined;
  notes?: string | undefined;
  /** Set while an incident blocks the supplier: no new door for it until an admin lifts the block. */
  block?: SupplierBlock | undefined;
  createdBy: string;
  createdAt: string;
  updatedAt: string;
}
