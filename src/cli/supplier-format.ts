import type { Supplier, SupplierWithGrants } from './api-types.js';
import { formatFields, formatGrantTable, formatTable } from './format.js';

/** The supplier listing's columns. */
export function formatSupplierTable(suppliers: Supplier[]): string[] {
  return formatTable(
    ['ID', 'LEGAL NAME', 'SPONSOR', 'CONTRACT END'],
    suppliers.map((s) => [s.id, s.legalName, s.sponsor.name, s.contractEnd ?? '']),
  );
}

/** A supplier as `supplier show` prints it: its fields, then its grants when the API sent them. */
export function formatSupplier(supplier: Supplier | SupplierWithGrants): string[] {
  const sponsor = supplier.sponsor.email
    ? `${supplier.sponsor.name} <${supplier.sponsor.email}>`
    : supplier.sponsor.name;
  const lines = [
    `Supplier ${supplier.id}`,
    ...formatFields([
      ['legal name', supplier.legalName],
      ['key', supplier.key],
      ['contact e-mails', supplier.contactEmails.join(', ')],
      ['sponsor', sponsor],
      ['contract end', supplier.contractEnd],
      ['notes', supplier.notes],
      [
        'blocked',
        supplier.block
          ? `by incident ${supplier.block.incidentId} since ${supplier.block.since} (${supplier.block.by}): no new door`
          : undefined,
      ],
      ['registered', `by ${supplier.createdBy} at ${supplier.createdAt}`],
      ['updated at', supplier.updatedAt],
    ]),
  ];
  if ('grants' in supplier) {
    lines.push('Grants');
    lines.push(
      ...(supplier.grants.length === 0
        ? ['  (none)']
        : formatGrantTable(supplier.grants).map((line) => `  ${line}`)),
    );
  }
  return lines;
}
