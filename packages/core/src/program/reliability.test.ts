import { spawn } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { builtinPlugin } from '../builtin/plugin.js';
import type { Component } from '../contracts/component.js';
import type { Method } from '../contracts/method.js';
import { definePlugin } from '../contracts/plugin.js';
import type { TaskPool } from '../contracts/task-pool.js';
import { resolveService, TOKENS } from '../di/tokens.js';
import { acquireRunLock, clearAbandonedRuns, runLockFile } from '../io/run-lock.js';
import { registerPlugin } from '../plugins/load.js';
import { ComponentRegistry } from '../plugins/registry.js';
import { DEFAULT_TOY_MODEL } from '../toy/toy-model.js';
import { ToyTaskPool } from '../toy/toy-pools.js';
import { DEFAULT_TOY_WORLD, ToyWorld } from '../toy/toy-world.js';
import { trainingStateParams, trainingStateSettings } from '../train/loop-params.js';
import { SGD } from '../train/optimizers.js';
import { runSupervised } from '../train/supervised-loop.js';
import { runTrainingState } from '../train/training-state-options.js';
import { memoryLogger } from './loggers.js';
import { runProgram } from './run.js';

/*
 * Each case is a way a run could lie or hang, reproduced through the program the CLI runs.
 * `trainer` is a method that trains the pretrained toy model with core's supervised loop,
 * saving its training state every step into its run folder; MB_TEST_STOP_AT=<step> makes it fail
 * before that step, as a run killed there would (its saved state stays, no report is written).
 */
const trainer: Component<Method> = {
  info: {
    kind: 'method',
    name: 'trainer',
    description: 'Supervised training of the pretrained model (test method).',
    params: [
      { name: 'lr', type: 'number', default: 0.05, description: 'Learning rate.' },
      { name: 'steps', type: 'integer', default: 4, min: 1, description: 'Steps.' },
      ...trainingStateParams(1),
    ],
    needs: { labelledTrain: true, heads: true },
  },
  create: ({ params }) => ({
    run: async (modelpool, ctx) => {
      const data = resolveService(ctx.container, TOKENS.taskData);
      const heads = resolveService(ctx.container, TOKENS.taskHeads);
      const model = await modelpool.loadModel('_pretrained_');
      const variables = model.trainableVariables();
      const optimizer = new SGD(variables, { lr: params.lr as number });
      try {
        await runSupervised({
          tasks: data.taskNames.slice(0, 1),
          data,
          variables,
          optimizer,
          steps: params.steps as number,
          batchSize: 8,
          seed: ctx.seed,
          progress: false,
          trainingState: runTrainingState(ctx, 'trainer', trainingStateSettings(params)),
          beforeStep: (step) => {
            if (String(step) === process.env.MB_TEST_STOP_AT) throw new Error(`stopped before step ${step}`);
          },
          logitsForTask: (task, inputs) => heads.head(task).forward(model.forward(inputs)) as tf.Tensor,
        });
      } finally {
        optimizer.dispose();
      }
      return { kind: 'model', model };
    },
  }),
};

/** Returns the pretrained toy model with one NaN weight, as a broken merge would. */
const poisoned: Component<Method> = {
  info: { kind: 'method', name: 'poisoned', description: 'A model with a NaN weight (test).', params: [] },
  create: () => ({
    run: async (modelpool) => {
      const model = await modelpool.loadModel('_pretrained_');
      const weight = [...model.namedParameters().values()][0];
      const values = weight.dataSync().slice();
      values[0] = Number.NaN;
      weight.assign(tf.tensor(values, weight.shape));
      return { kind: 'model', model };
    },
  }),
};

/** Toy tasks whose heads read features one wider than the toy models output. */
const wideHeads: Component<TaskPool> = {
  info: {
    kind: 'taskpool',
    name: 'wide-heads',
    description: 'Toy tasks, heads too wide (test).',
    params: [],
  },
  create: () =>
    new ToyTaskPool(
      new ToyWorld({
        ...DEFAULT_TOY_WORLD,
        model: { ...DEFAULT_TOY_MODEL, hidden: DEFAULT_TOY_MODEL.hidden + 1 },
      }),
    ),
};

function registry(): ComponentRegistry {
  const r = new ComponentRegistry();
  registerPlugin(r, builtinPlugin, 'builtin');
  registerPlugin(
    r,
    definePlugin({
      name: 'reliability-test',
      register: (reg) => {
        reg.method(trainer);
        reg.method(poisoned);
        reg.taskpool(wideHeads);
      },
    }),
  );
  return r;
}

const base = ['modelpool=toy', 'taskpool=toy', 'backend=cpu', 'run_name=r'];

async function stoppedAt(step: number, cwd: string, overrides: string[]): Promise<void> {
  process.env.MB_TEST_STOP_AT = String(step);
  try {
    await expect(runProgram({ cwd, registry: registry(), overrides })).rejects.toThrow(
      `stopped before step ${step}`,
    );
  } finally {
    delete process.env.MB_TEST_STOP_AT;
  }
}

const tmp = () => mkdtempSync(path.join(tmpdir(), 'mb-rel-'));

describe('runs that never lie', () => {
  it('does not resume a finished run of another configuration, and names the keys that differ', async () => {
    const cwd = tmp();
    await runProgram({ cwd, registry: registry(), overrides: ['method=dummy', ...base] });
    await expect(
      runProgram({
        cwd,
        registry: registry(),
        overrides: ['method=dummy', ...base, 'modelpool.finetune_steps=5'],
      }),
    ).rejects.toThrow(/holds a run of another configuration \(modelpool\.finetune_steps: 60 → 5\).*--fresh/);
    // Cosmetic keys are the same run; --fresh starts over.
    await runProgram({ cwd, registry: registry(), overrides: ['method=dummy', ...base, 'save_model=m'] });
    const { report } = await runProgram({
      cwd,
      fresh: true,
      registry: registry(),
      overrides: ['method=dummy', ...base, 'modelpool.finetune_steps=5'],
    });
    expect(report.configHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("does not resume an interrupted run's saved training state under another configuration", async () => {
    const cwd = tmp();
    await stoppedAt(3, cwd, ['method=trainer', ...base]);
    await expect(
      runProgram({ cwd, registry: registry(), overrides: ['method=trainer', ...base, 'method.lr=0.5'] }),
    ).rejects.toThrow(/step-00000002.*another configuration \(method\.lr: 0\.05 → 0\.5\)/);
  });

  it('counts the time of the steps done before a resume, and the share done after it', async () => {
    const cwd = tmp();
    await stoppedAt(3, cwd, ['method=trainer', ...base]);
    const started = performance.now();
    const { report } = await runProgram({
      cwd,
      registry: registry(),
      overrides: ['method=trainer', ...base],
    });
    const wall = (performance.now() - started) / 1000;
    expect(report.resumed?.loops).toEqual([{ loop: 'training', fromStep: 2, steps: 4 }]);
    expect(report.resumed?.shareNow).toBe(0.5);
    expect(report.resumed!.secondsBefore).toBeGreaterThan(0);
    expect(report.timings.method).toBeCloseTo(report.resumed!.secondsBefore + report.resumed!.secondsNow, 6);
    expect(report.timings.total).toBeGreaterThan(report.timings.method);
    expect(report.timings.method).toBeGreaterThan(wall - report.resumed!.secondsBefore - 1);
  });

  it('resumes a run whose state an earlier version saved in checkpoints/, and takes checkpoint_every with a warning', async () => {
    const cwd = tmp();
    await stoppedAt(3, cwd, ['method=trainer', ...base]);
    // The layout before the rename: runs/<r>/checkpoints/<loop>/step-NNNNNNNN.
    const runDir = path.join(cwd, 'runs', 'r');
    renameSync(path.join(runDir, 'training-state'), path.join(runDir, 'checkpoints'));
    const logger = memoryLogger();
    const { report } = await runProgram({
      cwd,
      registry: registry(),
      logger,
      overrides: ['method=trainer', ...base, 'method.checkpoint_every=2'],
    });
    expect(report.resumed?.loops).toEqual([{ loop: 'training', fromStep: 2, steps: 4 }]);
    expect(report.method.params.save_state_every).toBe(2);
    expect(logger.lines).toContain(
      'warning: method.checkpoint_every is deprecated: use method.save_state_every (the same setting)',
    );
    expect(readdirSync(runDir)).not.toContain('checkpoints');
    expect(readdirSync(path.join(runDir, 'training-state', 'trainer'))).toEqual(['step-00000004']);
  });

  it('lets one writer at a time into a run folder, naming the folder and the holder', async () => {
    const cwd = tmp();
    const runs = path.join(cwd, 'runs');
    mkdirSync(runs);
    const held = await acquireRunLock(path.join(runs, 'r'));
    try {
      await expect(
        runProgram({ cwd, registry: registry(), overrides: ['method=dummy', ...base] }),
      ).rejects.toThrow(
        `run folder ${path.join(runs, 'r')} is in use by process ${process.pid} on ${hostname()}`,
      );
    } finally {
      await held.release();
    }
    // A lock left by a process that is gone is taken over, and its empty folder removed.
    const dead = await deadPid();
    writeFileSync(
      runLockFile(path.join(runs, 'gone')),
      JSON.stringify({ pid: dead, host: hostname(), since: '' }),
    );
    mkdirSync(path.join(runs, 'gone'));
    writeFileSync(
      runLockFile(path.join(runs, 'r')),
      JSON.stringify({ pid: dead, host: hostname(), since: '' }),
    );
    await runProgram({ cwd, registry: registry(), overrides: ['method=dummy', ...base] });
    expect(readdirSync(runs).sort()).toEqual(['r']);
  });

  it('takes over a stale lock that another run clears at the same moment', async () => {
    // Two runs sharing an output folder: one sweeps abandoned locks while the other takes over
    // the same stale lock. The lock vanishing between the taker's create and read is no holder.
    const runs = tmp();
    const dead = await deadPid();
    for (let i = 0; i < 200; i++) {
      writeFileSync(
        runLockFile(path.join(runs, 'r')),
        JSON.stringify({ pid: dead, host: hostname(), since: '' }),
      );
      // The taker starts a few event-loop turns after the sweep, so that over the iterations its
      // steps fall between every pair of the sweep's.
      const take = async () => {
        await eventLoopTurns(i % 8);
        return acquireRunLock(path.join(runs, 'r'));
      };
      const [, lock] = await Promise.all([clearAbandonedRuns(runs), take()]);
      await lock.release();
    }
  });

  it('never shows a lock half written, and sweeps the temporary file of a process killed while taking one', async () => {
    const runs = tmp();
    const dir = path.join(runs, 'r');
    for (let i = 0; i < 200; i++) {
      const peek = async () => {
        await eventLoopTurns(i % 8);
        return readFileSync(runLockFile(dir), 'utf8');
      };
      const [lock, text] = await Promise.all([acquireRunLock(dir), peek().catch(() => null)]);
      if (text !== null) expect(JSON.parse(text).pid).toBe(process.pid);
      await lock.release();
    }
    const left = path.join(runs, '.r.lock.4242-0123abcd.tmp');
    writeFileSync(left, '{"pid": 4242, "ho');
    await clearAbandonedRuns(runs);
    expect(existsSync(left)).toBe(true); // could be a live taker
    utimesSync(left, new Date(Date.now() - 120_000), new Date(Date.now() - 120_000));
    await clearAbandonedRuns(runs);
    expect(readdirSync(runs)).toEqual([]);
  });

  it('fails within a second on output paths that cannot be created, before the method runs', async () => {
    const cwd = tmp();
    symlinkSync(path.join(cwd, 'nowhere'), path.join(cwd, 'dangling'));
    const cases: [string, RegExp][] = [
      ['output_dir=/proc/x', /^output_dir: cannot create the folder \/proc\/x \(ENOENT\)$/],
      ['save_model=/proc/x/y', /^save_model: cannot create the folder \/proc\/x \(ENOENT\)$/],
      ['output_dir=/etc/passwd', /^output_dir: \/etc\/passwd exists and is not a folder$/],
      [
        'save_model=dangling/m',
        /^save_model: .*dangling is a symbolic link to .*nowhere, which does not exist$/,
      ],
    ];
    for (const [override, message] of cases) {
      const started = performance.now();
      const error = await runProgram({
        cwd,
        registry: registry(),
        overrides: ['method=trainer', ...base, override],
      }).catch((e: Error) => e);
      expect((error as Error).message).toMatch(message);
      expect(performance.now() - started).toBeLessThan(1000);
    }
    expect(existsSync(path.join(cwd, 'runs', 'r', 'training-state'))).toBe(false);
  });

  it('removes temporaries of dead writers from the run folder, and leaves no empty folder on a failed start', async () => {
    const cwd = tmp();
    const runDir = path.join(cwd, 'runs', 'r');
    const dead = await deadPid();
    const stale = path.join(runDir, 'training-state', `.big.tmp-${dead}-0123abcd`);
    const live = path.join(runDir, `.report.json.tmp-${process.pid}-0123abcd`);
    mkdirSync(stale, { recursive: true });
    writeFileSync(path.join(stale, 'weights'), 'partial');
    writeFileSync(live, 'being written');
    await runProgram({ cwd, registry: registry(), overrides: ['method=dummy', ...base] });
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(live)).toBe(true);

    rmSync(path.join(cwd, 'runs'), { recursive: true });
    await expect(
      runProgram({ cwd, registry: registry(), overrides: ['method=dummy', ...base, 'taskpool=wide-heads'] }),
    ).rejects.toThrow();
    expect(readdirSync(path.join(cwd, 'runs'))).toEqual([]);
  });

  it('checks the heads against the models before any work, naming the task and both widths', async () => {
    const cwd = tmp();
    const error = await runProgram({
      cwd,
      registry: registry(),
      overrides: ['method=trainer', ...base, 'taskpool=wide-heads', 'save_model=merged'],
    }).catch((e: Error) => e);
    expect((error as Error).message).toBe(
      `task heads: the head of task 'toy0' reads ${DEFAULT_TOY_MODEL.hidden + 1} features, but the model pool's models output ${DEFAULT_TOY_MODEL.hidden}`,
    );
    expect(existsSync(path.join(cwd, 'merged'))).toBe(false);
    expect(readdirSync(path.join(cwd, 'runs'))).toEqual([]);
  });

  it('fails a run whose merged model is not finite, before saving it and instead of reporting a null loss', async () => {
    const cwd = tmp();
    await expect(
      runProgram({ cwd, registry: registry(), overrides: ['method=poisoned', ...base, 'save_model=merged'] }),
    ).rejects.toThrow(/merged.*model\.safetensors: tensor '.*': 1 of \d+ values are NaN or infinite/);
    expect(existsSync(path.join(cwd, 'merged'))).toBe(false);
    await expect(
      runProgram({ cwd, registry: registry(), overrides: ['method=poisoned', ...base] }),
    ).rejects.toThrow("evaluation: task 'toy0' has loss NaN");
    expect(existsSync(path.join(cwd, 'runs', 'r', 'report.json'))).toBe(false);
  });

  it('rejects an infinite number at validation, naming the key', async () => {
    const cwd = tmp();
    await expect(
      runProgram({ cwd, registry: registry(), overrides: ['method=trainer', ...base, 'method.lr=1e309'] }),
    ).rejects.toThrow('method.lr: expected a number, got Infinity');
    expect(existsSync(path.join(cwd, 'runs', 'r'))).toBe(false);
  });
});

/** Lets `n` turns of the event loop pass, so that concurrent file operations interleave. */
async function eventLoopTurns(n: number): Promise<void> {
  for (let turn = 0; turn < n; turn++) await new Promise((r) => setImmediate(r));
}

/** The pid of a process that has exited (and, having been reaped, no longer exists). */
function deadPid(): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['-e', '']);
    child.on('error', reject);
    child.on('exit', () => resolve(child.pid!));
  });
}
