import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { check, type Logger, listNames, type TaskHeads } from '@mergebench/core';
import {
  buildZeroShotHead,
  type ClipTextModelWithProjection,
  ClipTokenizer,
  cachedZeroShotHead,
  loadClipLogitScale,
  loadClipTextModel,
  type ZeroShotHead,
} from '@mergebench/modelpool-clip-vit';
import { headCacheName, modelFingerprint } from './head-cache-key.js';

/** What one task's zero-shot head is made of. */
export interface HeadRecipe {
  readonly task: string;
  readonly classNames: readonly string[];
  readonly templates: readonly string[];
}

/** Zero-shot heads by task: frozen modules mapping image embeddings [B, P] to logits [B, classes]. */
export class ClipHeads implements TaskHeads {
  readonly taskNames: readonly string[];

  constructor(private readonly heads: ReadonlyMap<string, ZeroShotHead>) {
    this.taskNames = [...heads.keys()];
  }

  head(task: string): ZeroShotHead {
    const head = this.heads.get(task);
    check(head, () => `no head for task '${task}'; available: ${listNames(this.taskNames)}`);
    return head;
  }

  numClasses(task: string): number {
    return this.head(task).numClasses;
  }

  dispose(): void {
    for (const head of this.heads.values()) head.dispose();
  }
}

/**
 * Builds the heads from a CLIPModel folder's text tower, CLIP's tokenizer and its logit scale,
 * each cached in `cacheDir` under a name keyed by the model, the classes and the templates. The
 * text tower is loaded only when a head is missing from the cache.
 */
export async function loadClipHeads(
  recipes: readonly HeadRecipe[],
  modelDir: string,
  cacheDir: string,
  logger?: Logger,
): Promise<ClipHeads> {
  await mkdir(cacheDir, { recursive: true });
  const model = await modelFingerprint(modelDir);
  let text: { model: ClipTextModelWithProjection; tokenizer: ClipTokenizer; logitScale: number } | undefined;
  const heads = new Map<string, ZeroShotHead>();
  try {
    for (const { task, classNames, templates } of recipes) {
      const file = join(cacheDir, headCacheName(task, model, classNames, templates));
      const head = await cachedZeroShotHead(file, classNames, async () => {
        text ??= {
          model: await loadClipTextModel(modelDir),
          tokenizer: await ClipTokenizer.fromFolder(modelDir),
          logitScale: await loadClipLogitScale(modelDir),
        };
        logger?.info(
          `building the zero-shot head of '${task}' (${classNames.length} classes × ${templates.length} templates)`,
        );
        return buildZeroShotHead(text.model, text.tokenizer, classNames, templates, text.logitScale);
      });
      heads.set(task, head);
    }
  } catch (error) {
    for (const head of heads.values()) head.dispose();
    throw error;
  } finally {
    text?.model.dispose();
  }
  return new ClipHeads(heads);
}
