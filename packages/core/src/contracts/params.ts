/** The value types a component parameter may take. */
export type ParamType = 'number' | 'integer' | 'string' | 'boolean' | 'number[]' | 'string[]' | 'record';

/** One declared parameter of a method, model pool or task pool. */
export interface ParamSpec {
  readonly name: string;
  /** The value's type, or a list of types of which any is accepted (e.g. a list or a mapping). */
  readonly type: ParamType | readonly ParamType[];
  readonly description: string;
  /** Used when the config leaves the parameter out; a parameter without a default is required. */
  readonly default?: unknown;
  /** Allowed values (strings or numbers). */
  readonly choices?: readonly (string | number)[];
  /** Inclusive bounds for numbers (and for every element of number[]). */
  readonly min?: number;
  readonly max?: number;
  /** Exclusive lower bound, e.g. k in (0, 100]. */
  readonly exclusiveMin?: number;
  /** `null` is accepted and means "not set". */
  readonly nullable?: boolean;
}

/** Parameter values after validation: every declared name is present. */
export type ParamValues = Record<string, unknown>;
