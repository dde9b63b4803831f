/** `5GB`, `500MB`, `2GiB` or a number of bytes, as Hugging Face's `max_shard_size` (GB = 10⁹). */
import { MergebenchError } from '@mergebench/core';

const UNITS: Record<string, number> = {
  '': 1,
  B: 1,
  KB: 1e3,
  MB: 1e6,
  GB: 1e9,
  KIB: 2 ** 10,
  MIB: 2 ** 20,
  GIB: 2 ** 30,
};

export function parseByteSize(text: string): number {
  const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]*)\s*$/i.exec(text);
  const unit = match?.[2].toUpperCase();
  if (!match || unit === undefined || !(unit in UNITS) || !(Number(match[1]) > 0)) {
    throw new MergebenchError(
      `max shard size ${JSON.stringify(text)}: expected a size such as 5GB, 500MB or 2GiB`,
    );
  }
  return Math.floor(Number(match[1]) * UNITS[unit]);
}
