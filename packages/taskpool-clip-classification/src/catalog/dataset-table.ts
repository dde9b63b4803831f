/** Where a task's data lives on the Hub and how its files are laid out. */
export interface DatasetSpec {
  /** FusionBench's task name (`stanford-cars`, `oxford_flowers102`, …). */
  readonly task: string;
  /** Hub dataset repository, `owner/name`. */
  readonly repo: string;
  /** Dataset config (a folder of its own in the repo, e.g. svhn's `cropped_digits`); default `default`. */
  readonly config?: string;
  /** The split evaluated, and the split methods train or estimate statistics on. */
  readonly testSplit: string;
  readonly trainSplit: string;
  /**
   * `parquet`: shards written by `datasets` (`data/<split>-NNNNN-of-MMMMM.parquet`, or per config
   * folder); `webdataset`: tar shards (`<split>/<n>.tar`) of `<key>.<ext>` image and `<key>.cls` label files.
   */
  readonly format: 'parquet' | 'webdataset';
  /** Column (parquet) or file extension (webdataset) of the encoded image. */
  readonly imageColumn: string;
  /** Column (parquet) or file extension (webdataset) of the integer (or boolean) label. */
  readonly labelColumn: string;
}

function parquet(task: string, repo: string, extra: Partial<DatasetSpec> = {}): DatasetSpec {
  return {
    task,
    repo,
    testSplit: 'test',
    trainSplit: 'train',
    format: 'parquet',
    imageColumn: 'image',
    labelColumn: 'label',
    ...extra,
  };
}

/**
 * The 20 tasks of TALL20 in FusionBench's order (TA8 = the first 8, TALL14 = the first 14), with
 * the Hub repositories FusionBench loads them from. FusionBench reads the columns `image` and
 * `label` of every parquet repository (its dataset wrapper requires those names; PatchCamelyon's
 * label is a boolean, read as 0/1), and renames fer2013's WebDataset members `jpg` and `cls`.
 */
export const DATASET_TABLE: readonly DatasetSpec[] = [
  parquet('sun397', 'tanganke/sun397'),
  parquet('stanford-cars', 'tanganke/stanford_cars'),
  parquet('resisc45', 'tanganke/resisc45'),
  parquet('eurosat', 'tanganke/eurosat'),
  parquet('svhn', 'ufldl-stanford/svhn', { config: 'cropped_digits' }),
  parquet('gtsrb', 'tanganke/gtsrb'),
  parquet('mnist', 'ylecun/mnist', { config: 'mnist' }),
  parquet('dtd', 'tanganke/dtd'),
  parquet('oxford_flowers102', 'dpdl-benchmark/oxford_flowers102'),
  parquet('pcam', '1aurent/PatchCamelyon'),
  {
    task: 'fer2013',
    repo: 'clip-benchmark/wds_fer2013',
    testSplit: 'test',
    trainSplit: 'train',
    format: 'webdataset',
    imageColumn: 'jpg',
    labelColumn: 'cls',
  },
  parquet('oxford-iiit-pet', 'timm/oxford-iiit-pet'),
  parquet('stl10', 'tanganke/stl10'),
  parquet('cifar100', 'tanganke/cifar100'),
  parquet('cifar10', 'tanganke/cifar10'),
  parquet('food101', 'ethz/food101', { testSplit: 'validation' }),
  parquet('fashion_mnist', 'zalando-datasets/fashion_mnist', { config: 'fashion_mnist' }),
  parquet('emnist_letters', 'tanganke/emnist_letters'),
  parquet('kmnist', 'tanganke/kmnist'),
  parquet('rendered-sst2', 'nateraw/rendered-sst2'),
];

export const TASK_NAMES: readonly string[] = DATASET_TABLE.map((spec) => spec.task);

/** The task sets of the benchmarks: the task-arithmetic paper's 8 and the TALL-mask paper's 14 and 20. */
export const TASK_SETS: Readonly<Record<'TA8' | 'TALL14' | 'TALL20', readonly string[]>> = {
  TA8: TASK_NAMES.slice(0, 8),
  TALL14: TASK_NAMES.slice(0, 14),
  TALL20: TASK_NAMES,
};

export function datasetSpec(task: string): DatasetSpec | undefined {
  return DATASET_TABLE.find((spec) => spec.task === task);
}
