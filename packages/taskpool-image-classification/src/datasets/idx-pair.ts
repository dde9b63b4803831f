import { MergebenchError } from '@mergebench/core';
import { parseIdx } from '../formats/idx.js';
import { maybeGunzip, readDataFile } from '../formats/read-file.js';
import type { ImageSet } from '../image-set.js';

/**
 * Reads an IDX image file ([count, height, width] bytes) and its IDX label file ([count] bytes),
 * gzipped or not, checking that they agree and that every label is below `classes`.
 */
export async function readIdxPair(
  imagesPath: string,
  labelsPath: string,
  classes: number,
  installHint: string,
): Promise<ImageSet> {
  const images = parseIdx(maybeGunzip(await readDataFile(imagesPath, installHint), imagesPath), imagesPath);
  const labels = parseIdx(maybeGunzip(await readDataFile(labelsPath, installHint), labelsPath), labelsPath);
  if (images.dims.length !== 3) {
    throw new MergebenchError(
      `${imagesPath}: expected images [count, height, width], got dimensions [${images.dims}]`,
    );
  }
  if (labels.dims.length !== 1) {
    throw new MergebenchError(`${labelsPath}: expected labels [count], got dimensions [${labels.dims}]`);
  }
  const [count, height, width] = images.dims;
  if (labels.dims[0] !== count) {
    throw new MergebenchError(
      `${labelsPath}: ${labels.dims[0]} labels for the ${count} images of ${imagesPath}`,
    );
  }
  const bad = labels.data.findIndex((label) => label >= classes);
  if (bad >= 0) {
    throw new MergebenchError(
      `${labelsPath}: label ${labels.data[bad]} at index ${bad} is out of range 0..${classes - 1}`,
    );
  }
  return {
    count,
    height,
    width,
    channels: 1,
    pixels: images.data,
    maxValue: 255,
    labels: Int32Array.from(labels.data),
  };
}
