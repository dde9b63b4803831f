import path from 'node:path';
import { configDifferences, configHash, determiningConfig } from '../config/config-hash.js';
import type { ResumeInfo, RunIdentity } from '../contracts/method.js';
import type { RunReport } from '../contracts/report.js';
import { MergebenchError } from '../errors.js';
import { readJsonObject } from '../io/files.js';
import type { ResolvedRun } from './resolve-config.js';

/** A run's identity as the program holds it: it also gathers what training loops resumed. */
export interface ProgramRunIdentity extends RunIdentity {
  /** The report's `resumed` entry, or undefined when nothing resumed. */
  resumedReport(secondsNow: number): RunReport['resumed'];
}

type Params = Readonly<Record<string, unknown>>;

/**
 * The resolved config with every component's parameters filled in (declared defaults included),
 * as `config --show` prints it: `method.lr` left at its default and given explicitly are one run.
 */
export function filledConfig(
  config: Readonly<Record<string, unknown>>,
  params: { readonly method: Params; readonly modelpool: Params; readonly taskpool: Params },
): Record<string, unknown> {
  const named = (kind: 'method' | 'modelpool' | 'taskpool') => ({
    name: (config[kind] as { name?: unknown } | undefined)?.name,
    ...params[kind],
  });
  return { ...config, method: named('method'), modelpool: named('modelpool'), taskpool: named('taskpool') };
}

export function runIdentity(resolved: ResolvedRun): ProgramRunIdentity {
  const filled = filledConfig(resolved.config as unknown as Record<string, unknown>, {
    method: resolved.method.params,
    modelpool: resolved.modelpool.params,
    taskpool: resolved.taskpool.params,
  });
  const resumes: ResumeInfo[] = [];
  return {
    configHash: configHash(filled),
    config: determiningConfig(filled),
    resumed: (info) => {
      resumes.push(info);
    },
    resumedReport: (secondsNow) => {
      if (resumes.length === 0) return undefined;
      const steps = resumes.reduce((s, r) => s + r.steps, 0);
      const restored = resumes.reduce((s, r) => s + r.fromStep, 0);
      return {
        secondsBefore: resumes.reduce((s, r) => s + r.secondsBefore, 0),
        secondsNow,
        shareNow: steps > 0 ? (steps - restored) / steps : 0,
        loops: resumes.map(({ loop, fromStep, steps: total }) => ({ loop, fromStep, steps: total })),
      };
    },
  };
}

/**
 * Refuses to continue in a run folder whose report was written by a run of another configuration:
 * its saved training states and artifacts belong to that run. Names the first keys that differ.
 */
export async function checkSameRun(runDir: string, identity: RunIdentity): Promise<void> {
  const file = path.join(runDir, 'report.json');
  let report: Record<string, unknown>;
  try {
    report = await readJsonObject(file, 'absent');
  } catch {
    return; // no finished run here (or an unreadable report, which the run replaces)
  }
  const hash = report.configHash;
  if (typeof hash !== 'string' || hash === identity.configHash) return;
  const summary = (kind: string) =>
    ((report[kind] as { params?: Params } | undefined)?.params ?? {}) as Params;
  const before = filledConfig((report.config ?? {}) as Record<string, unknown>, {
    method: summary('method'),
    modelpool: summary('modelpool'),
    taskpool: summary('taskpool'),
  });
  const differs = configDifferences(before, identity.config);
  throw new MergebenchError(
    `${runDir} holds a run of another configuration (${differs.join('; ') || `config hash ${hash.slice(0, 10)}`}); ` +
      'choose a new run_name, or pass --fresh to delete that run and start over',
  );
}
