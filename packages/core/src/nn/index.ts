export type { Activation } from './activations.js';
export { activationByName, gelu, geluTanh, quickGelu, relu } from './activations.js';
export type { Conv2dOptions } from './conv2d.js';
export { Conv2d } from './conv2d.js';
export type { EmbeddingOptions } from './embedding.js';
export { Embedding } from './embedding.js';
export { causalAttentionMask } from './functional/causal-mask.js';
export { FUSED_KERNELS } from './functional/fused.js';
export { gatherRows } from './functional/gather-rows.js';
export { matMul } from './functional/matmul.js';
export { functionalCall } from './functional-call.js';
export type { LayerNormOptions } from './layer-norm.js';
export { LayerNorm, layerNorm } from './layer-norm.js';
export type { LinearOptions } from './linear.js';
export { Linear, linear } from './linear.js';
export type {
  BufferOptions,
  LoadStateDictOptions,
  LoadStateDictResult,
  ParameterOptions,
} from './module.js';
export { Module } from './module.js';
export { ModuleList } from './module-list.js';
export type { MultiHeadAttentionOptions } from './multi-head-attention.js';
export { MultiHeadAttention } from './multi-head-attention.js';
export { Sequential } from './sequential.js';
export type { ModelSite, SiteKind } from './sites.js';
export { findSites } from './sites.js';
