/**
 * How much longer than the deadline it gives the workflow (`answerBy`) a request keeps listening: the workflow
 * acts until its deadline, and its answer still has to travel back.
 */
export const ANSWER_MARGIN_MS = 2000;

/**
 * What `promise` resolves to if it does within `ms`, else `null`. The request answers then (a 202, say); the
 * work goes on in Temporal. Its late answer is of no use to this request: `onLate` gets it (to give back what it
 * carries, say), and a late rejection is dropped without an unhandled rejection.
 */
export async function answerWithin<T>(
  promise: Promise<T>,
  ms: number,
  onLate?: (value: T) => void,
): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  let late = false;
  const timeout = new Promise<null>(
    (resolve) =>
      (timer = setTimeout(() => {
        late = true;
        resolve(null);
      }, ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    promise.then(
      (value) => {
        if (late) onLate?.(value);
      },
      () => undefined,
    );
  }
}
