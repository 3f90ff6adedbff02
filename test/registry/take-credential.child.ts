// Takes the custodian's password in a process of its own, as two API processes would, at an agreed instant so
// that several of these race. Prints the sealed password it got, "none", or the error.
import { openRegistry } from '../../src/registry/store.js';

const [databaseUrl, sharedAccountId, actor, startAt] = process.argv.slice(2);
const store = await openRegistry({ databaseUrl, dataDir: '.' });
try {
  while (Date.now() < Number(startAt)) {
    // Spin rather than sleep: a timer would let the processes drift apart by a few milliseconds.
  }
  const taken = await store.takeCustodianCredential(
    sharedAccountId ?? '',
    actor ?? '',
    new Date().toISOString(),
  );
  process.stdout.write(taken ? taken.sealed : 'none');
} catch (err) {
  process.stdout.write(String(err));
} finally {
  await store.close();
}
