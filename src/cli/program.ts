import { Command, CommanderError, Option } from 'commander';
import { ApiProblemError, CliError } from './client.js';
import { registerDoorCommands } from './door-commands.js';
import { formatProblem } from './format.js';
import { registerGrantCommands } from './grant-commands.js';
import { registerIncidentCommands, registerUnblockCommand } from './incident-commands.js';
import { registerManualCommands } from './manual-commands.js';
import { registerRegistryCommands } from './registry-commands.js';
import { registerReviewCommands } from './review-commands.js';
import { registerSharedCommands } from './shared-commands.js';
import { registerSupplierCommands } from './supplier-commands.js';
import { createSession, DEFAULT_API_URL, Output, type CliOptions, type SessionFactory } from './session.js';

/**
 * Runs the CLI on `argv` (the arguments after the program name) and resolves with the exit code:
 * 0 on success, 1 when the API refused or could not be reached, 2 for a usage error.
 */
export async function runCli(argv: readonly string[], options: CliOptions): Promise<number> {
  const out = new Output(options.stdout, options.stderr);
  const program = buildProgram(options, out);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return 0;
  } catch (err) {
    return reportFailure(err, out);
  }
}

/** The `supplier-access` program: global options, then the `grant`, `supplier`, `shared`, `manual`, `incident`, `registry` and `review` command groups, and `doors`. */
export function buildProgram(options: CliOptions, out: Output): Command {
  const program = new Command('supplier-access')
    .description('Grant suppliers expiring accounts through the supplier-access HTTP API.')
    .addOption(
      new Option(
        '--api-url <url>',
        `the API's base URL (env SUPPLIER_ACCESS_URL; default ${DEFAULT_API_URL})`,
      ),
    )
    .addOption(new Option('--token <token>', 'bearer token for the API (env SUPPLIER_ACCESS_TOKEN)'))
    .addOption(new Option('--json', "print the API's JSON answer as-is, pretty-printed"));
  // Set before any subcommand is added: subcommands copy these settings when they are created.
  program
    .exitOverride()
    .configureOutput({
      writeOut: (text) => out.raw(text),
      writeErr: (text) => out.rawError(text),
    })
    .configureHelp({ showGlobalOptions: true, sortSubcommands: false })
    .showHelpAfterError('(add --help for usage)');

  const session: SessionFactory = (command) => createSession(command, options, out);
  const grant = program.command('grant').description('request, inspect, extend and revoke grants');
  registerGrantCommands(grant, session);
  const supplier = program
    .command('supplier')
    .alias('suppliers')
    .description('the supplier organisations grants are made for');
  registerSupplierCommands(supplier, session);
  registerUnblockCommand(supplier, session);
  const shared = program
    .command('shared')
    .description('existing accounts lent to suppliers, their password rotated before and after each lend');
  registerSharedCommands(shared, session);
  const manual = program
    .command('manual')
    .description('doors no API can close: recorded, their custodian reminded, attested closed by a person');
  registerManualCommands(manual, session);
  const incident = program
    .command('incident')
    .alias('incidents')
    .description(
      'a breached supplier: close every door it holds at once; the confidentiality-incident register',
    );
  registerIncidentCommands(incident, session);
  const registry = program.command('registry').description('the registry of every grant ever made');
  registerRegistryCommands(registry, session);
  const review = program
    .command('review')
    .description('access reviews: every supplier account and its grant');
  registerReviewCommands(review, session);
  registerDoorCommands(program, session);
  return program;
}

/** Prints what went wrong and picks the exit code; only unexpected errors (bugs) show a stack. */
function reportFailure(err: unknown, out: Output): number {
  if (err instanceof CommanderError) {
    // Commander has already printed the help or the usage error; `--help` is a success, the rest is misuse.
    return err.exitCode === 0 ? 0 : 2;
  }
  if (err instanceof ApiProblemError) {
    out.error(...formatProblem(err.problem));
    return 1;
  }
  if (err instanceof CliError) {
    out.error(`error: ${err.message}`);
    return err.exitCode;
  }
  out.error(`error: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  return 1;
}
