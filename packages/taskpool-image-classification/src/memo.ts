const cache = new Map<string, Promise<unknown>>();

/**
 * Loads a value once per process and key (decoded data sets, prepared splits): runs that share a
 * process, such as the runs of a benchmark, decode each file once. A failed load is forgotten, so
 * installing a missing data set and trying again works.
 */
export function memoize<T>(key: string, load: () => Promise<T>): Promise<T> {
  let entry = cache.get(key) as Promise<T> | undefined;
  if (!entry) {
    entry = load();
    cache.set(key, entry);
    entry.catch(() => cache.delete(key));
  }
  return entry;
}

/** Forgets every cached data set, releasing its memory. */
export function clearImageCache(): void {
  cache.clear();
}
