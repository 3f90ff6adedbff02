#!/usr/bin/env node
import { runCli } from './cli/program.js';
import { loadCliEnvironment } from './config.js';

// The process's streams and environment are handed to runCli, which tests call directly with their own.
process.exitCode = await runCli(process.argv.slice(2), {
  ...loadCliEnvironment(),
  stdout: process.stdout,
  stderr: process.stderr,
});
