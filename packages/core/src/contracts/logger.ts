/** Where components report what they do. The CLI's logger writes to stderr; tests collect lines. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  debug(message: string): void;
  /**
   * Optional: each step of a training loop, for a caller that reports progress elsewhere (a queue
   * worker sends it back through its job). Called whether or not a progress bar is drawn.
   */
  progress?(update: ProgressUpdate): void;
}

/** One step of a training loop, as `Logger.progress` receives it. */
export interface ProgressUpdate {
  /** The loop's name, e.g. 'adaptation'. */
  readonly loop: string;
  readonly step: number;
  readonly total: number;
  /** The step's loss (summed over tasks). */
  readonly loss: number;
}
