import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import sharp, { type Sharp } from 'sharp';

/** Image format and size typical of each TA8 test set (most SUN397 and DTD photos are larger than 224). */
export const TA8_SHAPES: readonly {
  task: string;
  width: number;
  height: number;
  format: 'jpeg' | 'png';
  gray?: boolean;
}[] = [
  { task: 'sun397', width: 500, height: 375, format: 'jpeg' },
  { task: 'stanford-cars', width: 400, height: 267, format: 'jpeg' },
  { task: 'resisc45', width: 256, height: 256, format: 'jpeg' },
  { task: 'eurosat', width: 64, height: 64, format: 'jpeg' },
  { task: 'svhn', width: 32, height: 32, format: 'png' },
  { task: 'gtsrb', width: 50, height: 48, format: 'png' },
  { task: 'mnist', width: 28, height: 28, format: 'png', gray: true },
  { task: 'dtd', width: 500, height: 400, format: 'jpeg' },
];

/** Photos to cut images from: scikit-learn's two samples when Debian's python3-sklearn has them. */
const PHOTOS = ['china.jpg', 'flower.jpg'].map(
  (f) => `/usr/lib/python3/dist-packages/sklearn/datasets/images/${f}`,
);

async function source(i: number, width: number, height: number): Promise<Sharp> {
  const photo = PHOTOS[i % PHOTOS.length];
  if (existsSync(photo)) {
    // A different crop per image, resized to the task's size.
    const meta = await sharp(photo).metadata();
    const w = Math.min(meta.width!, Math.max(width, 200 + ((i * 37) % 200)));
    const h = Math.min(meta.height!, Math.max(height, 150 + ((i * 53) % 200)));
    const left = (i * 71) % (meta.width! - w + 1);
    const top = (i * 43) % (meta.height! - h + 1);
    return sharp(photo).extract({ left, top, width: w, height: h }).resize(width, height, { fit: 'fill' });
  }
  const noise = Buffer.alloc(width * height * 3);
  for (let p = 0; p < noise.length; p++) noise[p] = (p * 2654435761 + i * 97) % 251;
  return sharp(noise, { raw: { width, height, channels: 3 } }).blur(1.5);
}

/**
 * Writes a TA8-shaped test set: per task a parquet shard `<task>/data/test-00000-of-00001.parquet`
 * (as `datasets` writes) and the same encoded images as files `<task>/files/<i>.<ext>` for PyTorch.
 */
export async function writeTa8Images(dir: string, perTask: number): Promise<void> {
  for (const [t, { task, width, height, format, gray }] of TA8_SHAPES.entries()) {
    const rows: { bytes: Uint8Array; path: string }[] = [];
    mkdirSync(join(dir, task, 'files'), { recursive: true });
    mkdirSync(join(dir, task, 'data'), { recursive: true });
    for (let i = 0; i < perTask; i++) {
      let image = await source(t * 1000 + i, width, height);
      if (gray) image = image.toColourspace('b-w');
      const bytes = await (format === 'jpeg' ? image.jpeg({ quality: 90 }) : image.png()).toBuffer();
      const name = `${i}.${format === 'jpeg' ? 'jpg' : 'png'}`;
      writeFileSync(join(dir, task, 'files', name), bytes);
      rows.push({ bytes, path: name });
    }
    parquetWriteFile({
      filename: join(dir, task, 'data', 'test-00000-of-00001.parquet'),
      columnData: [
        { name: 'image', data: rows },
        { name: 'label', data: BigInt64Array.from(rows, (_, i) => BigInt(i % 10)) },
      ],
      schema: [
        { name: 'schema', num_children: 2 },
        { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
        { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
        { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
        { name: 'label', type: 'INT64', repetition_type: 'OPTIONAL' },
      ],
      rowGroupSize: 100,
    });
  }
}
