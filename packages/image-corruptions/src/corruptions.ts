import { createRng, MergebenchError } from '@mergebench/core';
import { contrast } from './contrast.js';
import { gaussianNoise } from './gaussian-noise.js';
import type { Image } from './image.js';
import { impulseNoise } from './impulse-noise.js';
import { jpegCompression } from './jpeg-compression.js';
import { motionBlur } from './motion-blur.js';
import { pixelate } from './pixelate.js';
import { spatter } from './spatter.js';

/** The seven corruptions of the WEMoE paper's robustness experiment (Hendrycks & Dietterich, 2019). */
export const CORRUPTIONS = [
  'motion_blur',
  'impulse_noise',
  'gaussian_noise',
  'pixelate',
  'spatter',
  'contrast',
  'jpeg_compression',
] as const;
export type CorruptionName = (typeof CORRUPTIONS)[number];

export const SEVERITIES = [1, 2, 3, 4, 5] as const;

const APPLY: Readonly<Record<CorruptionName, (image: Image, severity: number, seed: number) => Image>> = {
  motion_blur: (image, severity, seed) => motionBlur(image, severity, createRng(seed)),
  impulse_noise: (image, severity, seed) => impulseNoise(image, severity, createRng(seed)),
  gaussian_noise: (image, severity, seed) => gaussianNoise(image, severity, createRng(seed)),
  pixelate: (image, severity) => pixelate(image, severity),
  spatter: (image, severity, seed) => spatter(image, severity, createRng(seed)),
  contrast: (image, severity) => contrast(image, severity),
  jpeg_compression: (image, severity) => jpegCompression(image, severity),
};

/** A corruption setting as a task pool takes it: `what` names the keys in errors. */
export interface CorruptionSetting {
  readonly name: CorruptionName;
  readonly severity: number;
}

/** Checks a configured corruption and severity; one line naming the key on error. */
export function corruptionSetting(name: string, severity: unknown, what: string): CorruptionSetting {
  if (!(CORRUPTIONS as readonly string[]).includes(name)) {
    throw new MergebenchError(
      `${what}.corruption: unknown corruption '${name}'; expected one of ${CORRUPTIONS.join(', ')}`,
    );
  }
  if (!(SEVERITIES as readonly unknown[]).includes(severity)) {
    throw new MergebenchError(
      `${what}.severity: expected an integer from 1 to 5, got ${JSON.stringify(severity)}`,
    );
  }
  return { name: name as CorruptionName, severity: severity as number };
}

/**
 * The image corrupted by `name` at `severity` (1–5). The random draws (noise, blur angle, liquid
 * layer) come from `seed` alone, so one image with one seed always gets the same corruption.
 */
export function corrupt(image: Image, { name, severity }: CorruptionSetting, seed: number): Image {
  return APPLY[name](image, severity, seed);
}
