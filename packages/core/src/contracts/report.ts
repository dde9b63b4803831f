import type { TaskPoolResult } from './task-pool.js';

export interface ComponentSummary {
  readonly name: string;
  /** The package the component came from (`@mergebench/method-ties`), or `builtin`. */
  readonly package: string;
  readonly params: Readonly<Record<string, unknown>>;
}

export interface FamilyMemberReport {
  readonly label: string;
  readonly preference: readonly number[];
  readonly results: TaskPoolResult;
}

/** The report.json written into every run's folder. */
export interface RunReport {
  readonly schema: 'mergebench.run-report/1';
  readonly runName: string;
  readonly createdAt: string;
  readonly seed: number;
  readonly method: ComponentSummary;
  readonly modelpool: ComponentSummary;
  readonly taskpool: ComponentSummary;
  /** The resolved configuration, as `mergebench config --show` prints it. */
  readonly config: Readonly<Record<string, unknown>>;
  /**
   * configHash() of the resolved configuration with every component's parameters filled in:
   * runs with equal hashes compute the same thing, and only such a run resumes this one.
   */
  readonly configHash?: string;
  readonly backend: { readonly name: string; readonly note?: string };
  readonly resultKind: 'model' | 'upscaled' | 'family';
  /** Metrics of the merged model (for a family: of the member labelled equal weights, if any). */
  readonly results: TaskPoolResult | null;
  /** Tasks evaluated but held out of the merge (the run's `held_out`); absent when none. */
  readonly heldOut?: readonly string[];
  readonly family?: readonly FamilyMemberReport[];
  readonly parameters: { readonly all: number; readonly trainable: number };
  /**
   * Wall seconds per phase. After a resume, `method` and `total` include the seconds the restored
   * training steps took in the earlier runs (see `resumed`).
   */
  readonly timings: Readonly<Record<string, number>>;
  /** Present when training resumed from a training state saved by an earlier, interrupted run of this one. */
  readonly resumed?: {
    /** Seconds of the restored steps, spent in the earlier runs. */
    readonly secondsBefore: number;
    /** Seconds of the method in this run. */
    readonly secondsNow: number;
    /** The share of the training steps done in this run (0..1). */
    readonly shareNow: number;
    readonly loops: readonly { readonly loop: string; readonly fromStep: number; readonly steps: number }[];
  };
  readonly peakMemory: { readonly rssBytes: number; readonly tensorBytes: number };
  readonly artifacts: Readonly<Record<string, unknown>>;
  readonly environment: { readonly node: string; readonly platform: string; readonly mergebench: string };
}
