/** One example as stored: the encoded image and its label, with where it came from for errors. */
export interface EncodedExample {
  readonly bytes: Uint8Array;
  readonly label: number;
  /** `<shard file> row <n>`, for error messages. */
  readonly where: string;
}

/**
 * The examples of one split, in blocks that are read whole (a parquet row group, a tar shard),
 * so that memory holds one block's encoded images at a time, never a whole split.
 */
export interface SplitSource {
  /** Example count per block, in file order (from metadata: no image is read). */
  readonly blockSizes: readonly number[];
  /** The encoded examples of one block, in file order. */
  readBlock(block: number): Promise<EncodedExample[]>;
  /** Every label of the split with where it is (reads no image data where the format allows). */
  labels(): Promise<{ readonly labels: Int32Array; where(index: number): string }>;
}

export function sourceSize(source: SplitSource): number {
  return source.blockSizes.reduce((a, b) => a + b, 0);
}
