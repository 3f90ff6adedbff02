import type { Command } from 'commander';
import { ApiClient, CliError, type ApiCall, type FetchLike } from './client.js';
import { formatJson } from './format.js';

/** Where the CLI looks for the API when neither `--api-url` nor `SUPPLIER_ACCESS_URL` says. */
export const DEFAULT_API_URL = 'http://127.0.0.1:8080';

/** Anything text can be written to: `process.stdout`, or a buffer in tests. */
export interface TextSink {
  write(text: string): unknown;
}

/**
 * What the CLI takes from its surroundings. `src/cli.ts` fills it from the process (environment, streams);
 * tests fill it themselves, so nothing under `src/cli/` reads `process`.
 */
export interface CliOptions {
  /** `SUPPLIER_ACCESS_URL`, when set: the API URL unless `--api-url` is given. */
  apiUrl?: string | undefined;
  /** `SUPPLIER_ACCESS_TOKEN`, when set: the bearer token unless `--token` is given. */
  token?: string | undefined;
  stdout: TextSink;
  stderr: TextSink;
  /** Defaults to the global `fetch`. */
  fetch?: FetchLike;
  /** How long one API call may take; 120 s by default (creating and revoking wait for the directory). */
  timeoutMs?: number;
}

/** Writes lines to the two streams; `json` is for `--json` answers. */
export class Output {
  constructor(
    private readonly stdout: TextSink,
    private readonly stderr: TextSink,
  ) {}

  /** Lines of the command's result, on stdout. */
  line(...lines: string[]): void {
    for (const line of lines) this.stdout.write(`${line}\n`);
  }

  /** Errors and hints that must not mix with a result meant for a pipe, on stderr. */
  error(...lines: string[]): void {
    for (const line of lines) this.stderr.write(`${line}\n`);
  }

  /** An API answer as-is, pretty-printed, on stdout. */
  json(value: unknown): void {
    this.line(formatJson(value));
  }

  /** Raw text (a CSV export, commander's help), on stdout, unchanged. */
  raw(text: string): void {
    this.stdout.write(text);
  }

  /** Raw text (commander's usage errors), on stderr, unchanged. */
  rawError(text: string): void {
    this.stderr.write(text);
  }
}

/** What a command's action works with, resolved from the global options when it runs. */
export interface Session {
  api: ApiClient;
  /** `--json`: print the API's JSON instead of the human-readable form. */
  json: boolean;
  out: Output;
}

/** Builds the session of the command being run (its global options, the token, the client). */
export type SessionFactory = (command: Command) => Session;

/** The program-wide options, as commander hands them to every command. */
interface GlobalOptions {
  apiUrl?: string;
  token?: string;
  json?: boolean;
}

/** The session of the command being run: its global options over the environment's, the token, the client. */
export function createSession(command: Command, options: CliOptions, out: Output): Session {
  const globals = command.optsWithGlobals<GlobalOptions>();
  const apiUrl = globals.apiUrl ?? (options.apiUrl || DEFAULT_API_URL);
  const token = globals.token ?? options.token;
  if (!token) throw new CliError('no API token: pass --token <token> or set SUPPLIER_ACCESS_TOKEN');
  const api = new ApiClient({
    apiUrl,
    token,
    fetch: options.fetch ?? ((input, init) => fetch(input, init)),
    ...(options.timeoutMs !== undefined ? { timeoutMs: options.timeoutMs } : {}),
  });
  return { api, json: globals.json === true, out };
}

/**
 * `show <id>`: reads one resource and prints it, as the API's JSON with `--json`, else as `format` lays it out.
 * `path` builds the resource's path from the id given on the command line.
 */
export function registerShowCommand<T>(
  parent: Command,
  session: SessionFactory,
  what: {
    description: string;
    argument: string;
    path: (id: string) => string;
    format: (body: T) => string[];
  },
): void {
  parent
    .command('show')
    .description(what.description)
    .argument('<id>', what.argument)
    .action(async (id: string, _options: unknown, command: Command) =>
      callAndPrint(session(command), 'GET', what.path(id), {}, what.format),
    );
}

/** Sends one request and prints its answer: the API's JSON as-is with `--json`, else as `format` lays it out. */
export async function callAndPrint<T>(
  s: Session,
  method: Parameters<ApiClient['call']>[0],
  path: string,
  call: ApiCall,
  format: (body: T) => string[],
): Promise<void> {
  const answer = await s.api.call(method, path, call);
  if (s.json) s.out.json(answer.body);
  else s.out.line(...format(answer.body as T));
}
