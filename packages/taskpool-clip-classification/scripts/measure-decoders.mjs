// Times JPEG decoding to 8-bit RGB with sharp (libvips/libjpeg-turbo) and jpeg-js (pure
// JavaScript) on photos at the sizes of the benchmark's data sets. Usage:
//   node scripts/measure-decoders.mjs [photo.jpg ...]
// Without arguments it uses scikit-learn's two sample photos when Debian's python3-sklearn is
// installed. Each photo is cropped to 256x256 and 500x375 and re-encoded at quality 90 first.
import { existsSync } from 'node:fs';
import { performance } from 'node:perf_hooks';
import jpeg from 'jpeg-js';
import sharp from 'sharp';

const SAMPLE_DIR = '/usr/lib/python3/dist-packages/sklearn/datasets/images';
const photos =
  process.argv.length > 2
    ? process.argv.slice(2)
    : ['china.jpg', 'flower.jpg'].map((f) => `${SAMPLE_DIR}/${f}`);
for (const photo of photos) if (!existsSync(photo)) throw new Error(`no photo at ${photo}`);
sharp.concurrency(1);

async function encode(photo, width, height) {
  return sharp(photo).resize(width, height, { fit: 'cover' }).jpeg({ quality: 90 }).toBuffer();
}

async function decodeSharp(bytes) {
  const { data, info } = await sharp(bytes)
    .removeAlpha()
    .toColourspace('srgb')
    .raw()
    .toBuffer({ resolveWithObject: true });
  return data.length / (info.width * info.height);
}

function decodeJpegJs(bytes) {
  const { data, width, height } = jpeg.decode(bytes, { useTArray: true, formatAsRGBA: false });
  return data.length / (width * height);
}

async function time(label, images, decode) {
  for (const image of images) await decode(image); // warm-up
  const rounds = 5;
  const start = performance.now();
  for (let r = 0; r < rounds; r++) for (const image of images) await decode(image);
  const ms = (performance.now() - start) / (rounds * images.length);
  console.log(
    `${label.padEnd(26)} ${ms.toFixed(2).padStart(7)} ms/image  ${(1000 / ms).toFixed(0).padStart(6)} images/s`,
  );
  return ms;
}

for (const [width, height] of [
  [256, 256],
  [500, 375],
]) {
  const images = [];
  for (const photo of photos) for (let i = 0; i < 10; i++) images.push(await encode(photo, width, height));
  const kb = images.reduce((s, b) => s + b.length, 0) / images.length / 1024;
  console.log(
    `${width}x${height} JPEG (quality 90, ${kb.toFixed(0)} KiB on average), ${images.length} images`,
  );
  const a = await time('  sharp (1 libvips thread)', images, decodeSharp);
  const b = await time('  jpeg-js', images, decodeJpegJs);
  console.log(`  jpeg-js / sharp: ${(b / a).toFixed(2)}x the time`);
}
