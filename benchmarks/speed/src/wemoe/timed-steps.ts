import { performance } from 'node:perf_hooks';
import { Adam, entropyLoss, type Module, runAdaptation, type StepRecord } from '@mergebench/core';
import { routerVariables } from '@mergebench/moe';
import * as tf from '@tensorflow/tfjs';
import type { RandomTasks } from './random-tasks.js';

export interface TimedStepsOptions {
  readonly steps: number;
  /** Images per task in every step. */
  readonly batch: number;
  /** Called inside each task's forward pass, its tape still alive (e.g. to read peak memory). */
  readonly duringPass?: () => void;
  /** Called after each step with its record and wall seconds. */
  readonly onStep?: (record: StepRecord, seconds: number) => void;
}

/**
 * Runs `steps` adaptation steps of an upscaled model on random tasks, as WEMoE trains (entropy
 * loss, Adam at lr 1e-4 on the routers), and returns the wall seconds of each step.
 */
export async function timeAdaptationSteps(
  model: Module,
  tasks: RandomTasks,
  options: TimedStepsOptions,
): Promise<number[]> {
  const routers = routerVariables(model);
  const optimizer = new Adam([...routers.values()], { lr: 1e-4 });
  const seconds: number[] = [];
  let last = performance.now();
  model.train();
  try {
    await runAdaptation({
      tasks: tasks.taskNames,
      data: tasks,
      variables: routers,
      optimizer,
      steps: options.steps,
      batchSize: options.batch,
      seed: 0,
      progress: false,
      lossForTask: (task, inputs) =>
        tf.tidy(() => {
          const loss = entropyLoss(tasks.head(task).forward(model.forward(inputs)));
          options.duringPass?.();
          return loss;
        }),
      onStep: (record) => {
        const now = performance.now();
        seconds.push((now - last) / 1000);
        last = now;
        options.onStep?.(record, seconds.at(-1)!);
      },
    });
  } finally {
    optimizer.dispose();
  }
  return seconds;
}
