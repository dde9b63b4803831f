import { join } from 'node:path';
import type { ImageSet } from '../image-set.js';
import { readIdxPair } from './idx-pair.js';

/** Where Debian's `dataset-fashion-mnist` installs the data set. */
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

export const FASHION_MNIST_CLASSES: readonly string[] = [
  't-shirt/top',
  'trouser',
  'pullover',
  'dress',
  'coat',
  'sandal',
  'shirt',
  'sneaker',
  'bag',
  'ankle boot',
];

const INSTALL_HINT = 'install Fashion-MNIST with `apt-get install dataset-fashion-mnist`';

/**
 * One official split of Fashion-MNIST (60,000 training, 10,000 test images of 28×28, 10 classes)
 * from the four gzipped IDX files in `dir` (`train-*` and `t10k-*`).
 */
export function loadFashionMnist(dir: string, split: 'train' | 'test'): Promise<ImageSet> {
  const prefix = split === 'train' ? 'train' : 't10k';
  return readIdxPair(
    join(dir, `${prefix}-images-idx3-ubyte.gz`),
    join(dir, `${prefix}-labels-idx1-ubyte.gz`),
    FASHION_MNIST_CLASSES.length,
    INSTALL_HINT,
  );
}
