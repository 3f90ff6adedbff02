/**
 * What `promise` resolves to if it does within `ms`, else `null`. The request answers then (a 202, say); the
 * work goes on in Temporal, and its late answer, of no use to this request, is dropped without an unhandled
 * rejection.
 */
export async function answerWithin<T>(promise: Promise<T>, ms: number): Promise<T | null> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)));
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
    promise.catch(() => undefined);
  }
}
