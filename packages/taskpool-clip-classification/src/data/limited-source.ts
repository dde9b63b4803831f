import type { EncodedExample, SplitSource } from './split-source.js';

/** The first `limit` examples of a split (for quick runs), still read block by block. */
export function limitSource(source: SplitSource, limit: number | null): SplitSource {
  if (limit === null) return source;
  const blockSizes: number[] = [];
  let left = limit;
  for (const size of source.blockSizes) {
    if (left <= 0) break;
    blockSizes.push(Math.min(size, left));
    left -= size;
  }
  return {
    blockSizes,
    async readBlock(block: number): Promise<EncodedExample[]> {
      return (await source.readBlock(block)).slice(0, blockSizes[block]);
    },
    async labels() {
      const all = await source.labels();
      return {
        labels: all.labels.subarray(
          0,
          blockSizes.reduce((a, b) => a + b, 0),
        ),
        where: all.where,
      };
    },
  };
}
