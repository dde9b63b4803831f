// Writes fixtures/: small data sets in the exact file formats of the Hub repositories this package
// reads, so tests need no network. Run from the package folder: node scripts/make-fixtures.mjs
//
// - tanganke-eurosat/         `huggingface-cli download --local-dir` layout of a `datasets` repo:
//                             README.md (class_label names, configs/data_files), data/test-0000{0,1}-of-00002.parquet
//                             (JPEG, grayscale PNG and palette PNG images, row groups of 3), data/train-00000-of-00001.parquet
// - ufldl-stanford-svhn/      a repo with config folders (cropped_digits/, full_numbers/) and a list-valued dataset_info
// - 1aurent-PatchCamelyon/    boolean labels (`dtype: bool`), splits train/valid/test
// - clip-benchmark-wds_fer2013/  WebDataset tar shards (test/0.tar, train/0.tar) with <key>.jpg and <key>.cls, classnames.txt
// - parity/                   the first three images of the eurosat test split as files, for
//                             tools/reference/clip_classification_fixtures.py
// Images are deterministic (seeded); the parquet files carry the `huggingface` metadata `datasets` writes.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parquetWriteFile } from 'hyparquet-writer';
import sharp from 'sharp';

const OUT = new URL('../fixtures/', import.meta.url).pathname;

function rng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A photo-like 8-bit RGB image: smooth colour fields, a bright edge and noise. */
function pixels(width, height, seed) {
  const r = rng(seed);
  const phase = [r() * 6, r() * 6, r() * 6];
  const fx = 2 + r() * 6;
  const fy = 2 + r() * 6;
  const data = new Uint8Array(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const edge = x > width * 0.55 && y < height * 0.4 ? 70 : 0;
      for (let c = 0; c < 3; c++) {
        const v =
          127.5 + 95 * Math.sin((fx * x) / width + (fy * y) / height + phase[c]) + edge + (r() - 0.5) * 40;
        data[(y * width + x) * 3 + c] = Math.max(0, Math.min(255, Math.round(v)));
      }
    }
  }
  return data;
}

async function encode(kind, width, height, seed) {
  const raw = sharp(Buffer.from(pixels(width, height, seed)), { raw: { width, height, channels: 3 } });
  switch (kind) {
    case 'jpeg':
      return raw.jpeg({ quality: 90 }).toBuffer();
    case 'gray-png':
      return raw.toColourspace('b-w').png().toBuffer();
    case 'palette-png':
      return raw.png({ palette: true, colours: 16 }).toBuffer();
    case 'rgba-png':
      return raw.ensureAlpha(0.5).png().toBuffer();
    default:
      return raw.png().toBuffer();
  }
}

/** The `huggingface` key-value metadata `datasets` puts in every parquet file it writes. */
function hfMetadata(classNames, labelType = 'ClassLabel') {
  const label =
    labelType === 'ClassLabel'
      ? { names: classNames, _type: 'ClassLabel' }
      : { dtype: 'bool', _type: 'Value' };
  return JSON.stringify({ info: { features: { image: { _type: 'Image' }, label } } });
}

function writeShard(
  file,
  rows,
  { labelColumn = 'label', labelType = 'INT64', classNames = [], rowGroupSize = 3 } = {},
) {
  mkdirSync(join(file, '..'), { recursive: true });
  const labels =
    labelType === 'BOOLEAN'
      ? rows.map((row) => Boolean(row.label))
      : BigInt64Array.from(rows, (row) => BigInt(row.label));
  parquetWriteFile({
    filename: file,
    columnData: [
      { name: 'image', data: rows.map((row) => ({ bytes: row.bytes, path: row.path })) },
      { name: labelColumn, data: labels },
    ],
    schema: [
      { name: 'schema', num_children: 2 },
      { name: 'image', repetition_type: 'OPTIONAL', num_children: 2 },
      { name: 'bytes', type: 'BYTE_ARRAY', repetition_type: 'OPTIONAL' },
      { name: 'path', type: 'BYTE_ARRAY', converted_type: 'UTF8', repetition_type: 'OPTIONAL' },
      { name: labelColumn, type: labelType, repetition_type: 'OPTIONAL' },
    ],
    rowGroupSize,
    kvMetadata: [
      { key: 'huggingface', value: hfMetadata(classNames, labelType === 'BOOLEAN' ? 'bool' : 'ClassLabel') },
    ],
  });
}

async function makeRows(count, seed, kinds, classes) {
  const rows = [];
  const sizes = [
    [40, 30],
    [24, 36],
    [33, 33],
    [50, 20],
  ];
  for (let i = 0; i < count; i++) {
    const [w, h] = sizes[(i + seed) % sizes.length];
    const kind = kinds[i % kinds.length];
    const ext = kind === 'jpeg' ? 'jpg' : 'png';
    rows.push({
      bytes: await encode(kind, w, h, seed * 1000 + i),
      path: `${seed}_${i}.${ext}`,
      label: (i * 3 + seed) % classes,
    });
  }
  return rows;
}

function classLabelYaml(names, indent) {
  return names.map((name, i) => `${indent}'${i}': ${name}`).join('\n');
}

const EUROSAT = [
  'AnnualCrop',
  'Forest',
  'HerbaceousVegetation',
  'Highway',
  'Industrial',
  'Pasture',
  'PermanentCrop',
  'Residential',
  'River',
  'SeaLake',
];
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
const FER = ['angry', 'disgusted', 'fearful', 'happy', 'neutral', 'sad', 'surprised'];

rmSync(OUT, { recursive: true, force: true });

// tanganke/eurosat: one config, data/<split>-NNNNN-of-MMMMM.parquet
{
  const root = join(OUT, 'tanganke-eurosat');
  const test0 = await makeRows(7, 1, ['jpeg', 'jpeg', 'gray-png', 'jpeg', 'palette-png'], 10);
  const test1 = await makeRows(5, 2, ['jpeg', 'rgba-png'], 10);
  const train = await makeRows(8, 3, ['jpeg'], 10);
  writeShard(join(root, 'data/test-00000-of-00002.parquet'), test0, { classNames: EUROSAT });
  writeShard(join(root, 'data/test-00001-of-00002.parquet'), test1, { classNames: EUROSAT });
  writeShard(join(root, 'data/train-00000-of-00001.parquet'), train, {
    classNames: EUROSAT,
    rowGroupSize: 4,
  });
  writeFileSync(
    join(root, 'README.md'),
    `---
dataset_info:
  features:
  - name: image
    dtype: image
  - name: label
    dtype:
      class_label:
        names:
${classLabelYaml(EUROSAT, '          ')}
  splits:
  - name: train
    num_bytes: 1000
    num_examples: 8
  - name: test
    num_bytes: 1000
    num_examples: 12
configs:
- config_name: default
  data_files:
  - split: train
    path: data/train-*
  - split: test
    path: data/test-*
---

# EuroSAT (fixture)

Twelve test and eight training images in the layout of tanganke/eurosat.
`,
  );
  mkdirSync(join(OUT, 'parity'), { recursive: true });
  for (const [i, row] of test0.slice(0, 3).entries()) {
    writeFileSync(join(OUT, 'parity', `image${i}.${row.path.split('.')[1]}`), row.bytes);
  }
  writeFileSync(
    join(OUT, 'parity', 'labels.json'),
    `${JSON.stringify(test0.slice(0, 3).map((row) => row.label))}\n`,
  );
}

// ufldl-stanford/svhn: config folders, dataset_info as a list with config_name
{
  const root = join(OUT, 'ufldl-stanford-svhn');
  writeShard(
    join(root, 'cropped_digits/test-00000-of-00001.parquet'),
    await makeRows(6, 4, ['png', 'rgba-png'], 10),
    {
      classNames: DIGITS,
      rowGroupSize: 4,
    },
  );
  writeShard(join(root, 'cropped_digits/train-00000-of-00001.parquet'), await makeRows(5, 5, ['png'], 10), {
    classNames: DIGITS,
  });
  writeShard(join(root, 'cropped_digits/extra-00000-of-00001.parquet'), await makeRows(2, 6, ['png'], 10), {
    classNames: DIGITS,
  });
  writeShard(join(root, 'full_numbers/test-00000-of-00001.parquet'), await makeRows(2, 7, ['png'], 10), {
    labelColumn: 'digits',
  });
  writeFileSync(
    join(root, 'README.md'),
    `---
pretty_name: Street View House Numbers
dataset_info:
- config_name: cropped_digits
  features:
  - name: image
    dtype: image
  - name: label
    dtype:
      class_label:
        names:
${classLabelYaml(DIGITS, '          ')}
  splits:
  - name: train
    num_examples: 5
  - name: test
    num_examples: 6
  - name: extra
    num_examples: 2
- config_name: full_numbers
  features:
  - name: image
    dtype: image
  - name: digits
    sequence:
      - name: label
        dtype: int64
configs:
- config_name: cropped_digits
  data_files:
  - split: train
    path: cropped_digits/train-*
  - split: test
    path: cropped_digits/test-*
  - split: extra
    path: cropped_digits/extra-*
- config_name: full_numbers
  data_files:
  - split: test
    path: full_numbers/test-*
---

# SVHN (fixture)
`,
  );
}

// 1aurent/PatchCamelyon: boolean labels, no class names in the card
{
  const root = join(OUT, '1aurent-PatchCamelyon');
  for (const [split, seed] of [
    ['test', 8],
    ['valid', 9],
  ]) {
    writeShard(join(root, `data/${split}-00000-of-00001.parquet`), await makeRows(4, seed, ['jpeg'], 2), {
      labelType: 'BOOLEAN',
      rowGroupSize: 2,
    });
  }
  writeFileSync(
    join(root, 'README.md'),
    `---
configs:
- config_name: default
  data_files:
  - split: valid
    path: data/valid-*
  - split: test
    path: data/test-*
dataset_info:
  features:
  - name: image
    dtype: image
  - name: label
    dtype: bool
---

# PatchCamelyon (fixture)
`,
  );
}

// clip-benchmark/wds_fer2013: WebDataset tar shards and classnames.txt, no dataset card
{
  const root = join(OUT, 'clip-benchmark-wds_fer2013');
  mkdirSync(root, { recursive: true });
  writeFileSync(join(root, 'classnames.txt'), `${FER.join('\n')}\n`);
  for (const [split, count, seed] of [
    ['test', 5, 10],
    ['train', 3, 11],
  ]) {
    const rows = await makeRows(count, seed, ['jpeg'], FER.length);
    const staging = mkdtempSync(join(tmpdir(), 'wds-'));
    const names = [];
    rows.forEach((row, i) => {
      const key = `s${String(i).padStart(6, '0')}`;
      writeFileSync(join(staging, `${key}.jpg`), row.bytes);
      writeFileSync(join(staging, `${key}.cls`), `${row.label}\n`);
      names.push(`${key}.cls`, `${key}.jpg`);
    });
    mkdirSync(join(root, split), { recursive: true });
    execFileSync('tar', [
      '--format=ustar',
      '--mtime=@0',
      '--owner=0',
      '--group=0',
      '--numeric-owner',
      '-cf',
      join(root, split, '0.tar'),
      '-C',
      staging,
      ...names,
    ]);
    rmSync(staging, { recursive: true });
  }
}
console.log(`fixtures written to ${OUT}`);
