/**
 * Reads tensors' stored bytes straight into buffers the caller reuses. Fresh memory for every
 * tensor costs more CPU than the merge itself (the kernel zeroes each new page: about 1 s per
 * 0.35 GB on the measured machines), so a merge reads every key of a model into the same buffer.
 * Headers and the index were validated when the checkpoint was opened (core's openCheckpoint);
 * this only locates each tensor's bytes: its shard, the shard's data start and the entry's offsets.
 */

import { existsSync, readFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import { type CheckpointSource, INDEX_FILE, MergebenchError, SINGLE_FILE } from '@mergebench/core';

interface OpenShard {
  readonly handle: FileHandle;
  readonly dataStart: number;
}

export class DirectReader {
  private readonly shards = new Map<string, Promise<OpenShard>>();
  private readonly fileOf: (key: string) => string;

  constructor(
    private readonly dir: string,
    private readonly weights: CheckpointSource,
  ) {
    if (existsSync(join(dir, SINGLE_FILE))) this.fileOf = () => SINGLE_FILE;
    else {
      const index = JSON.parse(readFileSync(join(dir, INDEX_FILE), 'utf8')) as {
        weight_map: Record<string, string>;
      };
      this.fileOf = (key) => index.weight_map[key];
    }
  }

  private shard(file: string): Promise<OpenShard> {
    let shard = this.shards.get(file);
    if (!shard) {
      shard = (async () => {
        const handle = await open(join(this.dir, file), 'r');
        const prefix = Buffer.alloc(8);
        await handle.read(prefix, 0, 8, 0);
        return { handle, dataStart: 8 + Number(prefix.readBigUInt64LE(0)) };
      })();
      this.shards.set(file, shard);
    }
    return shard;
  }

  /** Reads the bytes of `key` into the start of `into` (at least that long); returns the filled view. */
  read(key: string, into: Buffer): Promise<Buffer> {
    const entry = this.weights.info(key);
    return this.readRange(key, 0, entry.end - entry.begin, into);
  }

  /** Reads `length` bytes of `key` from byte `from` of its data into the start of `into`. */
  async readRange(key: string, from: number, length: number, into: Buffer): Promise<Buffer> {
    const entry = this.weights.info(key);
    const { handle, dataStart } = await this.shard(this.fileOf(key));
    const at = dataStart + entry.begin + from;
    let done = 0;
    while (done < length) {
      const { bytesRead } = await handle.read(into, done, length - done, at + done);
      if (bytesRead === 0)
        throw new MergebenchError(`${this.weights.origin}: tensor '${key}' ends early (truncated file?)`);
      done += bytesRead;
    }
    return into.subarray(0, length);
  }

  async close(): Promise<void> {
    for (const shard of this.shards.values()) await (await shard).handle.close();
  }
}
