import { open } from 'node:fs/promises';
import { MergebenchError } from '@mergebench/core';
import { labelValue } from './label-value.js';
import type { EncodedExample, SplitSource } from './split-source.js';
import { indexTar, type TarMember } from './tar-index.js';

interface Sample {
  readonly key: string;
  readonly image: TarMember;
  readonly label: TarMember;
}

interface Shard {
  readonly path: string;
  readonly name: string;
  readonly samples: readonly Sample[];
}

/** WebDataset's grouping: a member `dir/key.ext.more` belongs to sample `dir/key` with extension `ext.more`. */
function splitKey(name: string): [string, string] {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  return dot < 0 ? [name, ''] : [name.slice(0, dot), name.slice(dot + 1)];
}

/**
 * A split stored as WebDataset tar shards (as clip-benchmark's `wds_*` repositories): each sample
 * is `<key>.<image ext>` plus `<key>.<label ext>` holding the label as text. Opening reads only the
 * tar headers; each block is one shard.
 */
export class WebDatasetSplit implements SplitSource {
  readonly blockSizes: readonly number[];

  private constructor(private readonly shards: readonly Shard[]) {
    this.blockSizes = shards.map((s) => s.samples.length);
  }

  static async open(
    shards: readonly { path: string; name: string }[],
    imageExt: string,
    labelExt: string,
  ): Promise<WebDatasetSplit> {
    const opened: Shard[] = [];
    for (const { path, name } of shards) {
      const byKey = new Map<string, Map<string, TarMember>>();
      for (const member of await indexTar(path, name)) {
        const [key, ext] = splitKey(member.name);
        if (!byKey.has(key)) byKey.set(key, new Map());
        byKey.get(key)!.set(ext, member);
      }
      const samples: Sample[] = [];
      for (const [key, members] of byKey) {
        const image = members.get(imageExt);
        const label = members.get(labelExt);
        if (image && label) samples.push({ key, image, label });
        else if (image || label) {
          throw new MergebenchError(
            `${name}: sample '${key}' has ${[...members.keys()].join(', ')}, expected both '${imageExt}' and '${labelExt}'`,
          );
        }
      }
      if (samples.length === 0 && byKey.size > 0) {
        const exts = new Set([...byKey.values()].flatMap((m) => [...m.keys()]));
        throw new MergebenchError(
          `${name}: no sample has both a '${imageExt}' image and a '${labelExt}' label; member extensions there: ${[...exts].join(', ')}`,
        );
      }
      opened.push({ path, name, samples });
    }
    return new WebDatasetSplit(opened);
  }

  async readBlock(index: number): Promise<EncodedExample[]> {
    const shard = this.shards[index];
    return this.readMembers(shard, true);
  }

  async labels(): Promise<{ labels: Int32Array; where(index: number): string }> {
    const all: EncodedExample[] = [];
    for (const shard of this.shards) all.push(...(await this.readMembers(shard, false)));
    return { labels: Int32Array.from(all, (e) => e.label), where: (i) => all[i].where };
  }

  private async readMembers(shard: Shard, withImages: boolean): Promise<EncodedExample[]> {
    const handle = await open(shard.path, 'r');
    try {
      const read = async (m: TarMember) => {
        const buffer = new Uint8Array(m.size);
        await handle.read(buffer, 0, m.size, m.offset);
        return buffer;
      };
      const out: EncodedExample[] = [];
      for (const sample of shard.samples) {
        const where = `${shard.name} sample ${sample.key}`;
        const text = Buffer.from(await read(sample.label)).toString('utf8');
        const label = labelValue(text);
        if (label === undefined)
          throw new MergebenchError(`${where}: label ${JSON.stringify(text)} is not an integer`);
        out.push({ bytes: withImages ? await read(sample.image) : new Uint8Array(0), label, where });
      }
      return out;
    } finally {
      await handle.close();
    }
  }
}
