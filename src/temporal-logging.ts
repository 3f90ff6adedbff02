import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from './logger.js';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let installed = false;

/**
 * The bundler's statistics: dozens of lines (one per module group) logged as one message when the worker
 * bundles the workflows at start. The SDK's next line, "Workflow bundle created" with the size, says what
 * matters; these go to debug.
 */
function isBundlerStatistics(entry: LogEntry): boolean {
  return entry.message.startsWith('asset workflow-bundle') && entry.message.includes('\n');
}

/**
 * Routes the Temporal SDK's own logs (worker state, workflow task failures) through pino, so they share the
 * service's format and redaction. The SDK allows one runtime per process: later calls do nothing.
 *
 * The runtime's own signal handlers are turned off: by default it drains every worker on SIGINT/SIGTERM by
 * itself, behind the service's back, and the service's orderly stop then found the worker already draining.
 * The service (`main`) handles the signals and stops the worker in its turn.
 */
export function installTemporalLogging(logger: Logger): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const level = isBundlerStatistics(entry) ? 'debug' : LEVELS[entry.level];
      sdkLogger[level]({ ...(entry.meta ?? {}) }, entry.message);
    }),
  });
}
