/**
 * Before a merge writes anything: every model must have the base model's keys, shapes and
 * dtypes. The two differences users meet most are named as what they are: tied word embeddings
 * (a model without `lm_head.weight` because `tie_word_embeddings` is true) and vocabularies of
 * different sizes (tokens added in fine-tuning).
 */
import { type CheckpointSource, type HfConfig, listNames, MergebenchError } from '@mergebench/core';

export interface CheckedModel {
  readonly name: string;
  readonly config: HfConfig;
  readonly weights: CheckpointSource;
}

const shapeText = (shape: readonly number[]) => `[${shape.join(', ')}]`;

/** The vocabulary size a config declares (text_config for multimodal models). */
function vocabSize(config: HfConfig): unknown {
  const text = config.text_config as HfConfig | undefined;
  return config.vocab_size ?? text?.vocab_size;
}

/** How a config states tie_word_embeddings, for messages. */
function tieSetting(config: HfConfig): string {
  return config.tie_word_embeddings === undefined ? 'unset' : String(config.tie_word_embeddings);
}

/** Throws a MergebenchError naming the first model, key and difference found. */
export function assertSameLayout(base: CheckedModel, others: readonly CheckedModel[]): void {
  const baseKeys = base.weights.keys();
  for (const model of others) {
    const keys = new Set(model.weights.keys());
    const missing = baseKeys.filter((key) => !keys.has(key));
    const extra = [...keys].filter((key) => !base.weights.has(key));
    if (missing.length > 0 || extra.length > 0) {
      const differing = [...missing, ...extra];
      const tie =
        differing.length === 1 && differing[0].endsWith('lm_head.weight') ? differing[0] : undefined;
      if (tie) {
        const [withHead, without] = missing.includes(tie) ? [base, model] : [model, base];
        throw new MergebenchError(
          `model ${without.name} has no ${tie} (tied word embeddings, tie_word_embeddings: ${tieSetting(without.config)}) but ${withHead.name} has one (tie_word_embeddings: ${tieSetting(withHead.config)}); merge models that tie their embeddings alike`,
        );
      }
      throw new MergebenchError(
        `model ${model.name} does not have the keys of the base model ${base.name}: ` +
          [
            missing.length > 0 ? `missing ${listNames(missing, 4)}` : '',
            extra.length > 0 ? `extra ${listNames(extra, 4)}` : '',
          ]
            .filter(Boolean)
            .join('; '),
      );
    }
    for (const key of baseKeys) {
      const want = base.weights.info(key);
      const got = model.weights.info(key);
      if (shapeText(want.shape) !== shapeText(got.shape)) {
        const vb = vocabSize(base.config);
        const vm = vocabSize(model.config);
        if (vb !== vm && (want.shape.includes(vb as number) || got.shape.includes(vm as number))) {
          throw new MergebenchError(
            `vocabulary sizes differ: ${model.name} has vocab_size ${vm} (${key} ${shapeText(got.shape)}), the base model ${base.name} ${vb} (${shapeText(want.shape)}); merging models with different tokenizers (mergekit's tokenizer_source: union) is not supported`,
          );
        }
        throw new MergebenchError(
          `model ${model.name}: key '${key}' has shape ${shapeText(got.shape)}, expected ${shapeText(want.shape)} as in the base model ${base.name}`,
        );
      }
      if (want.storedDtype !== got.storedDtype) {
        throw new MergebenchError(
          `model ${model.name}: key '${key}' is stored as ${got.storedDtype}, the base model ${base.name} stores it as ${want.storedDtype}; convert the checkpoints to one dtype first`,
        );
      }
    }
  }
}
