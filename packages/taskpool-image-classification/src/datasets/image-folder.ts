import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { MergebenchError } from '@mergebench/core';
import { decodePng } from '../formats/png.js';
import type { ImageSource, TaskSources } from '../image-source.js';
import { resizePlane, shorterSideCrop } from '../preprocess/resize.js';

/** The images of a folder with one sub-folder of PNG files per class. */
export interface ImageFolder {
  readonly dir: string;
  /** Sub-folder names, sorted: the label of a class is its position here. */
  readonly classNames: readonly string[];
  /** Image paths, class by class, sorted by name within a class. */
  readonly files: readonly string[];
  readonly labels: Int32Array;
}

function entries(dir: string): { name: string; isDir: boolean }[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why =
      code === 'ENOENT' ? 'no such folder' : code === 'ENOTDIR' ? 'not a folder' : (err as Error).message;
    throw new MergebenchError(
      `${dir}: ${why}; expected an image folder (one sub-folder of .png images per class)`,
    );
  }
  return names
    .filter((name) => !name.startsWith('.'))
    .sort()
    .map((name) => ({ name, isDir: statSync(join(dir, name)).isDirectory() }));
}

/**
 * Lists an image folder as torchvision's ImageFolder does: classes are the sub-folders in sorted
 * order; their `.png` files (sorted) are the examples; other files and hidden entries are
 * ignored. A folder without classes, or a class without images, is an error.
 */
export function scanImageFolder(dir: string): ImageFolder {
  const classNames = entries(dir)
    .filter((e) => e.isDir)
    .map((e) => e.name);
  if (classNames.length === 0) {
    throw new MergebenchError(
      `${dir}: no class sub-folders; expected one sub-folder of .png images per class`,
    );
  }
  const files: string[] = [];
  const labels: number[] = [];
  classNames.forEach((name, label) => {
    const classDir = join(dir, name);
    const images = entries(classDir).filter((e) => !e.isDir && e.name.toLowerCase().endsWith('.png'));
    if (images.length === 0) throw new MergebenchError(`${classDir}: no .png images in this class folder`);
    for (const image of images) {
      files.push(join(classDir, image.name));
      labels.push(label);
    }
  });
  return { dir, classNames, files, labels: Int32Array.from(labels) };
}

/**
 * The images of a folder as a colour source. Each is read as torchvision's ImageFolder reads it
 * (PIL's convert('RGB'): alpha dropped, gray replicated, palette expanded), then resized like
 * Resize(size) + CenterCrop(size): shorter side to `size` with PIL's bilinear filter, centre crop.
 */
export function imageFolderSource(folder: ImageFolder): ImageSource {
  return {
    labels: folder.labels,
    channels: 3,
    draw(index, size, out, offset) {
      const file = folder.files[index];
      const png = decodePng(readFileSync(file), file);
      const crop = shorterSideCrop(png.height, png.width, size);
      for (let c = 0; c < 3; c++) {
        const plane = { data: png.rgba, height: png.height, width: png.width, offset: c, step: 4 };
        const resized = resizePlane(plane, crop.resizedHeight, crop.resizedWidth);
        const base = offset + c * size * size;
        for (let y = 0; y < size; y++) {
          for (let x = 0; x < size; x++) {
            out[base + y * size + x] = resized[(y + crop.top) * crop.resizedWidth + x + crop.left] / 255;
          }
        }
      }
    },
  };
}

/**
 * A task from an image folder: with `train/` and `test/` sub-folders (which must name the same
 * classes), those are its official splits; otherwise the class folders form one pool that the
 * task pool splits by seed.
 */
export function openImageFolder(dir: string): { classNames: readonly string[]; sources: TaskSources } {
  const subDirs = new Set(
    entries(dir)
      .filter((e) => e.isDir)
      .map((e) => e.name),
  );
  if (subDirs.has('train') && subDirs.has('test')) {
    const train = scanImageFolder(join(dir, 'train'));
    const test = scanImageFolder(join(dir, 'test'));
    if (train.classNames.join('\n') !== test.classNames.join('\n')) {
      throw new MergebenchError(
        `${test.dir}: class folders (${test.classNames.join(', ')}) differ from those of ${train.dir} (${train.classNames.join(', ')})`,
      );
    }
    return {
      classNames: train.classNames,
      sources: { kind: 'official', train: imageFolderSource(train), test: imageFolderSource(test) },
    };
  }
  const all = scanImageFolder(dir);
  return { classNames: all.classNames, sources: { kind: 'pooled', all: imageFolderSource(all) } };
}
