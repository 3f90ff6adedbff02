import { spawn, type ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, expect, it } from 'vitest';
import { Supervisor } from '../../src/local-stack/supervisor.js';

const lines: string[] = [];
const logger = {
  info: (_: object, msg?: string) => void lines.push(`info ${msg}`),
  warn: (_: object, msg?: string) => void lines.push(`warn ${msg}`),
  error: (_: object, msg?: string) => void lines.push(`error ${msg}`),
};
let supervisor: Supervisor | undefined;

afterEach(async () => {
  await supervisor?.stop();
  lines.length = 0;
});

/** A stand-in server: a process that runs until killed. */
const launchSleeper = async (): Promise<ChildProcess> => spawn('sleep', ['600'], { stdio: 'ignore' });

async function waitFor(check: () => boolean, withinMs = 10_000): Promise<void> {
  const deadline = Date.now() + withinMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('timed out');
    await sleep(50);
  }
}

it('starts the process again after it is killed, and says so', async () => {
  supervisor = new Supervisor({ name: 'sleeper', launch: launchSleeper, logger, restartDelaysMs: [100] });
  await supervisor.start();
  const first = supervisor.pid as number;
  process.kill(first, 'SIGKILL');
  await waitFor(() => supervisor?.pid !== undefined && supervisor.pid !== first);
  expect(lines).toEqual(['warn sleeper exited unexpectedly', 'info sleeper restarted']);
});

it('keeps trying while the launch fails, then recovers', async () => {
  // The first launch works, the next two fail (the port is still taken, say), the fourth works.
  let launches = 0;
  supervisor = new Supervisor({
    name: 'flaky',
    logger,
    restartDelaysMs: [50, 100],
    launch: async () => {
      launches += 1;
      if (launches === 2 || launches === 3) throw new Error('port busy');
      return launchSleeper();
    },
  });
  await supervisor.start();
  process.kill(supervisor.pid as number, 'SIGKILL');
  await waitFor(() => lines.includes('info flaky restarted'));
  expect(lines).toEqual([
    'warn flaky exited unexpectedly',
    'error flaky restart failed; trying again',
    'error flaky restart failed; trying again',
    'info flaky restarted',
  ]);
  expect(supervisor.pid).toBeTypeOf('number');
});

it('leaves a stopped process stopped', async () => {
  supervisor = new Supervisor({ name: 'sleeper', launch: launchSleeper, logger, restartDelaysMs: [50] });
  await supervisor.start();
  await supervisor.stop();
  await sleep(300);
  expect(supervisor.pid).toBeUndefined();
  expect(lines).toEqual([]);
});
