import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { beforeAll, describe, expect, it } from 'vitest';
import { testWorkerDataConverter, workflowBundle } from '../helpers/temporal.js';

// Histories recorded from real runs (RECORD_HISTORIES=1 npx vitest run test/workflows/grant.test.ts). A grant
// sleeps for up to 90 days: the workflow code deployed meanwhile must replay what the old code recorded.
// Recording overwrites `<name>.json`; keep the previous ones by renaming them `<name>.vN.json` first.
// The review's histories come from test/workflows/review-rotation.test.ts the same way.
const dir = join(import.meta.dirname, 'histories');
const histories = readdirSync(dir).filter((f) => f.endsWith('.json'));
let bundle: NonNullable<WorkerOptions['workflowBundle']>;

beforeAll(async () => {
  bundle = await workflowBundle();
}, 60_000);

describe('recorded grant and review histories replay with the current workflow code', () => {
  it('has recorded histories to replay', () => {
    expect(histories.length).toBeGreaterThanOrEqual(3);
  });

  it.each(histories)('%s', async (file) => {
    const history = historyFromJSON(JSON.parse(readFileSync(join(dir, file), 'utf8')));
    // With the worker's own converter, which refuses what it cannot decrypt: recorded payloads all decrypt.
    await Worker.runReplayHistory(
      { workflowBundle: bundle, dataConverter: testWorkerDataConverter() },
      history,
    );
  });
});
