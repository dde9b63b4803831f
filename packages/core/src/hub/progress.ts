import cliProgress from 'cli-progress';
import { type ProgressStream, progressDrawable } from '../train/progress.js';

/** What a download reports about each file; `file` labels it (`owner/name/path`). */
export interface DownloadProgress {
  /** A file starts, or resumes with `done` bytes already on disk. */
  start(file: string, total: number, done: number): void;
  update(file: string, done: number): void;
  /** The file is in the cache: fetched now, or found there already. */
  finish(file: string, outcome: 'fetched' | 'cached', total: number): void;
  /** Every file is done (or the download failed): release the terminal. */
  stop(): void;
}

export const silentProgress: DownloadProgress = {
  start() {},
  update() {},
  finish() {},
  stop() {},
};

/** 1536 → "1.5 KB" (powers of 1000, like the Hub's pages). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit++;
  }
  return unit === 0 ? `${bytes} B` : `${value.toFixed(1)} ${units[unit]}`;
}

/** One line per file fetched, for logs: no redrawing, nothing for files already cached. */
export function lineProgress(write: (line: string) => void): DownloadProgress {
  return {
    ...silentProgress,
    finish(file, outcome, total) {
      if (outcome === 'fetched') write(`fetched ${file} (${formatBytes(total)})`);
    },
  };
}

/** One cli-progress bar per file being fetched; a finished file leaves one line above the bars. */
export function barProgress(stream: NodeJS.WritableStream): DownloadProgress {
  const multi = new cliProgress.MultiBar(
    {
      stream,
      format: '{bar} {percentage}% | {size} | {file}',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: true,
      formatValue: (value, _options, type) =>
        type === 'percentage' ? String(value).padStart(3) : String(value),
    },
    cliProgress.Presets.shades_classic,
  );
  const bars = new Map<string, { bar: cliProgress.SingleBar; total: number }>();
  const payload = (file: string, done: number, total: number) => ({
    file,
    size: `${formatBytes(done)}/${formatBytes(total)}`,
  });
  return {
    start(file, total, done) {
      if (!bars.has(file))
        bars.set(file, { bar: multi.create(total, done, payload(file, done, total)), total });
    },
    update(file, done) {
      const entry = bars.get(file);
      entry?.bar.update(done, payload(file, done, entry.total));
    },
    finish(file, outcome, total) {
      const entry = bars.get(file);
      if (entry) {
        multi.remove(entry.bar);
        bars.delete(file);
      }
      if (outcome === 'fetched') multi.log(`fetched ${file} (${formatBytes(total)})\n`);
    },
    stop() {
      if (!multi.isActive) return;
      // log() lines wait for the next redraw, and stop() does not redraw: flush them first.
      multi.update();
      multi.stop();
    },
  };
}

/**
 * Bars on a terminal, one line per fetched file elsewhere (a pipe, a log file, CI), where
 * redrawn bars would only fill the log with control characters; also with
 * HF_HUB_DISABLE_PROGRESS_BARS, as huggingface_hub.
 */
export function progressFor(
  stream: ProgressStream & NodeJS.WritableStream,
  env: Readonly<Record<string, string | undefined>> = process.env,
): DownloadProgress {
  const disabled = ['1', 'true', 'yes', 'on'].includes(
    (env.HF_HUB_DISABLE_PROGRESS_BARS ?? '').toLowerCase(),
  );
  return progressDrawable(stream, env) && !disabled
    ? barProgress(stream)
    : lineProgress((line) => stream.write(`${line}\n`));
}
