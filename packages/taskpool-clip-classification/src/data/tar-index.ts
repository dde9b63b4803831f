import { open } from 'node:fs/promises';
import { MergebenchError } from '@mergebench/core';

/** One regular file inside a tar archive. */
export interface TarMember {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
}

const BLOCK = 512;

function field(header: Uint8Array, start: number, length: number): string {
  const bytes = header.subarray(start, start + length);
  const end = bytes.indexOf(0);
  return Buffer.from(end < 0 ? bytes : bytes.subarray(0, end)).toString('utf8');
}

/** Reads the member names, offsets and sizes of a tar file (ustar, with pax and GNU long names), headers only. */
export async function indexTar(path: string, name: string): Promise<TarMember[]> {
  const handle = await open(path, 'r');
  try {
    const { size: fileSize } = await handle.stat();
    const members: TarMember[] = [];
    const header = new Uint8Array(BLOCK);
    let offset = 0;
    let longName: string | undefined;
    while (offset + BLOCK <= fileSize) {
      await handle.read(header, 0, BLOCK, offset);
      if (header.every((b) => b === 0)) break;
      const size = Number.parseInt(field(header, 124, 12).trim() || '0', 8);
      const type = String.fromCharCode(header[156] || 48);
      if (
        !Number.isFinite(size) ||
        (field(header, 257, 5) !== 'ustar' && !/^[0-7 \0]+$/.test(field(header, 148, 8)))
      ) {
        throw new MergebenchError(`${name}: not a tar archive (bad header at byte ${offset})`);
      }
      const data = offset + BLOCK;
      if (type === 'x' || type === 'L') {
        const body = Buffer.alloc(size);
        await handle.read(body, 0, size, data);
        longName =
          type === 'L'
            ? body.toString('utf8').replace(/\0+$/, '')
            : /(?:^|\n)\d+ path=([^\n]*)\n/.exec(body.toString('utf8'))?.[1];
      } else if (type === '0' || type === '\0') {
        const prefix = field(header, 345, 155);
        const own = field(header, 0, 100);
        members.push({ name: longName ?? (prefix ? `${prefix}/${own}` : own), offset: data, size });
        longName = undefined;
      } else longName = undefined;
      offset = data + Math.ceil(size / BLOCK) * BLOCK;
    }
    return members;
  } finally {
    await handle.close();
  }
}
