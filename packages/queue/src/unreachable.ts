import { MergebenchError } from '@mergebench/core';

/**
 * Decides when Redis has been unreachable for too long. ioredis reconnects forever (a worker
 * must wait through a Redis restart), so the coordinator, which a user watches, gives up after
 * `limitMs` with one line instead of hanging.
 */
export class UnreachableWatch {
  #since: number | undefined;
  #reason = '';

  constructor(
    private readonly shown: string,
    private readonly limitMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  ok(): void {
    this.#since = undefined;
  }

  /** Records a failed call; throws once the server has been unreachable for the limit. */
  failed(error: unknown, unfinished: number): void {
    this.#since ??= this.now();
    this.#reason = (error instanceof Error ? error.message : String(error)).split('\n')[0];
    const seconds = (this.now() - this.#since) / 1000;
    if (seconds * 1000 >= this.limitMs)
      throw new MergebenchError(
        `queue ${this.shown} unreachable for ${Math.round(seconds)} s (${this.#reason}); ${unfinished} runs unfinished stay queued there: run the same command again once Redis is back`,
      );
  }
}
