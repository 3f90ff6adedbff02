#!/usr/bin/env node
import { join, resolve } from 'node:path';
import { ConfigError, loadConfig, type Config } from './config.js';
import { projectRoot } from './local-stack/tools.js';
import { createLogger } from './logger.js';
import { startService, type Role, type RunningService } from './service.js';

const USAGE = `usage: supplier-access-server [all|api|worker]
  all     API and worker in one process (default; local use)
  api     the HTTP API only
  worker  the Temporal worker only
Configuration comes from the environment; see docs/configuration.md.`;

async function main(): Promise<void> {
  // Everything the service and the servers it starts write under DATA_DIR (ports, pid files, the Temporal and
  // LDAP databases) is for this user only; the files that hold secrets or personal data also set 0600 themselves.
  process.umask(0o077);
  const arg = process.argv[2] ?? 'all';
  if (arg === '--help' || arg === '-h') {
    console.log(USAGE);
    return;
  }
  if (!['all', 'api', 'worker'].includes(arg)) {
    console.error(USAGE);
    process.exitCode = 2;
    return;
  }
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exitCode = 2;
      return;
    }
    throw err;
  }
  // People read a terminal, log collectors read a pipe or a file.
  const logger = createLogger(
    config.logLevel,
    undefined,
    config.logFormat ?? (process.stdout.isTTY ? 'pretty' : 'json'),
  );
  // The handlers come first: a signal with no handler kills the process outright, and the servers it started
  // (Temporal, slapd) with it would be left running. A signal during the start stops the service once started.
  const state: { service?: RunningService; signal?: string } = {};
  const shutdown = (signal: string) => {
    if (state.signal) return;
    state.signal = signal;
    if (state.service) stop(state.service, signal);
    else logger.info({ signal }, 'stopping as soon as the start is over');
  };
  const stop = (running: RunningService, signal: string) => {
    logger.info({ signal }, 'shutting down: no new requests, draining the worker');
    running.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));

  const service = await startService(config, logger, arg as Role);
  state.service = service;
  if (state.signal) stop(service, state.signal);
  else printBanner(service, config);
}

/**
 * What a person needs to use the service, printed once it is up, after every start-up log line. The admin
 * token itself is not printed: the banner may end up in a log, the token stays in its 0600 file.
 */
function printBanner(service: RunningService, config: Config): void {
  const lines = ['', 'supplier-access is running'];
  if (service.apiUrl) lines.push(`  API:          ${service.apiUrl}   (reference: ${service.apiUrl}/docs)`);
  if (service.adminTokenFile) {
    lines.push(
      `  admin token:  in ${service.adminTokenFile}   (kept across restarts; set API_TOKENS to choose your own)`,
    );
    lines.push(
      `  try:          curl -H "Authorization: Bearer $(cat ${shellQuote(service.adminTokenFile)})" ${service.apiUrl}/v1/grants`,
    );
  }
  lines.push(
    `  Temporal:     ${service.temporal.address}${service.temporal.embedded ? ' (embedded dev server)' : ''}`,
  );
  if (service.temporal.embedded) lines.push(`  Temporal CLI: ${temporalCli(config)} workflow list`);
  if (service.temporal.uiUrl) lines.push(`  Temporal UI:  ${service.temporal.uiUrl}`);
  if (service.ldap) {
    lines.push(
      `  LDAP:         ${service.ldap.url} (embedded OpenLDAP), accounts under ${service.ldap.usersDN}`,
    );
    lines.push(`                bind as ${service.ldap.bindDN}, password in ${service.ldap.passwordFile}`);
  }
  if (service.worker) lines.push('  worker:       running');
  console.log(lines.join('\n') + '\n');
}

/** `scripts/temporal` finds the embedded server through DATA_DIR; it needs telling when that is not `.data`. */
function temporalCli(config: Config): string {
  const root = projectRoot();
  const dataDir = resolve(config.dataDir);
  const wrapper = join(root, 'scripts', 'temporal');
  const command = resolve(process.cwd()) === root ? 'scripts/temporal' : shellQuote(wrapper);
  return dataDir === join(root, '.data') ? command : `DATA_DIR=${shellQuote(dataDir)} ${command}`;
}

/** A path as one shell word. */
function shellQuote(text: string): string {
  return /^[\w./:@%+=-]+$/.test(text) ? text : `'${text.replace(/'/g, `'\\''`)}'`;
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
