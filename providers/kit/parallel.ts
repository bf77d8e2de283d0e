/** Bounded concurrency: the one limiter of ddnsd (p-limit), for adapters and the cycle alike. */
import pLimit from 'p-limit';

export { pLimit };

/** Runs `work` over `items`, at most `limit` at a time; results in the items' order. */
export async function inParallel<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const slot = pLimit(limit);
  return Promise.all(items.map((item) => slot(() => work(item))));
}
