import type { ChildProcess } from 'node:child_process';
import { stopChild } from './tools.js';

/** Where a supervisor says what happened to its process (a pino logger fits). */
export interface SupervisorLogger {
  info(obj: object, msg?: string): void;
  warn(obj: object, msg?: string): void;
  error(obj: object, msg?: string): void;
}

export interface SupervisorOptions {
  /** The process's name in log lines, e.g. `slapd`. */
  name: string;
  /** Starts the process and resolves once it serves; rejects when it cannot. */
  launch: () => Promise<ChildProcess>;
  /** Fields every log line carries (where the process listens, its data). */
  context?: object;
  logger?: SupervisorLogger | undefined;
  /** Waits before each restart attempt after an unexpected exit; the last one repeats. */
  restartDelaysMs?: number[];
  stopTimeoutMs?: number;
}

/** A second first, then backing off to ten: a crash loop must not spin, a one-off crash is over fast. */
const RESTART_DELAYS_MS = [1_000, 2_000, 5_000, 10_000];

/**
 * Keeps one child process running between `start` and `stop`: an exit nobody asked for (a crash, a kill -9, the
 * OOM killer) is logged and the process started again, after a growing pause while it keeps failing.
 */
export class Supervisor {
  private child: ChildProcess | undefined;
  private starting: Promise<void> | undefined;
  private wanted = false;
  private failures = 0;
  private restartTimer: NodeJS.Timeout | undefined;

  constructor(private readonly opts: SupervisorOptions) {}

  /** The running process's id, or undefined while it is down. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  /** Starts the process (if it is not running) and keeps it running until `stop`. */
  start(): Promise<void> {
    this.wanted = true;
    this.cancelRestart();
    return this.launchOnce();
  }

  /** Stops the process and any restart that was on its way; resolves once it has exited. */
  async stop(): Promise<void> {
    this.wanted = false;
    this.cancelRestart();
    // A launch under way sees `wanted` false when it finishes and stops what it started.
    await this.starting?.catch(() => undefined);
    const child = this.child;
    this.child = undefined;
    if (child) await stopChild(child, this.opts.stopTimeoutMs);
  }

  private launchOnce(): Promise<void> {
    if (this.child) return Promise.resolve();
    this.starting ??= this.opts.launch().then(
      async (child) => {
        this.starting = undefined;
        if (!this.wanted) return stopChild(child, this.opts.stopTimeoutMs);
        this.child = child;
        if (child.exitCode !== null || child.signalCode !== null) this.exited(child);
        else child.once('exit', () => this.exited(child));
      },
      (err: unknown) => {
        this.starting = undefined;
        throw err;
      },
    );
    return this.starting;
  }

  private exited(child: ChildProcess): void {
    if (this.child !== child) return;
    this.child = undefined;
    if (!this.wanted) return;
    this.log('warn', { pid: child.pid, exit: child.signalCode ?? child.exitCode }, 'exited unexpectedly');
    this.scheduleRestart();
  }

  private scheduleRestart(): void {
    const delays = this.opts.restartDelaysMs ?? RESTART_DELAYS_MS;
    const delay = delays[Math.min(this.failures, delays.length - 1)] ?? 1_000;
    this.restartTimer = setTimeout(() => {
      this.restartTimer = undefined;
      if (!this.wanted) return;
      this.launchOnce().then(
        () => {
          this.failures = 0;
          this.log('info', { pid: this.child?.pid }, 'restarted');
        },
        (err: unknown) => {
          this.failures += 1;
          this.log('error', { err, attempt: this.failures }, 'restart failed; trying again');
          if (this.wanted) this.scheduleRestart();
        },
      );
    }, delay);
    // A pending restart must not keep a finished program alive.
    this.restartTimer.unref();
  }

  private cancelRestart(): void {
    if (this.restartTimer) clearTimeout(this.restartTimer);
    this.restartTimer = undefined;
  }

  private log(level: 'info' | 'warn' | 'error', obj: object, msg: string): void {
    this.opts.logger?.[level]({ ...this.opts.context, ...obj }, `${this.opts.name} ${msg}`);
  }
}
