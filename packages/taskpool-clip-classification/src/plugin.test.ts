import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ComponentRegistry, registerPlugin, resolveRun } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import { TASK_NAMES, TASK_SETS } from './catalog/dataset-table.js';
import { taskPrompts } from './catalog/task-prompts.js';
import { tempDir } from './fixtures.test.helpers.js';
import plugin from './index.js';

function registry(): ComponentRegistry {
  const r = new ComponentRegistry();
  registerPlugin(r, plugin, plugin.name);
  return r;
}

describe('the plugin', () => {
  it('passes the conformance checks', async () => {
    await checkPluginConformance(plugin);
  });

  it("resolves its presets by name, FusionBench's subfolder names included", async () => {
    const run = (taskpool: string) =>
      resolveRun({
        registry: registry(),
        cwd: tempDir(),
        overrides: ['method=dummy', 'modelpool=toy', `taskpool=${taskpool}`],
      });
    const ta8 = await run('clip-vit-classification_TA8');
    expect(ta8.taskpool.registered.component.info.name).toBe('clip-classification');
    expect(ta8.taskpool.params.tasks).toEqual(TASK_SETS.TA8);
    expect(ta8.taskpool.params.clip_model).toBeNull();
    const l14 = await run('CLIPVisionModelTaskPool/clip-vit-classification_TA8_L14');
    expect(l14.taskpool.params.clip_model).toBe('openai/clip-vit-large-patch14');
    expect(l14.taskpool.params.tasks).toEqual(TASK_SETS.TA8);
    const tall20 = await run('CLIPVisionModelTaskPool/clip-vit-classification_TALL20');
    expect(tall20.taskpool.params.tasks).toEqual(TASK_NAMES);
    expect((await run('clip-vit-single-task_svhn')).taskpool.params.tasks).toEqual(['svhn']);
  });

  it('ships a preset per task and prompts whose templates all name the class', () => {
    const presets = readdirSync(join(import.meta.dirname, '..', 'configs', 'taskpool'));
    for (const task of TASK_NAMES) {
      expect(presets).toContain(`clip-vit-single-task_${task}.yaml`);
      const { classNames, templates } = taskPrompts(task);
      expect(new Set(classNames).size).toBe(classNames.length);
      for (const template of templates) expect(template).toContain('{}');
    }
    expect(taskPrompts('sun397').classNames).toHaveLength(397);
    expect(taskPrompts('cifar100').templates).toHaveLength(18);
  });
});
