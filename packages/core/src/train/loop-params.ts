import type { ParamSpec } from '../contracts/params.js';

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
