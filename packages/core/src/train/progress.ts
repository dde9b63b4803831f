import type { Logger } from '../contracts/logger.js';

/** Receives a loop's progress. */
export interface ProgressReporter {
  /** `step` updates of the run are done; `loss` is the latest step's. */
  update(step: number, loss: number): void;
  /** The loop ended (finished or stopped). */
  finish(): void;
}

/** The parts of a terminal stream a progress bar uses (process.stderr has them). */
export interface ProgressStream {
  readonly isTTY?: boolean;
  readonly columns?: number;
  write(text: string): unknown;
}

export interface ProgressBarOptions {
  /** The step count the run ends at. */
  readonly total: number;
  /** Steps already done when the bar starts (a resumed run); rates count only new ones. */
  readonly start?: number;
  /** Shown before the bar and in the summary line. Default 'training'. */
  readonly label?: string;
  /** Default process.stderr. */
  readonly stream?: ProgressStream;
  /** Default process.env; a set `CI` turns drawing off. */
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Receives one summary line at finish(), whether or not the bar was drawn. */
  readonly logger?: Logger;
  /** Milliseconds clock. Default performance.now. */
  readonly now?: () => number;
  /** Redraw at most this often. Default 100 ms (10 redraws per second). */
  readonly minIntervalMs?: number;
}

/** Whether a bar would be drawn: only on a terminal, and not under CI (its logs are files). */
export function progressDrawable(
  stream: ProgressStream,
  env: Readonly<Record<string, string | undefined>>,
): boolean {
  const ci = env.CI;
  const inCi = ci !== undefined && ci !== '' && ci !== '0' && ci.toLowerCase() !== 'false';
  return stream.isTTY === true && !inCi;
}

/** 75 → "1:15", 3700 → "1:01:40". */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.max(0, Math.round(seconds));
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const ss = String(s % 60).padStart(2, '0');
  return h > 0 ? `${h}:${String(m).padStart(2, '0')}:${ss}` : `${m}:${ss}`;
}

function formatLoss(loss: number): string {
  return Math.abs(loss) >= 1e4 || (loss !== 0 && Math.abs(loss) < 1e-3)
    ? loss.toExponential(3)
    : loss.toFixed(4);
}

/**
 * A one-line progress bar redrawn in place on a terminal: label, bar, step/total, loss, steps/s
 * and ETA. Off a terminal or under CI it draws nothing, and update() only stores two numbers.
 */
export class ProgressBar implements ProgressReporter {
  readonly #total: number;
  readonly #start: number;
  readonly #label: string;
  readonly #stream: ProgressStream;
  readonly #logger: Logger | undefined;
  readonly #now: () => number;
  readonly #minInterval: number;
  readonly #drawing: boolean;
  readonly #startedAt: number;
  #lastDraw = Number.NEGATIVE_INFINITY;
  #step: number;
  #loss = Number.NaN;
  #finished = false;

  constructor(options: ProgressBarOptions) {
    this.#total = options.total;
    this.#start = options.start ?? 0;
    this.#step = this.#start;
    this.#label = options.label ?? 'training';
    this.#stream = options.stream ?? process.stderr;
    this.#logger = options.logger;
    this.#now = options.now ?? (() => performance.now());
    this.#minInterval = options.minIntervalMs ?? 100;
    this.#drawing = progressDrawable(this.#stream, options.env ?? process.env);
    this.#startedAt = this.#now();
  }

  update(step: number, loss: number): void {
    this.#step = step;
    this.#loss = loss;
    if (!this.#drawing) return;
    const now = this.#now();
    if (now - this.#lastDraw < this.#minInterval && step < this.#total) return;
    this.#lastDraw = now;
    this.#stream.write(`\r${this.#line(now)}\x1b[K`);
  }

  finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    const now = this.#now();
    if (this.#drawing) this.#stream.write(`\r${this.#line(now)}\x1b[K\n`);
    const done = this.#step - this.#start;
    const seconds = (now - this.#startedAt) / 1000;
    const loss = Number.isNaN(this.#loss) ? '' : `, last loss ${formatLoss(this.#loss)}`;
    this.#logger?.info(
      `${this.#label}: ${done} steps in ${seconds.toFixed(1)}s (${this.#rate(now).toFixed(2)} steps/s), ` +
        `at step ${this.#step}/${this.#total}${loss}`,
    );
  }

  #rate(now: number): number {
    const seconds = (now - this.#startedAt) / 1000;
    return seconds > 0 ? (this.#step - this.#start) / seconds : 0;
  }

  /** The text of the bar at time `now`, fitted to the terminal width. */
  #line(now: number): string {
    const rate = this.#rate(now);
    const eta = rate > 0 ? formatDuration((this.#total - this.#step) / rate) : '?';
    const counts = `${this.#step}/${this.#total}`;
    const loss = Number.isNaN(this.#loss) ? '' : ` loss ${formatLoss(this.#loss)}`;
    const stats = ` ${counts}${loss} ${rate.toFixed(2)} steps/s ETA ${eta}`;
    const columns = this.#stream.columns ?? 80;
    const width = Math.min(30, columns - this.#label.length - stats.length - 4);
    if (width < 5) return `${this.#label}${stats}`.slice(0, Math.max(0, columns - 1));
    const filled =
      this.#total > 0 ? Math.round((width * Math.min(this.#step, this.#total)) / this.#total) : width;
    return `${this.#label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}]${stats}`;
  }
}
