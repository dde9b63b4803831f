import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { loadZooSpec, QUICK_ZOO_SPEC, zooKey } from './zoo-spec.js';

const packageDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const dir = mkdtempSync(path.join(tmpdir(), 'mb-zoo-spec-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
/** A spec file holding `settings` (an object, or any JSON text). */
function specFile(settings: unknown): string {
  const file = path.join(dir, `spec-${files++}.json`);
  writeFileSync(file, typeof settings === 'string' ? settings : JSON.stringify(settings));
  return file;
}

const FINETUNE = { steps: 800, batchSize: 32, lr: 1e-4 };

describe('zoo spec files (--spec)', () => {
  it('names the file, the key path and the keys expected for an unknown key', () => {
    const nested = specFile({ finetune: { stpes: 800, batchSize: 32, lr: 1e-4 } });
    expect(() => loadZooSpec(nested)).toThrow(
      `--spec ${nested}: unknown key 'finetune.stpes' (expected one of steps, batchSize, lr)`,
    );
    const top = specFile({ finetune: FINETUNE, finetuen: FINETUNE });
    expect(() => loadZooSpec(top)).toThrow(
      `--spec ${top}: unknown key 'finetuen' (expected one of vision, tasks, data, pretrain, finetune, seed)`,
    );
    const data = specFile({ data: { imageSize: 32, trainSize: 64, testSize: 32, seed: 0, test_size: 8 } });
    expect(() => loadZooSpec(data)).toThrow(
      `--spec ${data}: unknown key 'data.test_size' (expected one of imageSize, trainSize, testSize, seed)`,
    );
    const pretrain = specFile({ pretrain: { ...QUICK_ZOO_SPEC.pretrain, objectve: 'rotation' } });
    expect(() => loadZooSpec(pretrain)).toThrow(
      `--spec ${pretrain}: unknown key 'pretrain.objectve' (expected one of steps, batchSize, lr, logitScale, objective, headExamples, checkpoint)`,
    );
  });

  it('leaves vision open: any CLIPVisionConfig key is taken', () => {
    const vision = { ...QUICK_ZOO_SPEC.vision, attention_dropout: 0, initializer_factor: 1 };
    expect(loadZooSpec(specFile({ vision })).vision).toEqual(vision);
    const notObject = specFile({ vision: [64] });
    expect(() => loadZooSpec(notObject)).toThrow(
      `--spec ${notObject}: vision: expected an object of CLIPVisionConfig settings, got a list`,
    );
  });

  it('checks the values: numbers, the objective, the tasks', () => {
    const cases: [unknown, string][] = [
      [{ finetune: { ...FINETUNE, steps: '800' } }, 'finetune.steps: expected a whole number ≥ 0, got "800"'],
      [
        { finetune: { ...FINETUNE, batchSize: 2.5 } },
        'finetune.batchSize: expected a whole number ≥ 0, got 2.5',
      ],
      [{ finetune: { ...FINETUNE, lr: null } }, 'finetune.lr: expected a number, got null'],
      [{ seed: -1 }, 'seed: expected a whole number ≥ 0, got -1'],
      [
        { pretrain: { ...QUICK_ZOO_SPEC.pretrain, objective: 'rotations' } },
        'pretrain.objective: expected one of "tasks", "rotation", "checkpoint", got "rotations"',
      ],
      [{ tasks: 'mnist' }, 'tasks: expected a non-empty list of task names, got "mnist"'],
      [{ tasks: [] }, 'tasks: expected a non-empty list of task names, got an empty list'],
      [
        { tasks: ['mnist', 'mnsit'] },
        `tasks[1]: unknown task "mnsit" (expected one of fashion-mnist, mnist,`,
      ],
      [{ tasks: ['mnist', 'mnist'] }, "tasks[1]: 'mnist' is listed twice"],
      [{ finetune: 800 }, 'finetune: expected an object with steps, batchSize, lr, got 800'],
      [
        { finetune: { steps: 200 } },
        'finetune.batchSize: missing (an object given for finetune replaces the default, so it needs steps, batchSize, lr)',
      ],
      [[1, 2], 'expected a JSON object of zoo settings, got a list'],
    ];
    for (const [settings, message] of cases) {
      const file = specFile(settings);
      expect(() => loadZooSpec(file), message).toThrow(`--spec ${file}: ${message}`);
    }
  });

  it('reads a valid file as before: the same spec and zoo key', () => {
    const changes = { tasks: ['mnist', 'synthetic-colors'], finetune: FINETUNE, seed: 3 };
    const spec = loadZooSpec(specFile(changes));
    expect(spec).toEqual({ ...QUICK_ZOO_SPEC, ...changes });
    expect(zooKey(spec)).toBe(zooKey({ ...QUICK_ZOO_SPEC, ...changes }));
  });

  it('accepts every zoo spec in zoos/', () => {
    const zoos = path.join(packageDir, 'zoos');
    const names = readdirSync(zoos).filter((n) => n.endsWith('.json'));
    expect(names.length).toBeGreaterThan(0);
    for (const name of names) expect(() => loadZooSpec(path.join(zoos, name)), name).not.toThrow();
  });
});
