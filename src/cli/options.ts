import { InvalidArgumentError } from 'commander';

/** Commander parser for whole numbers; anything else is a usage error (exit 2) before the API is asked. */
export function wholeNumber(value: string): number {
  if (!/^-?\d+$/.test(value.trim())) throw new InvalidArgumentError('must be a whole number.');
  return Number(value);
}

/** Commander parser for a repeatable option: each occurrence adds its value to the list. */
export function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}
