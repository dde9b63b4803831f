// @mergebench/image-corruptions: the corruptions of Hendrycks & Dietterich (2019, ImageNet-C)
// that the WEMoE paper's robustness experiment uses, written from their published definitions
// and seeded, for task pools to apply to test images.
export { boxResize } from './box-resample.js';
export { CONTRAST, contrast } from './contrast.js';
export { CORRUPTION_PARAMS, corruptionOf, type SeededCorruption } from './corruption-params.js';
export {
  CORRUPTIONS,
  type CorruptionName,
  type CorruptionSetting,
  corrupt,
  corruptionSetting,
  SEVERITIES,
} from './corruptions.js';
export { gaussianFilter } from './gaussian-filter.js';
export { GAUSSIAN_NOISE, gaussianNoise } from './gaussian-noise.js';
export { clamp01, type Image, spatialScale } from './image.js';
export { IMPULSE_NOISE, impulseNoise } from './impulse-noise.js';
export { JPEG_QUALITY, jpegCompression } from './jpeg-compression.js';
export { MOTION_BLUR, motionBlur } from './motion-blur.js';
export { PIXELATE, pixelate } from './pixelate.js';
export { SPATTER, spatter } from './spatter.js';
