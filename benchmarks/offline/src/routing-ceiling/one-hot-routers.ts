import { existsSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import {
  type ComponentRegistry,
  type Logger,
  openSafetensors,
  runProgram,
  writeSafetensors,
} from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { Zoo } from '../zoo/build-zoo.js';

/** Folder in the zoo holding one routers file per task, as the routing-ceiling suite names them. */
const ROUTERS_DIR = 'routing-ceiling';

/**
 * Writes `<zoo>/routing-ceiling/routers-<task>.safetensors` for every task: depth-0 WEMoE routers
 * (one learned vector per MLP) set to the task's one-hot vector, in the model pool's task order.
 * The router names come from the routers file of an untrained depth-0 WEMoE run on the zoo.
 */
export async function writeOneHotRouters(
  zoo: Zoo,
  registry: ComponentRegistry,
  logger: Logger,
): Promise<string> {
  const dir = path.join(zoo.dir, ROUTERS_DIR);
  const { tasks } = zoo.spec;
  if (tasks.every((task) => existsSync(routersFile(dir, task)))) return dir;
  const { runDir } = await runProgram({
    cwd: zoo.dir,
    configPath: zoo.config,
    logger,
    registry,
    overrides: [
      'method=wemoe',
      'method.router_hidden_layers=0',
      'method.max_steps=0',
      'run_name=routing-ceiling-router-names',
    ],
  });
  const file = await openSafetensors(path.join(runDir, 'routers.safetensors'));
  const names = file.keys();
  await file.close();
  await mkdir(dir, { recursive: true });
  for (const [t, task] of tasks.entries()) {
    const oneHot = tf.tensor1d(Float32Array.from(tasks, (_, i) => (i === t ? 1 : 0)));
    await writeSafetensors(routersFile(dir, task), new Map(names.map((name) => [name, oneHot])), {
      metadata: { format: 'mergebench.wemoe-routers/1' },
    });
    oneHot.dispose();
  }
  return dir;
}

/** The routers file of `task` in the folder writeOneHotRouters returns. */
export function routersFile(dir: string, task: string): string {
  return path.join(dir, `routers-${task}.safetensors`);
}
