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
  /**
   * Other names accepted for this parameter, e.g. another framework's spelling of the same
   * setting. Configs and reports use `name`; giving two names of one parameter is an error.
   */
  readonly aliases?: readonly string[];
  /**
   * Names this parameter had before it was renamed: still accepted, each with a one-line warning
   * naming `name`. Configs and reports use `name`.
   */
  readonly deprecatedNames?: readonly string[];
  /**
   * Names another framework gives a related setting that this parameter does not cover, with
   * what to do instead. Giving one is an error unless its value is one it accepts.
   */
  readonly foreignNames?: Readonly<Record<string, ForeignName>>;
}

/** A name from another framework that a component answers with a hint instead of a value. */
export interface ForeignName {
  /** One sentence: why the name is not taken here and what to use instead. */
  readonly hint: string;
  /**
   * Values that ask for what happens here anyway (e.g. `devices: 1`, `[]`): accepted and ignored.
   * `any`: every value is harmless. Absent: every value is refused.
   */
  readonly accepts?: 'any' | readonly unknown[];
}

/** Parameter values after validation: every declared name is present. */
export type ParamValues = Record<string, unknown>;
