import { readdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { type PluginRegistrar, resolvePresets } from '@mergebench/core';
import { checkPluginConformance } from '@mergebench/core/testing';
import { describe, expect, it } from 'vitest';
import plugin, { clipVitModelPool } from './index.js';

const PACKAGE_ROOT = fileURLToPath(new URL('..', import.meta.url));
const TASKS = ['sun397', 'stanford-cars', 'resisc45', 'eurosat', 'svhn', 'gtsrb', 'mnist', 'dtd'];

describe('@mergebench/modelpool-clip-vit plugin', () => {
  it('passes the plugin conformance checks', async () => {
    await checkPluginConformance(plugin);
  });

  it('registers the clip-vit model pool and its presets folder', () => {
    const registered: unknown[] = [];
    const presetDirs: string[] = [];
    const registrar = {
      method: () => {},
      taskpool: () => {},
      modelpool: (component) => registered.push(component),
      presets: (dir) => presetDirs.push(dir),
    } satisfies PluginRegistrar;
    plugin.register(registrar);
    expect(registered).toEqual([clipVitModelPool]);
    expect(presetDirs).toEqual([fileURLToPath(new URL('../configs', import.meta.url))]);
  });

  it('ships presets for ViT-B/32, B/16 and L/14 with the pretrained model and eight tasks', () => {
    const files = readdirSync(`${PACKAGE_ROOT}/configs/modelpool`).sort();
    expect(files).toEqual([
      'CLIPVisionModelPool',
      'clip-vit-b16.yaml',
      'clip-vit-b32.yaml',
      'clip-vit-l14.yaml',
    ]);
    for (const [preset, hub] of [
      ['clip-vit-b32', 'base-patch32'],
      ['clip-vit-b16', 'base-patch16'],
      ['clip-vit-l14', 'large-patch14'],
    ]) {
      const { modelpool } = resolvePresets({ modelpool: preset }, undefined, [PACKAGE_ROOT]) as {
        modelpool: { name: string; models: Record<string, string> };
      };
      expect(modelpool.name).toBe('clip-vit');
      expect(modelpool.models).toEqual({
        _pretrained_: `openai/clip-vit-${hub}`,
        ...Object.fromEntries(TASKS.map((task) => [task, `tanganke/clip-vit-${hub}_${task}`])),
      });
    }
  });
});
