#!/usr/bin/env node
import { runCli } from './cli/program.js';

// The only place the CLI reads the process: its environment and streams are handed to runCli, which tests
// call directly with their own.
process.exitCode = await runCli(process.argv.slice(2), {
  apiUrl: process.env.SUPPLIER_ACCESS_URL,
  token: process.env.SUPPLIER_ACCESS_TOKEN,
  stdout: process.stdout,
  stderr: process.stderr,
});
