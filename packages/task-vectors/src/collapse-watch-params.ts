import type { ParamSpec, ParamValues } from '@mergebench/core';
import { COLLAPSE_PATIENCE, COLLAPSE_THRESHOLD, type CollapseWatchOptions } from './collapse-watch.js';

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
