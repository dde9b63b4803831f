import type { RunReport } from '@mergebench/core';
import { describe, expect, it } from 'vitest';
import { coveredPoints, frontOf } from './front.js';

const tasks = ['a', 'b'];

function report(points: [number, number][]): RunReport {
  return {
    family: points.map(([a, b], i) => ({
      label: String(i),
      preference: [1 - i / (points.length - 1), i / (points.length - 1)],
      results: {
        tasks: { a: { accuracy: a, loss: 1 - a }, b: { accuracy: b, loss: 1 - b } },
        average: { accuracy: (a + b) / 2, loss: 1 - (a + b) / 2 },
      },
    })),
  } as unknown as RunReport;
}

describe('Pareto fronts from family reports', () => {
  it('collects per-task accuracy and loss per preference and the hypervolume from 0 accuracy', () => {
    const front = frontOf(
      'm',
      report([
        [1, 0.5],
        [0.5, 1],
      ]),
      tasks,
    );
    expect(front.points[1]).toEqual({
      preference: [0, 1],
      accuracy: { a: 0.5, b: 1 },
      loss: { a: 0.5, b: 0 },
    });
    expect(front.hypervolume).toBeCloseTo(0.75, 15);
  });

  it('counts the points of one front that another covers', () => {
    const baseline = frontOf(
      'ta',
      report([
        [0.9, 0.1],
        [0.5, 0.5],
        [0.1, 0.9],
      ]),
      tasks,
    );
    const better = frontOf(
      'p',
      report([
        [0.9, 0.2],
        [0.6, 0.6],
      ]),
      tasks,
    );
    expect(coveredPoints(baseline, better, tasks)).toBe(2);
    expect(coveredPoints(better, baseline, tasks)).toBe(0);
  });
});
