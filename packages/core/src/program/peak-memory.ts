import * as tf from '@tensorflow/tfjs';

/**
 * Tracks the peak resident set size and the peak bytes held in tensors while a run is going.
 * Sampling on a timer misses short spikes, so phases also call `sample()` at their boundaries.
 */
export class PeakMemory {
  rssBytes = 0;
  tensorBytes = 0;
  private timer: NodeJS.Timeout | undefined;

  start(intervalMs = 100): this {
    this.sample();
    this.timer = setInterval(() => this.sample(), intervalMs);
    this.timer.unref();
    return this;
  }

  sample(): void {
    this.rssBytes = Math.max(this.rssBytes, process.memoryUsage.rss());
    this.tensorBytes = Math.max(this.tensorBytes, tf.memory().numBytes);
  }

  stop(): void {
    this.sample();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
