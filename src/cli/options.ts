import { InvalidArgumentError } from 'commander';
import { CliError } from './client.js';

/** Commander parser for whole numbers; anything else is a usage error (exit 2) before the API is asked. */
export function wholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

/** Commander parser for a repeatable option: each occurrence adds its value to the list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

/**
 * The supplier a request is for, as `--supplier` (a registered one) or `--organisation` (by name, with
 * `--contact-email`): exactly one of the two, or a usage error before the API is asked.
 */
export function supplierReference(options: {
  supplier?: string | undefined;
  organisation?: string | undefined;
  contactEmail?: string | undefined;
}): {
  supplierId?: string | undefined;
  supplier?: { organisation: string; contactEmail?: string | undefined };
} {
  if ((options.supplier === undefined) === (options.organisation === undefined))
    throw new CliError('give exactly one of --supplier and --organisation', 2);
  return {
    supplierId: options.supplier,
    supplier:
      options.organisation === undefined
        ? undefined
        : { organisation: options.organisation, contactEmail: options.contactEmail },
  };
}
