import type { ParamSpec, ParamValues } from '../contracts/params.js';
import { COLLAPSE_PATIENCE, COLLAPSE_THRESHOLD, type CollapseWatchOptions } from './collapse-watch.js';

/** The parameters of a method whose training loop checkpoints into its run folder (see runCheckpoints). */
export function checkpointParams(defaultEvery = 100): ParamSpec[] {
  return [
    {
      name: 'checkpoint_every',
      type: 'integer',
      default: defaultEvery,
      min: 0,
      description: "Steps between training checkpoints in the run's folder (0: none).",
    },
    {
      name: 'resume',
      type: 'boolean',
      default: true,
      description: "Continue from the latest training checkpoint in the run's folder, if any.",
    },
  ];
}

/** The parameters of an entropy-minimising method's CollapseWatch: when it warns. */
export function collapseWatchParams(): ParamSpec[] {
  return [
    {
      name: 'collapse_threshold',
      type: 'number',
      default: COLLAPSE_THRESHOLD,
      exclusiveMin: 0,
      max: 1,
      description:
        "Collapse warning: the share of a task's batch given to one class that makes a step suspect.",
    },
    {
      name: 'collapse_patience',
      type: 'integer',
      default: COLLAPSE_PATIENCE,
      min: 1,
      description: 'Collapse warning: warn once per task after this many suspect steps in a row.',
    },
  ];
}

/** When a CollapseWatch warns. */
export type CollapseWatchSettings = Pick<CollapseWatchOptions, 'threshold' | 'patience'>;

/** The CollapseWatch settings of validated values of collapseWatchParams(). */
export function collapseWatchSettings(params: ParamValues): CollapseWatchSettings {
  return { threshold: params.collapse_threshold as number, patience: params.collapse_patience as number };
}

/** The parameter of a method that draws a progress bar. */
export const PROGRESS_PARAM: ParamSpec = {
  name: 'progress',
  type: 'boolean',
  default: true,
  description: 'Show a progress bar when stderr is a terminal.',
};

/** The parameter of a method whose loop can split each batch into smaller passes (LoopOptions.microBatchSize). */
export const MICRO_BATCH_PARAM: ParamSpec = {
  name: 'micro_batch_size',
  type: 'integer',
  default: null,
  nullable: true,
  min: 1,
  description:
    'Examples per forward and backward pass (null: the whole batch). Smaller passes give the same gradients in less memory.',
};
