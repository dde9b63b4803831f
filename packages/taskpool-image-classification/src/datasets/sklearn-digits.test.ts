import { existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { fixture, tempDir } from '../fixtures.test.helpers.js';
import { loadSklearnDigits, SKLEARN_DIGITS_FILE } from './sklearn-digits.js';

function csvGz(lines: string[]): string {
  const path = join(tempDir(), 'digits.csv.gz');
  writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
  return path;
}

const row = (pixel0: string, label: string) => [pixel0, ...new Array(63).fill('0'), label].join(',');

describe('loadSklearnDigits', () => {
  it('reads one 8×8 sample per line, 64 pixel values 0..16 then the label', async () => {
    const set = await loadSklearnDigits(fixture('sklearn-digits.csv.gz'));
    expect([set.count, set.height, set.width, set.channels, set.maxValue]).toEqual([25, 8, 8, 1, 16]);
    for (let i = 0; i < 25; i++) {
      expect(set.labels[i]).toBe(i % 10);
      expect(set.pixels[i * 64]).toBe(i % 17);
    }
  });

  it.each([
    [
      'a pixel above 16',
      [row('3', '1'), row('17', '2')],
      /digits\.csv\.gz: line 2: pixel 0 is '17', expected an integer 0\.\.16$/,
    ],
    ['a label out of range', [row('3', '10')], /digits\.csv\.gz: line 1: label '10' is out of range 0\.\.9$/],
    ['a value that is not a number', [row('x', '1')], /line 1: pixel 0 is 'x', expected an integer 0\.\.16$/],
    [
      'a short line',
      [row('1', '1'), '1,2,3'],
      /digits\.csv\.gz: line 2: expected 65 comma-separated values \(64 pixels, label\), found 3$/,
    ],
    ['no samples', [''], /digits\.csv\.gz: no samples$/],
  ])('rejects %s, naming the file and line', async (_what, lines, message) => {
    await expect(loadSklearnDigits(csvGz(lines))).rejects.toThrow(message);
  });

  it('names the Debian package when the file is missing', async () => {
    await expect(loadSklearnDigits(join(tempDir(), 'digits.csv.gz'))).rejects.toThrow(
      /digits\.csv\.gz: not found; install scikit-learn digits with `apt-get install python3-sklearn`$/,
    );
  });

  // Runs only where Debian's python3-sklearn is installed; tests pass without it.
  it.skipIf(!existsSync(SKLEARN_DIGITS_FILE))('reads the installed data: 1,797 digits', async () => {
    const set = await loadSklearnDigits(SKLEARN_DIGITS_FILE);
    expect(set.count).toBe(1797);
    expect(Math.max(...set.pixels)).toBe(16);
    expect(new Set(set.labels).size).toBe(10);
  });
});
