import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CoefficientsLayout, readCoefficientsFile, writeCoefficientsFile } from './coefficients-file.js';

const dir = mkdtempSync(join(tmpdir(), 'adamerging-coefficients-'));
const LAYER_WISE: CoefficientsLayout = {
  granularity: 'layer-wise',
  tasks: ['a', 'b'],
  parameterNames: ['w', 'v'],
};
const TASK_WISE: CoefficientsLayout = { ...LAYER_WISE, granularity: 'task-wise' };

function fileWith(content: unknown): string {
  const path = join(dir, `${Math.random().toString(36).slice(2)}.json`);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('coefficients files', () => {
  it('round-trip, and layer-wise lists are reordered to the parameters by name', async () => {
    const path = join(dir, 'written.json');
    await writeCoefficientsFile(path, {
      granularity: 'layer-wise',
      parameterNames: ['v', 'w'],
      coefficients: { b: [0.2, 0.1], a: [0.4, 0.3] },
      steps: 7,
    });
    expect(await readCoefficientsFile(path, LAYER_WISE)).toEqual({ a: [0.3, 0.4], b: [0.1, 0.2] });
  });

  it('may be written by hand for task-wise coefficients, without parameter names', async () => {
    const path = fileWith({ granularity: 'task-wise', coefficients: { a: 0.5, b: 1 } });
    expect(await readCoefficientsFile(path, TASK_WISE)).toEqual({ a: 0.5, b: 1 });
  });

  const layerWise = {
    granularity: 'layer-wise',
    parameterNames: ['w', 'v'],
    coefficients: { a: [1, 2], b: [3, 4] },
  };
  it.each([
    ['not JSON', '{', /: not valid JSON \(/],
    ['not an object', '[1]', /: expected a JSON object$/],
    [
      'the other granularity',
      { ...layerWise, granularity: 'task-wise' },
      /: 'granularity' is "task-wise", but this method learns layer-wise coefficients$/,
    ],
    [
      'no parameter names',
      { ...layerWise, parameterNames: undefined },
      /: 'parameterNames' is missing, expected a list of parameter names$/,
    ],
    [
      'other parameter names',
      { ...layerWise, parameterNames: ['w', 'x'] },
      /: 'parameterNames' do not match the merged parameters \(missing: v; unexpected: x\)$/,
    ],
    [
      'no coefficients',
      { ...layerWise, coefficients: 3 },
      /: 'coefficients' is 3, expected an object of coefficients by task$/,
    ],
    [
      'a task the pool lacks',
      { ...layerWise, coefficients: { ...layerWise.coefficients, c: [1, 1] } },
      /: 'coefficients' has task 'c', which the model pool lacks \(it has a, b\)$/,
    ],
    [
      'a missing task',
      { ...layerWise, coefficients: { a: [1, 2] } },
      /: 'coefficients\.b' is missing, expected a list of 2 numbers \(one per parameter\)$/,
    ],
    [
      'a list of the wrong length',
      { ...layerWise, coefficients: { a: [1, 2, 3], b: [3, 4] } },
      /: 'coefficients\.a' is a list of 3, expected a list of 2 numbers \(one per parameter\)$/,
    ],
    [
      'a value that is not a number',
      { ...layerWise, coefficients: { a: [1, null], b: [3, 4] } },
      /: 'coefficients\.a\[1\]' is null, expected a finite number$/,
    ],
  ])('name the file and the entry at fault: %s', async (_what, content, message) => {
    const path = fileWith(content);
    const error = await readCoefficientsFile(path, LAYER_WISE).catch((err: Error) => err);
    expect((error as Error).message.startsWith(`${path}: `)).toBe(true);
    expect((error as Error).message).toMatch(message);
  });
});
