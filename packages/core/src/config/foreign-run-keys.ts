import type { ForeignName } from '../contracts/params.js';

/**
 * Top-level keys of FusionBench's command lines that name no run setting here. Values that ask
 * for what a run does anyway pass; the others get a hint. (`merged_model_save_path` is an alias
 * of `save_model`.)
 */
export const FOREIGN_RUN_KEYS: Readonly<Record<string, ForeignName>> = {
  fast_dev_run: {
    accepts: [false],
    hint: "for a quick run lower method.max_steps and the task pool's test_limit",
  },
  dry_run: {
    accepts: [false],
    hint: '`mergebench config --show` with the same arguments prints the resolved config without running',
  },
  print_config: {
    accepts: [false],
    hint: '`mergebench config --show` with the same arguments prints the resolved config',
  },
  print_function_call: { accepts: 'any', hint: 'it only changes what is logged' },
  report_save_path: {
    accepts: [null, false],
    hint: "report.json is always written to the run's folder, <output_dir>/<run_name>; set output_dir and run_name",
  },
  merged_model_save_kwargs: {
    accepts: 'any',
    hint: 'merged models are always saved as safetensors',
  },
  fabric: {
    hint: "runs use no Lightning Fabric: choose the device with backend=<name>; logs and saved training states go to the run's folder under output_dir",
  },
  path: {
    hint: "the run's folder is <output_dir>/<run_name>: set output_dir and run_name",
  },
  hydra: {
    hint: 'configs are composed without Hydra: use a config file, presets and key=value overrides',
  },
};
