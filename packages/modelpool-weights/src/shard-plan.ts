/**
 * The layout of an output checkpoint, fixed before any byte is written: each tensor's stored
 * dtype and size, split greedily in key order into shards of at most `maxShardBytes` (a larger
 * tensor gets a shard of its own), named as Hugging Face names them. Knowing every header in
 * advance is what lets tensors be written one by one as they are merged.
 */
import { SAFETENSORS_DTYPES, type SafetensorsDtype, SINGLE_FILE, shardFileName } from '@mergebench/core';

export interface PlannedEntry {
  readonly key: string;
  readonly dtype: SafetensorsDtype;
  readonly shape: readonly number[];
  readonly byteLength: number;
}

export interface PlannedShard {
  readonly file: string;
  readonly entries: readonly PlannedEntry[];
}

export function planEntry(key: string, dtype: SafetensorsDtype, shape: readonly number[]): PlannedEntry {
  return {
    key,
    dtype,
    shape,
    byteLength: shape.reduce((a, b) => a * b, 1) * SAFETENSORS_DTYPES[dtype].bytes,
  };
}

export function planShards(entries: readonly PlannedEntry[], maxShardBytes: number): PlannedShard[] {
  const groups: PlannedEntry[][] = [];
  let current: PlannedEntry[] = [];
  let size = 0;
  for (const entry of entries) {
    if (current.length > 0 && size + entry.byteLength > maxShardBytes) {
      groups.push(current);
      current = [];
      size = 0;
    }
    current.push(entry);
    size += entry.byteLength;
  }
  if (current.length > 0 || groups.length === 0) groups.push(current);
  if (groups.length === 1) return [{ file: SINGLE_FILE, entries: groups[0] }];
  return groups.map((group, i) => ({ file: shardFileName(i, groups.length), entries: group }));
}

/** The safetensors header of a shard, padded with spaces to 8 bytes, with its length prefix. */
export function shardHeader(shard: PlannedShard, metadata: Readonly<Record<string, string>>): Uint8Array {
  const header: Record<string, unknown> = { __metadata__: metadata };
  let offset = 0;
  for (const entry of shard.entries) {
    header[entry.key] = {
      dtype: entry.dtype,
      shape: entry.shape,
      data_offsets: [offset, offset + entry.byteLength],
    };
    offset += entry.byteLength;
  }
  let json = new TextEncoder().encode(JSON.stringify(header));
  const padded = Math.ceil(json.length / 8) * 8;
  if (padded !== json.length) {
    const withSpaces = new Uint8Array(padded).fill(0x20);
    withSpaces.set(json);
    json = withSpaces;
  }
  const out = new Uint8Array(8 + json.length);
  new DataView(out.buffer).setBigUint64(0, BigInt(json.length), true);
  out.set(json, 8);
  return out;
}
