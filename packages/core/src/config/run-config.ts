import type { ComponentKind } from '../contracts/component.js';
import { COMPONENT_KINDS } from '../contracts/component.js';
import type { ParamSpec } from '../contracts/params.js';

/** A method, model pool or task pool as configured: `name` picks the component, the rest are its parameters. */
export interface ComponentConfig {
  name: string;
  [param: string]: unknown;
}

/** The resolved configuration of one run. */
export interface RunConfig {
  method: ComponentConfig;
  modelpool: ComponentConfig;
  taskpool: ComponentConfig;
  /** Extra plugin packages to load (package names or paths). */
  plugins: string[];
  seed: number;
  /** `auto` or a registered backend's name (`backendNames()`); checked when the backend is selected. */
  backend: string;
  /** The run's folder is created under it. */
  output_dir: string;
  /** `null`: the program derives one. */
  run_name: string | null;
  /** Folder to save the merged model in, or `null` to not save it. */
  save_model: string | null;
  /** Tasks whose models are not merged and whose data the method never sees; evaluated all the same. */
  held_out: string[];
}

/** The run settings other than the components. */
export type RunSettings = Omit<RunConfig, ComponentKind>;

export const RUN_CONFIG_DEFAULTS: Readonly<RunSettings> = Object.freeze({
  plugins: [],
  seed: 42,
  backend: 'auto',
  output_dir: 'runs',
  run_name: null,
  save_model: null,
  held_out: [],
});

/** The run settings declared like component parameters, so one validator checks both. */
export const RUN_SETTING_SPECS: readonly ParamSpec[] = [
  {
    name: 'plugins',
    type: 'string[]',
    description: 'Extra plugin packages to load (package names or paths).',
    default: RUN_CONFIG_DEFAULTS.plugins,
  },
  {
    name: 'seed',
    type: 'integer',
    description: 'Seed of every random draw.',
    default: RUN_CONFIG_DEFAULTS.seed,
  },
  {
    name: 'backend',
    type: 'string',
    description:
      'TensorFlow.js backend: auto (MERGEBENCH_BACKEND if set, else the fastest that loads), tfjs-node-gpu, webgpu, tfjs-node, native, wasm or cpu.',
    default: RUN_CONFIG_DEFAULTS.backend,
  },
  {
    name: 'output_dir',
    type: 'string',
    description: "Folder the run's folder is created in.",
    default: RUN_CONFIG_DEFAULTS.output_dir,
  },
  {
    name: 'run_name',
    type: 'string',
    nullable: true,
    description: "Name of the run's folder; derived by the program when null.",
    default: RUN_CONFIG_DEFAULTS.run_name,
  },
  {
    name: 'save_model',
    type: 'string',
    nullable: true,
    aliases: ['merged_model_save_path'],
    description: 'Folder to save the merged model in; not saved when null.',
    default: RUN_CONFIG_DEFAULTS.save_model,
  },
  {
    name: 'held_out',
    type: 'string[]',
    description:
      'Tasks held out: their models are not merged, the method never sees their data or heads, and the task pool evaluates them as unseen tasks.',
    default: RUN_CONFIG_DEFAULTS.held_out,
  },
];

/**
 * Every top-level key of a run config, in the order they are shown. The component keys may also
 * hold a preset name or a preset file before composition.
 */
export const RUN_CONFIG_KEYS: readonly string[] = [
  ...COMPONENT_KINDS,
  ...RUN_SETTING_SPECS.map((spec) => spec.name),
];
