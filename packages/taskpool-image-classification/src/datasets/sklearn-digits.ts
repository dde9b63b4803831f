import { MergebenchError } from '@mergebench/core';
import { maybeGunzip, readDataFile } from '../formats/read-file.js';
import type { ImageSet } from '../image-set.js';

/** Where Debian's `python3-sklearn` installs the digits data. */
export const SKLEARN_DIGITS_FILE = '/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz';

const SIDE = 8;
const PIXELS = SIDE * SIDE;
const MAX_VALUE = 16;
const INSTALL_HINT = 'install scikit-learn digits with `apt-get install python3-sklearn`';

/**
 * scikit-learn's digits (1,797 samples of 8×8, intensities 0..16): a gzipped CSV without header,
 * one sample per line, 64 pixel values then the label 0..9.
 */
export async function loadSklearnDigits(file: string = SKLEARN_DIGITS_FILE): Promise<ImageSet> {
  const text = new TextDecoder().decode(maybeGunzip(await readDataFile(file, INSTALL_HINT), file));
  const lines = text.split('\n').filter((line) => line.trim() !== '');
  if (lines.length === 0) throw new MergebenchError(`${file}: no samples`);
  const pixels = new Uint8Array(lines.length * PIXELS);
  const labels = new Int32Array(lines.length);
  lines.forEach((line, i) => {
    const fields = line.split(',');
    // Number('') is 0: only plain digits count as values.
    const values = fields.map((field) => (/^\s*\d+\s*$/.test(field) ? Number(field) : Number.NaN));
    const where = `${file}: line ${i + 1}`;
    if (fields.length !== PIXELS + 1) {
      throw new MergebenchError(
        `${where}: expected 65 comma-separated values (64 pixels, label), found ${fields.length}`,
      );
    }
    const bad = values.findIndex((v, k) => !Number.isInteger(v) || v < 0 || v > (k < PIXELS ? MAX_VALUE : 9));
    if (bad >= 0) {
      const what =
        bad < PIXELS
          ? `pixel ${bad} is '${fields[bad]}', expected an integer 0..16`
          : `label '${fields[bad]}' is out of range 0..9`;
      throw new MergebenchError(`${where}: ${what}`);
    }
    pixels.set(values.slice(0, PIXELS), i * PIXELS);
    labels[i] = values[PIXELS];
  });
  return { count: lines.length, height: SIDE, width: SIDE, channels: 1, pixels, maxValue: MAX_VALUE, labels };
}
