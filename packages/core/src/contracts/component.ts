import type { DependencyContainer } from 'tsyringe';
import type { HubRepo } from '../hub/cache.js';
import type { ParamSpec, ParamValues } from './params.js';

export type ComponentKind = 'method' | 'modelpool' | 'taskpool';
export const COMPONENT_KINDS: readonly ComponentKind[] = ['method', 'modelpool', 'taskpool'];

/** A paper a component implements, shown by `mergebench list` and in reports. */
export interface PaperLink {
  readonly title: string;
  readonly url: string;
}

/**
 * The data a method consumes, so a leaderboard can say how fair a comparison is: a method that
 * reads labelled training data is not on equal footing with one that only sees the weights.
 */
export interface DataNeeds {
  /** Labelled training data of every task (Fisher, RegMean, supervised training). */
  readonly labelledTrain?: boolean;
  /** Labelled validation data (hyper-parameter search). */
  readonly labelledValidation?: boolean;
  /** Unlabelled test inputs at merge time (test-time adaptation: AdaMerging, WEMoE). */
  readonly unlabelledTest?: boolean;
  /** Per-task classification heads. */
  readonly heads?: boolean;
}

/** What a component says about itself: its name, its parameters and where it comes from. */
export interface ComponentInfo {
  readonly kind: ComponentKind;
  /** Short name used in configs (`ties`); unique per kind. */
  readonly name: string;
  readonly description: string;
  readonly params: readonly ParamSpec[];
  readonly paper?: PaperLink;
  readonly needs?: DataNeeds;
  /**
   * The Hub files a component would read with these parameters, for `mergebench download`:
   * repositories and, per repository, glob patterns of the files needed (when absent, a model's
   * safetensors, json and txt files, or a data set's README.md and parquet files).
   * Locations that are local paths are left out.
   */
  readonly downloads?: (params: ParamValues) => readonly HubDownload[];
}

/** Files of one Hub repository that a component reads. */
export interface HubDownload {
  readonly repo: HubRepo;
  /** Glob patterns (`*.json`, `data/test-*.parquet`); the repository type's defaults when absent. */
  readonly include?: readonly string[];
}

/** Everything a component factory gets: validated parameters and the run's container. */
export interface CreateContext {
  readonly params: ParamValues;
  /** The run's child container: config, logger, backend, task data and heads (when provided). */
  readonly container: DependencyContainer;
  /** Folder of the config file that named the component; relative paths resolve against it. */
  readonly baseDir: string;
}

/** A registered component: its declaration plus a factory. */
export interface Component<T> {
  readonly info: ComponentInfo;
  create(ctx: CreateContext): T | Promise<T>;
}
