/**
 * Writes a planned checkpoint tensor by tensor: every shard's header up front, then each
 * tensor's bytes at its offset as they arrive (whole or in pieces), in plan order, then the
 * index. A finished shard is flushed to disk in the background while the next is written;
 * `finish` returns once every shard is on disk. Used inside a
 * folder that is moved into place only when complete (see merge-to-folder.ts).
 */
import { type FileHandle, open, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { INDEX_FILE, MergebenchError } from '@mergebench/core';
import { type PlannedShard, shardHeader } from './shard-plan.js';

export class ShardWriter {
  private shardIndex = -1;
  private entryIndex = 0;
  private handle: FileHandle | undefined;
  private position = 0;
  /** Bytes of the current tensor still to come. */
  private remaining = 0;
  private current = '';
  /** Finished shards being flushed to disk (in the background) and closed. */
  private readonly flushing: Promise<void>[] = [];

  constructor(
    private readonly dir: string,
    private readonly shards: readonly PlannedShard[],
    private readonly metadata: Readonly<Record<string, string>> = { format: 'pt' },
  ) {}

  /** Flushes and closes the shard written so far without waiting: `finish` waits for every one. */
  private closeShard(): void {
    const handle = this.handle;
    this.handle = undefined;
    if (handle) {
      const flushed = handle.sync().finally(() => handle.close());
      flushed.catch(() => {}); // awaited in finish(); dropped on abort
      this.flushing.push(flushed);
    }
  }

  private async nextShard(): Promise<void> {
    this.closeShard();
    this.shardIndex++;
    this.entryIndex = 0;
    const shard = this.shards[this.shardIndex];
    this.handle = await open(join(this.dir, shard.file), 'w');
    const header = shardHeader(shard, this.metadata);
    await this.handle.write(header, 0, header.length, 0);
    this.position = header.length;
  }

  /** Starts the next tensor of the plan, `byteLength` bytes appended next (`append`). */
  async begin(key: string, byteLength: number): Promise<void> {
    if (this.remaining > 0)
      throw new MergebenchError(`output: tensor '${this.current}' is missing ${this.remaining} bytes`);
    while (this.shardIndex < 0 || this.entryIndex >= this.shards[this.shardIndex].entries.length) {
      if (this.shardIndex + 1 >= this.shards.length)
        throw new MergebenchError(`output: tensor '${key}' is not in the planned checkpoint`);
      await this.nextShard();
    }
    const entry = this.shards[this.shardIndex].entries[this.entryIndex];
    if (entry.key !== key || entry.byteLength !== byteLength) {
      throw new MergebenchError(
        `output: expected tensor '${entry.key}' (${entry.byteLength} bytes), got '${key}' (${byteLength} bytes)`,
      );
    }
    this.entryIndex++;
    this.current = key;
    this.remaining = byteLength;
  }

  /** The next bytes of the tensor begun last. */
  async append(bytes: Uint8Array): Promise<void> {
    if (bytes.byteLength > this.remaining)
      throw new MergebenchError(`output: tensor '${this.current}' is given more bytes than planned`);
    this.remaining -= bytes.byteLength;
    let done = 0;
    while (done < bytes.length) {
      const { bytesWritten } = await this.handle!.write(bytes, done, bytes.length - done, this.position);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }

  /** Writes the next tensor of the plan; `key` must be the one the plan expects. */
  async write(key: string, bytes: Uint8Array): Promise<void> {
    await this.begin(key, bytes.byteLength);
    await this.append(bytes);
  }

  /** Closes the last shard, waits until every shard is on disk and writes the index when there are several shards. */
  async finish(): Promise<string[]> {
    if (this.remaining > 0)
      throw new MergebenchError(`output: tensor '${this.current}' is missing ${this.remaining} bytes`);
    this.closeShard();
    await Promise.all(this.flushing);
    const files = this.shards.map((shard) => shard.file);
    if (this.shards.length > 1) {
      let total = 0;
      const weightMap: Record<string, string> = {};
      for (const shard of this.shards)
        for (const entry of shard.entries) {
          weightMap[entry.key] = shard.file;
          total += entry.byteLength;
        }
      const index = { metadata: { total_size: total }, weight_map: weightMap };
      await writeFile(join(this.dir, INDEX_FILE), `${JSON.stringify(index, null, 2)}\n`);
      files.push(INDEX_FILE);
    }
    return files;
  }

  async abort(): Promise<void> {
    await this.handle?.close().catch(() => {});
    this.handle = undefined;
    await Promise.allSettled(this.flushing);
  }
}
