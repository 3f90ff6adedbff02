// Calls one method of the registry in a process of its own, as two API processes would, at an agreed instant so
// that several of these race. Prints its answer as JSON, or the error.
import { openRegistry } from '../../src/registry/store.js';

const [databaseUrl, startAt, method, args] = process.argv.slice(2);
const store = await openRegistry({ databaseUrl, dataDir: '.' });
try {
  const call = (store as unknown as Record<string, (...args: unknown[]) => Promise<unknown>>)[method ?? ''];
  if (!call) throw new Error(`the registry has no method ${method}`);
  const parsed = JSON.parse(args ?? '[]') as unknown[];
  while (Date.now() < Number(startAt)) {
    // Spin rather than sleep: a timer would let the processes drift apart by a few milliseconds.
  }
  process.stdout.write(JSON.stringify((await call.apply(store, parsed)) ?? null));
} catch (err) {
  process.stdout.write(String(err));
} finally {
  await store.close();
}
