// Opens the registry in a process of its own, as the API and a worker do, at an agreed instant so that
// two of these start their migrations together. Prints "opened" or the error.
import { openRegistry } from '../../src/registry/store.js';

const [databaseUrl, startAt] = process.argv.slice(2);
while (Date.now() < Number(startAt)) {
  // Spin rather than sleep: a timer would let the two processes drift apart by a few milliseconds.
}
try {
  const store = await openRegistry({ databaseUrl, dataDir: '.' });
  await store.close();
  process.stdout.write('opened');
} catch (err) {
  process.stdout.write(String(err));
}
