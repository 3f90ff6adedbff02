import { z } from 'zod';
import type { ProviderName } from '../domain/account.js';
import type { IdentityProvider } from './types.js';

/** The process environment as read at start: a variable set to blanks counts as unset. */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A light client that proves a provider answers and takes our credentials, without building the provider. */
export interface ReachabilityProbe {
  /** Resolves when the provider answers; rejects with a ProviderError otherwise. */
  check(): Promise<void>;
  /** Releases its connections. */
  close(): Promise<void>;
}

/**
 * Everything the service needs to know of one identity provider, declared by the provider itself: `src/config.ts`
 * composes the environments, the API reads the username limits and probes, the worker calls the factory.
 */
export interface ProviderModule<Settings> {
  readonly name: ProviderName;
  /** The variables that enable the provider: all of them set, or none. */
  readonly variables: readonly string[];
  /**
   * From the environment to the provider's settings, checked by the provider's own rules; `undefined` when none of
   * `variables` is set. Every issue is named after the variable at fault.
   */
  readonly environment: z.ZodType<Settings | undefined, Environment>;
  /** The longest account name the provider takes with these settings: the API derives names from it. */
  usernameLimit(settings: Settings): number;
  /**
   * The provider, for the worker. Loaded on demand, like `probe`: the CLI and the API read this declaration
   * without loading a vendor SDK they do not use.
   */
  create(settings: Settings): Promise<IdentityProvider>;
  /** The reachability check `/readyz` runs. */
  probe(settings: Settings): Promise<ReachabilityProbe>;
}

/** How one setting is read: the variable that holds it, and whether it is a comma-separated list. */
export type VariableOf = string | { name: string; list: true };

/** What `providerEnvironment` needs to read one provider's settings from the environment. */
export interface EnvironmentSpec<Schema extends z.ZodType> {
  /** How a message names the provider: `Okta`. */
  label: string;
  /** The provider's own settings schema: its rules are the ones checked at start. */
  schema: Schema;
  /** Each setting read from the environment, by the variable that holds it. */
  variables: Partial<Record<keyof z.input<Schema> & string, VariableOf>>;
  /** The settings that enable the provider (their variables must be set together). */
  required: readonly (keyof z.input<Schema> & string)[];
  /** Rules that involve the environment itself (a file that must exist), as `[variable, message]` pairs. */
  check?: (settings: Record<string, unknown>) => [string, string][];
}

const nameOf = (variable: VariableOf): string => (typeof variable === 'string' ? variable : variable.name);

const valueOf = (env: Environment, variable: VariableOf): string | string[] | undefined => {
  const raw = env[nameOf(variable)];
  if (raw === undefined || raw.trim() === '') return undefined;
  if (typeof variable === 'string') return raw;
  return raw
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
};

/**
 * A provider's environment, from one declaration: the variables that enable it, and the schema that reads them
 * (all of them or none) into its settings and checks them by its settings schema, each issue named after the
 * variable (never quoting a value).
 */
export function providerEnvironment<Schema extends z.ZodType>(
  spec: EnvironmentSpec<Schema>,
): Pick<ProviderModule<z.output<Schema>>, 'variables' | 'environment'> {
  const entries = Object.entries(spec.variables) as [string, VariableOf][];
  const variableOf = new Map(entries.map(([field, variable]) => [field, nameOf(variable)]));
  const required = spec.required.map((field) => variableOf.get(field) ?? field);
  const environment = z.custom<Environment>().transform((env, ctx) => {
    const set = required.filter((name) => env[name] !== undefined && env[name]?.trim() !== '');
    if (set.length === 0) return undefined;
    const settings: Record<string, unknown> = {};
    for (const [field, variable] of entries) {
      const value = valueOf(env, variable);
      if (value !== undefined) settings[field] = value;
    }
    const missing = required.filter((name) => !set.includes(name));
    const problems: [string, string][] =
      missing.length > 0
        ? [['', `${spec.label}: ${missing.join(', ')} must be set too (got ${set.join(', ')})`]]
        : (spec.check?.(settings) ?? []);
    if (problems.length === 0) {
      const parsed = spec.schema.safeParse(settings);
      if (parsed.success) return parsed.data;
      for (const issue of parsed.error.issues) {
        const field = String(issue.path[0] ?? '');
        problems.push([variableOf.get(field) ?? spec.label, issue.message]);
      }
    }
    // One line per rule and variable: a list of bad group ids breaks the same rule once per entry.
    const lines = new Map(problems.map(([variable, message]) => [`${variable}\n${message}`, variable]));
    for (const [key, variable] of lines) {
      ctx.addIssue({
        code: 'custom',
        message: key.slice(variable.length + 1),
        path: variable ? [variable] : [],
      });
    }
    return z.NEVER;
  });
  return { variables: required, environment };
}
