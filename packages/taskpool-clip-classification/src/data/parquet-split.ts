import { basename } from 'node:path';
import { MergebenchError } from '@mergebench/core';
import {
  type AsyncBuffer,
  asyncBufferFromFile,
  type FileMetaData,
  parquetMetadataAsync,
  parquetReadObjects,
  parquetSchema,
} from 'hyparquet';
import { compressors } from 'hyparquet-compressors';
import { labelValue } from './label-value.js';
import type { EncodedExample, SplitSource } from './split-source.js';

interface Shard {
  /** Path relative to the repository, for messages. */
  readonly name: string;
  readonly file: AsyncBuffer;
  readonly metadata: FileMetaData;
}

interface Block {
  readonly shard: Shard;
  readonly rowStart: number;
  readonly rowEnd: number;
}

/**
 * A split stored as parquet shards (as `datasets` writes them): one row per example, an image
 * column (a struct of `bytes` and `path`, or plain bytes) and an integer or boolean label column.
 * Opening reads only the footers; each block is one row group.
 */
export class ParquetSplit implements SplitSource {
  readonly blockSizes: readonly number[];

  private constructor(
    private readonly blocks: readonly Block[],
    private readonly imageColumn: string,
    private readonly labelColumn: string,
  ) {
    this.blockSizes = blocks.map((b) => b.rowEnd - b.rowStart);
  }

  /** Opens the shards (`path` on disk, `name` relative to the repository) and checks their columns. */
  static async open(
    shards: readonly { path: string; name: string }[],
    imageColumn: string,
    labelColumn: string,
  ): Promise<ParquetSplit> {
    const blocks: Block[] = [];
    for (const { path, name } of shards) {
      const file = await asyncBufferFromFile(path);
      const metadata = await parquetMetadataAsync(file).catch((error: Error) => {
        throw new MergebenchError(`${name}: not a readable parquet file (${error.message})`);
      });
      const columns = parquetSchema(metadata).children.map((c) => c.element.name);
      for (const column of [imageColumn, labelColumn]) {
        if (!columns.includes(column)) {
          throw new MergebenchError(
            `${name}: no column '${column}' (the ${column === imageColumn ? 'image' : 'label'} column); columns there: ${columns.join(', ')}`,
          );
        }
      }
      const shard = { name, file, metadata };
      let start = 0;
      for (const group of metadata.row_groups) {
        const rows = Number(group.num_rows);
        if (rows > 0) blocks.push({ shard, rowStart: start, rowEnd: start + rows });
        start += rows;
      }
    }
    return new ParquetSplit(blocks, imageColumn, labelColumn);
  }

  async readBlock(index: number): Promise<EncodedExample[]> {
    const { shard, rowStart, rowEnd } = this.blocks[index];
    const rows = await this.read(shard, [this.imageColumn, this.labelColumn], rowStart, rowEnd);
    return rows.map((row, i) => {
      const where = `${shard.name} row ${rowStart + i}`;
      return { bytes: imageBytes(row[this.imageColumn], where), label: this.label(row, where), where };
    });
  }

  async labels(): Promise<{ labels: Int32Array; where(index: number): string }> {
    const labels = new Int32Array(this.blockSizes.reduce((a, b) => a + b, 0));
    const starts: number[] = [];
    let at = 0;
    for (const { shard, rowStart, rowEnd } of this.blocks) {
      starts.push(at);
      const rows = await this.read(shard, [this.labelColumn], rowStart, rowEnd);
      rows.forEach((row, i) => {
        labels[at + i] = this.label(row, `${shard.name} row ${rowStart + i}`);
      });
      at += rows.length;
    }
    const where = (index: number): string => {
      let b = starts.length - 1;
      while (starts[b] > index) b--;
      const { shard, rowStart } = this.blocks[b];
      return `${shard.name} row ${rowStart + index - starts[b]}`;
    };
    return { labels, where };
  }

  private async read(shard: Shard, columns: string[], rowStart: number, rowEnd: number) {
    try {
      return await parquetReadObjects({
        file: shard.file,
        metadata: shard.metadata,
        columns,
        rowStart,
        rowEnd,
        compressors,
        utf8: false,
      });
    } catch (error) {
      throw new MergebenchError(
        `${shard.name}: cannot read rows ${rowStart}-${rowEnd - 1} (${(error as Error).message})`,
      );
    }
  }

  private label(row: Record<string, unknown>, where: string): number {
    const value = labelValue(row[this.labelColumn]);
    if (value === undefined) {
      throw new MergebenchError(
        `${where}: label column '${this.labelColumn}' holds ${String(row[this.labelColumn])}, expected an integer or a boolean`,
      );
    }
    return value;
  }
}

/** The encoded bytes of an image cell: `datasets`' struct `{bytes, path}` or a plain binary value. */
function imageBytes(cell: unknown, where: string): Uint8Array {
  if (cell instanceof Uint8Array) return cell;
  if (typeof cell === 'object' && cell !== null) {
    const { bytes, path } = cell as { bytes?: unknown; path?: unknown };
    if (bytes instanceof Uint8Array && bytes.length > 0) return bytes;
    if (typeof path === 'string' && path !== '') {
      throw new MergebenchError(
        `${where}: the image has no embedded bytes, only a path (${basename(path)}); expected images stored in the parquet file`,
      );
    }
  }
  throw new MergebenchError(
    `${where}: expected an image struct with bytes, got ${cell === null ? 'null' : typeof cell}`,
  );
}
