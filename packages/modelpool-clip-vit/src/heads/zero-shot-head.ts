import { check, Module, matMul } from '@mergebench/core';
import * as tf from '@tensorflow/tfjs';
import type { ClipTextModelWithProjection } from '../nn/text-model.js';
import type { ClipTokenizer } from '../tokenizer/clip-tokenizer.js';

/** A prompt for a class: a string whose `{}` is replaced by the class name, or a function of it. */
export type PromptTemplate = string | ((className: string) => string);

/** L2-normalises the rows of x [N, D]. */
function normalizeRows(x: tf.Tensor): tf.Tensor {
  return tf.div(x, tf.norm(x, 'euclidean', -1, true));
}

/**
 * A frozen CLIP zero-shot classifier: image embeddings [B, P] → logits [B, classes] =
 * exp(logit_scale) × cosine(image embedding, class embedding). `weight` holds the class
 * embeddings (unit rows) [classes, P]; `logit_scale` is CLIP's learnt log temperature.
 */
export class ZeroShotHead extends Module {
  readonly weight: tf.Variable;
  readonly logitScale: tf.Variable;

  /** Takes ownership of `classEmbeddings` (disposed here, as Module parameters are). */
  constructor(
    classEmbeddings: tf.Tensor,
    logitScale: number,
    readonly classNames: readonly string[],
  ) {
    super();
    check(
      classEmbeddings.rank === 2 && classEmbeddings.shape[0] === classNames.length,
      () =>
        `ZeroShotHead: expected class embeddings [${classNames.length}, P], got [${classEmbeddings.shape}]`,
    );
    this.weight = this.registerParameter('weight', classEmbeddings, { trainable: false });
    this.logitScale = this.registerParameter('logit_scale', tf.scalar(logitScale), { trainable: false });
  }

  get numClasses(): number {
    return this.classNames.length;
  }

  /** features [B, P] (image embeddings, not necessarily normalised) → logits [B, classes]. */
  forward(features: tf.Tensor): tf.Tensor {
    check(
      features.rank === 2 && features.shape[1] === this.weight.shape[1],
      () => `ZeroShotHead: expected features [B, ${this.weight.shape[1]}], got [${features.shape}]`,
    );
    return tf.tidy(() =>
      tf.mul(matMul(normalizeRows(features), this.weight, false, true), tf.exp(this.logitScale)),
    );
  }
}

function fillTemplate(template: PromptTemplate, className: string): string {
  if (typeof template === 'function') return template(className);
  check(
    template.includes('{}'),
    () => `zero-shot template ${JSON.stringify(template)} has no {} for the class name`,
  );
  return template.replaceAll('{}', className);
}

export interface ZeroShotOptions {
  /** Prompts embedded per forward pass of the text model (default 64). */
  readonly batchSize?: number;
}

/**
 * Builds CLIP's zero-shot head: for each class, the text embedding of every template filled with
 * the class name is L2-normalised, the embeddings are averaged and the mean normalised again.
 * `logitScale` is CLIP's `logit_scale` parameter (a log; the logits use its exp).
 */
export function buildZeroShotHead(
  textModel: ClipTextModelWithProjection,
  tokenizer: ClipTokenizer,
  classNames: readonly string[],
  templates: readonly PromptTemplate[],
  logitScale: number,
  { batchSize = 64 }: ZeroShotOptions = {},
): ZeroShotHead {
  check(
    classNames.length > 0 && templates.length > 0,
    'buildZeroShotHead: needs at least one class name and one template',
  );
  const prompts = classNames.flatMap((name) => templates.map((template) => fillTemplate(template, name)));
  const embeddings = tf.tidy(() => {
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < prompts.length; start += batchSize) {
      const ids = tokenizer.encodeBatch(prompts.slice(start, start + batchSize));
      parts.push(normalizeRows(textModel.forward(ids)));
    }
    const perPrompt = tf.concat(parts, 0);
    const perClass = tf.mean(tf.reshape(perPrompt, [classNames.length, templates.length, -1]), 1);
    return normalizeRows(perClass);
  });
  return new ZeroShotHead(embeddings, logitScale, classNames);
}
