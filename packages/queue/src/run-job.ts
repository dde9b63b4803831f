import { createHash } from 'node:crypto';
import { COMPONENT_KINDS, isPluginPath, MergebenchError, type RunReport, stableJson } from '@mergebench/core';
import type { InputHash } from './input-hashes.js';

/** The one BullMQ queue suite runs go through. */
export const RUN_QUEUE = 'mergebench-runs';

/**
 * A job: one run of a suite, as data only (a resolved configuration, names and hashes; never
 * code or a path to code). The run is a pure function of `config` and the content of `inputs`.
 */
export interface RunJobData {
  readonly schema: 'mergebench.queue-job/1';
  /** The suite's row, for status lines and logs. */
  readonly label: string;
  /** The run's folder name (label slug and key), the same as in process. */
  readonly runName: string;
  /** The coordinator's run folder: a worker writes there when it shares the coordinator's storage. */
  readonly runDir: string;
  /** The full hash of the determining configuration (core's configHash). */
  readonly configHash: string;
  /** The hash the run's report will carry: with the components' defaults filled in (run-hash.ts). */
  readonly runHash: string;
  /** The resolved configuration, as the coordinator resolved it. */
  readonly config: Record<string, unknown>;
  /** The coordinator's folder the config's relative paths start from. */
  readonly baseDir: string;
  /** Plugin packages (by installed name) the run's components come from, beyond the config's own. */
  readonly plugins: readonly string[];
  readonly inputs: readonly InputHash[];
}

/** What a finished job returns: the run's report and, where the method wrote one, its history. */
export interface RunJobResult {
  readonly report: RunReport;
  /** history.csv, as text. */
  readonly history?: string;
  /** `host:pid` of the worker that ran it. */
  readonly worker: string;
  /** When the worker started and ended the job (its clock, ms since the epoch). */
  readonly timing?: { readonly startedAt: number; readonly endedAt: number };
}

/**
 * The job id: the hash of the configuration and of its inputs' content. Enqueuing a run twice
 * (a coordinator restarted, two suites sharing a run) finds the job already there, and a zoo
 * rebuilt with other weights is a different job even where its config is the same.
 */
export function runJobId(data: Pick<RunJobData, 'configHash' | 'inputs'>): string {
  const inputs = stableJson(data.inputs.map((i) => [i.key, i.sha256]));
  return `run-${createHash('sha256').update(`${data.configHash}\n${inputs}`).digest('hex').slice(0, 32)}`;
}

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** The component names a config selects (strings or `{ name }`). */
function componentNames(config: Record<string, unknown>): string[] {
  return COMPONENT_KINDS.flatMap((kind) => {
    const v = config[kind];
    const name = typeof v === 'string' ? v : isRecord(v) ? v.name : undefined;
    return typeof name === 'string' ? [name] : [];
  });
}

/**
 * Checks a job's data before anything runs: its shape, and that every plugin it names is an
 * installed package's name, never a path (a worker loads nothing the queue points it to).
 */
export function checkRunJobData(data: unknown, id: string): RunJobData {
  const fail = (what: string): never => {
    throw new MergebenchError(`job ${id}: ${what}`);
  };
  if (!isRecord(data) || data.schema !== 'mergebench.queue-job/1')
    fail(
      `not a mergebench.queue-job/1 payload (schema ${isRecord(data) ? JSON.stringify(data.schema) : typeof data})`,
    );
  const d = data as Record<string, unknown>;
  for (const key of ['label', 'runName', 'runDir', 'configHash', 'runHash', 'baseDir'])
    if (typeof d[key] !== 'string' || d[key] === '') fail(`${key}: expected a string`);
  for (const key of ['configHash', 'runHash'])
    if (!/^[0-9a-f]{64}$/.test(d[key] as string)) fail(`${key}: expected 64 hex digits`);
  if (/[/\\]|^\.\.?$/.test(d.runName as string)) fail(`runName '${d.runName}': expected a folder name`);
  if (!isRecord(d.config)) fail('config: expected a mapping');
  if (!Array.isArray(d.plugins) || d.plugins.some((p) => typeof p !== 'string'))
    fail('plugins: expected package names');
  if (
    !Array.isArray(d.inputs) ||
    d.inputs.some(
      (i) =>
        !isRecord(i) ||
        typeof i.path !== 'string' ||
        typeof i.key !== 'string' ||
        !/^[0-9a-f]{64}$/.test(String(i.sha256)),
    )
  )
    fail('inputs: expected { key, path, sha256 } entries');
  const config = d.config as Record<string, unknown>;
  const configPlugins = Array.isArray(config.plugins) ? config.plugins : [];
  for (const spec of [...(d.plugins as string[]), ...configPlugins, ...componentNames(config)]) {
    if (typeof spec !== 'string') fail(`plugins: expected package names, got ${JSON.stringify(spec)}`);
    if (isPluginPath(spec as string))
      fail(
        `plugin path ${spec}: a worker loads installed packages by name only, never code from a path in a job`,
      );
  }
  return data as unknown as RunJobData;
}
