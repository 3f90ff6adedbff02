#!/usr/bin/env node
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './logger.js';
import { startService, type Role } from './service.js';

const USAGE = `usage: supplier-access-server [all|api|worker]
  all     API and worker in one process (default; local use)
  api     the HTTP API only
  worker  the Temporal worker only
Configuration comes from the environment; see README.md.`;

async function main(): Promise<void> {
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
  const logger = createLogger(config.logLevel);
  const service = await startService(config, logger, arg as Role);
  printBanner(service);

  let stopping = false;
  const shutdown = (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, draining the worker');
    service.stop().then(
      () => process.exit(0),
      (err: unknown) => {
        logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => shutdown('SIGTERM'));
  process.on('SIGINT', () => shutdown('SIGINT'));
}

function printBanner(service: Awaited<ReturnType<typeof startService>>): void {
  const lines = ['', 'supplier-access is running'];
  if (service.apiUrl) lines.push(`  API:          ${service.apiUrl}`);
  if (service.generatedToken) {
    lines.push(
      `  admin token:  ${service.generatedToken}   (generated for this run; set API_TOKENS to choose your own)`,
    );
    lines.push(
      `  try:          curl -H "Authorization: Bearer ${service.generatedToken}" ${service.apiUrl}/healthz`,
    );
  }
  lines.push(
    `  Temporal:     ${service.temporal.address}${service.temporal.embedded ? ' (embedded dev server)' : ''}`,
  );
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

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
