/**
 * The parameters of the CLIP ViT-B/32 vision tower, with Hugging Face's names (CLIPVisionModel):
 * patch 32 on 224-pixel images (49 patches + the class token = 50 positions), width 768,
 * 12 layers of 12-head attention and a 3072-wide MLP. 87,456,000 float32 parameters.
 */
const WIDTH = 768;
const MLP = 3072;
const LAYERS = 12;
const PATCH = 32;
const POSITIONS = 50;

export type Layout = readonly (readonly [key: string, shape: readonly number[]])[];

export function vitB32Layout(): Layout {
  const layout: [string, number[]][] = [
    ['vision_model.embeddings.class_embedding', [WIDTH]],
    ['vision_model.embeddings.patch_embedding.weight', [WIDTH, 3, PATCH, PATCH]],
    ['vision_model.embeddings.position_embedding.weight', [POSITIONS, WIDTH]],
    ['vision_model.pre_layrnorm.weight', [WIDTH]],
    ['vision_model.pre_layrnorm.bias', [WIDTH]],
  ];
  for (let i = 0; i < LAYERS; i++) {
    const layer = `vision_model.encoder.layers.${i}`;
    for (const proj of ['k_proj', 'v_proj', 'q_proj', 'out_proj']) {
      layout.push(
        [`${layer}.self_attn.${proj}.weight`, [WIDTH, WIDTH]],
        [`${layer}.self_attn.${proj}.bias`, [WIDTH]],
      );
    }
    layout.push(
      [`${layer}.layer_norm1.weight`, [WIDTH]],
      [`${layer}.layer_norm1.bias`, [WIDTH]],
      [`${layer}.mlp.fc1.weight`, [MLP, WIDTH]],
      [`${layer}.mlp.fc1.bias`, [MLP]],
      [`${layer}.mlp.fc2.weight`, [WIDTH, MLP]],
      [`${layer}.mlp.fc2.bias`, [WIDTH]],
      [`${layer}.layer_norm2.weight`, [WIDTH]],
      [`${layer}.layer_norm2.bias`, [WIDTH]],
    );
  }
  layout.push(['vision_model.post_layernorm.weight', [WIDTH]], ['vision_model.post_layernorm.bias', [WIDTH]]);
  return layout;
}

export function countParameters(layout: Layout): number {
  return layout.reduce((n, [, shape]) => n + shape.reduce((a, b) => a * b, 1), 0);
}
