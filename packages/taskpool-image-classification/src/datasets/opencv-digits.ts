import { MergebenchError } from '@mergebench/core';
import { decodePng } from '../formats/png.js';
import { readDataFile } from '../formats/read-file.js';
import type { ImageSet } from '../image-set.js';

/** Where Debian's `opencv-doc` installs the digits image. */
export const OPENCV_DIGITS_FILE = '/usr/share/doc/opencv-doc/examples/data/digits.png';

const CELL = 20;
const INSTALL_HINT =
  'install it with `apt-get install opencv-doc`, or extract just this file with scripts/install-datasets.sh ' +
  'of @mergebench/taskpool-image-classification';

/**
 * OpenCV's handwritten digits: one grayscale PNG holding a grid of 20×20 digits (the original has
 * 50 rows × 100 columns, 5,000 digits), the digits of each tenth of the rows being one class
 * (label = row·10 / rows). Cells are read row by row.
 */
export async function loadOpenCvDigits(file: string = OPENCV_DIGITS_FILE): Promise<ImageSet> {
  const png = decodePng(await readDataFile(file, INSTALL_HINT), file);
  const rows = png.height / CELL;
  const cols = png.width / CELL;
  if (!Number.isInteger(rows) || !Number.isInteger(cols) || rows % 10 !== 0 || cols === 0) {
    throw new MergebenchError(
      `${file}: expected a grid of 20×20 digits with a multiple of 10 rows, got a ${png.width}×${png.height} image`,
    );
  }
  if (!png.grayscale) throw new MergebenchError(`${file}: expected a grayscale PNG, got a colour one`);
  const count = rows * cols;
  const pixels = new Uint8Array(count * CELL * CELL);
  const labels = new Int32Array(count);
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < cols; c++) {
      const index = r * cols + c;
      labels[index] = Math.floor((r * 10) / rows);
      for (let y = 0; y < CELL; y++) {
        for (let x = 0; x < CELL; x++) {
          // Grayscale decodes to R = G = B; R is the intensity.
          pixels[(index * CELL + y) * CELL + x] = png.rgba[((r * CELL + y) * png.width + c * CELL + x) * 4];
        }
      }
    }
  }
  return { count, height: CELL, width: CELL, channels: 1, pixels, maxValue: 255, labels };
}
