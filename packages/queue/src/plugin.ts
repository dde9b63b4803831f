import { definePlugin } from '@mergebench/core';
import { queueCommand } from './queue-command.js';
import { workerCommand } from './worker-command.js';

/** Registers `mergebench worker` and `mergebench queue status`; no components. */
export const queuePlugin = definePlugin({
  name: '@mergebench/queue',
  register(registrar) {
    registrar.command?.(workerCommand);
    registrar.command?.(queueCommand);
  },
});
