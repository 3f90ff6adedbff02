import { DefaultLogger, Runtime, type LogEntry } from '@temporalio/worker';
import type { Logger } from './logger.js';

const LEVELS = { TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const;

let installed = false;

/**
 * Routes the Temporal SDK's own logs (worker state, workflow task failures) through pino, so they share the
 * service's format and redaction. The SDK allows one runtime per process: later calls do nothing.
 */
export function installTemporalLogging(logger: Logger): void {
  if (installed) return;
  installed = true;
  const sdkLogger = logger.child({ component: 'temporal-sdk' });
  Runtime.install({
    logger: new DefaultLogger('INFO', (entry: LogEntry) => {
      const level = LEVELS[entry.level];
      sdkLogger[level]({ ...(entry.meta ?? {}) }, entry.message);
    }),
  });
}
