import { deriveSeed } from '@mergebench/core';
import { corrupt, type SeededCorruption } from '@mergebench/image-corruptions';
import type { RgbImage } from './decode-image.js';

/** FNV-1a over the encoded bytes: an image's identity that does not depend on where it is stored. */
function contentHash(bytes: Uint8Array): string {
  let h = 0x811c9dc5;
  for (let i = 0; i < bytes.length; i++) h = Math.imul(h ^ bytes[i], 0x01000193);
  return (h >>> 0).toString(16);
}

/**
 * A decoded test image corrupted at its own resolution, before CLIP's resize and crop; its seed
 * derives from the corruption's seed, the task and the image's encoded bytes, so the same image
 * is corrupted the same way in every run, whatever order it is read in.
 */
export function corruptRgb(
  image: RgbImage,
  encoded: Uint8Array,
  corruption: SeededCorruption,
  task: string,
): RgbImage {
  const data = Float32Array.from(image.data, (v) => v / 255);
  const out = corrupt(
    { width: image.width, height: image.height, channels: 3, data },
    corruption,
    deriveSeed(corruption.seed, `corruption/${task}/${contentHash(encoded)}`),
  );
  return {
    width: image.width,
    height: image.height,
    data: Uint8Array.from(out.data, (v) => Math.round(v * 255)),
  };
}
