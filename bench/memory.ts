/**
 * Worker memory with sleeping grants (docs/operations.md: 10,000 of them keep worker memory within 20 % of
 * 100). Real servers: a Temporal dev server, slapd, the API in this process and one worker process; grants are
 * created through the API and sleep for 30 days. Prints the worker's resident memory at each step.
 *
 *   npx tsx bench/memory.ts [--grants 10000] [--baseline 100]
 */
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseArgs } from 'node:util';
import { TestStack } from '../test/helpers/stack.js';
import { createGrants } from './grants.js';

const { values } = parseArgs({
  options: { grants: { type: 'string', default: '10000' }, baseline: { type: 'string', default: '100' } },
});
const total = Number(values.grants);
const baseline = Number(values.baseline);

/** Resident memory of a process in MiB, from /proc. */
function rssMiB(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kib = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? NaN);
  return kib / 1024;
}

/** The median of a few samples once the worker has settled. */
async function settledRss(pid: number): Promise<number> {
  await sleep(5000);
  const samples: number[] = [];
  for (let i = 0; i < 5; i++) {
    samples.push(rssMiB(pid));
    await sleep(1000);
  }
  return samples.sort((a, b) => a - b)[2] as number;
}

/** Grants `from`…`to - 1`, sleeping for 30 days. */
async function createSleeping(stack: TestStack, from: number, to: number): Promise<void> {
  await createGrants(stack, {
    from,
    to,
    organisation: (i) => `Sleeping Supplier ${i}`,
    expiresAt: new Date(Date.now() + 30 * 86_400_000).toISOString(),
    reason: 'memory benchmark',
  });
}

async function main(): Promise<void> {
  const stack = await TestStack.start({ LOG_LEVEL: 'warn' });
  try {
    const pid = stack.workerPids[0] as number;
    const started = Date.now();
    await createSleeping(stack, 0, baseline);
    const base = await settledRss(pid);
    console.log(`${baseline} sleeping grants: worker RSS ${base.toFixed(0)} MiB`);
    let created = baseline;
    for (const step of [total / 4, total / 2, total].map(Math.round)) {
      await createSleeping(stack, created, step);
      created = step;
      const rss = await settledRss(pid);
      const over = ((rss / base - 1) * 100).toFixed(0);
      console.log(`${step} sleeping grants: worker RSS ${rss.toFixed(0)} MiB (${over} % over ${baseline})`);
    }
    console.log(
      `target: within 20 % of the ${baseline}-grant figure; took ${((Date.now() - started) / 1000).toFixed(0)} s`,
    );
  } finally {
    await stack.stop();
  }
}

await main();
