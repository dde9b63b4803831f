import * as tf from '@tensorflow/tfjs';
import { afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import type { StateDict } from '../tensors/types.js';
import { LayerNorm } from './layer-norm.js';
import { Linear } from './linear.js';
import { Module } from './module.js';
import { ModuleList } from './module-list.js';
import { findSites, type ModelSite } from './sites.js';

class Mlp extends Module {
  readonly fc1 = this.registerModule('fc1', new Linear(4, 6));
  readonly fc2 = this.registerModule('fc2', new Linear(6, 4));

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.fc2.forward(tf.relu(this.fc1.forward(x))));
  }
}

/** Stands in for a replacement block (e.g. a mixture of experts): different parameters, same shapes. */
class Scale extends Module {
  readonly factor = this.registerParameter('factor', tf.fill([4], 2));

  forward(x: tf.Tensor): tf.Tensor {
    return tf.mul(x, this.factor);
  }
}

class Layer extends Module {
  readonly layerNorm = this.registerModule('layer_norm', new LayerNorm(4));
  readonly mlp: Module = this.registerModule('mlp', new Mlp());

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.add(x, this.mlp.forward(this.layerNorm.forward(x))));
  }
}

class Encoder extends Module {
  readonly layers = this.registerModule('layers', new ModuleList([new Layer(), new Layer()]));

  override sites(): ModelSite[] {
    return [...this.layers].flatMap((_, layer): ModelSite[] => [
      { kind: 'layer', path: `layers.${layer}`, layer },
      { kind: 'mlp', path: `layers.${layer}.mlp`, layer },
    ]);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => [...this.layers].reduce((h, layer) => layer.forward(h), x));
  }
}

class TinyModel extends Module {
  readonly embeddings = this.registerModule('embeddings', new Linear(3, 4));
  readonly encoder = this.registerModule('encoder', new Encoder());
  readonly scale: tf.Variable;
  readonly positionIds: tf.Variable;

  constructor() {
    super();
    this.scale = this.registerParameter('scale', tf.ones([4]));
    this.positionIds = this.registerBuffer('position_ids', tf.range(0, 5, 1, 'int32'));
    this.registerBuffer('scratch', tf.zeros([2]), { persistent: false });
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.mul(this.encoder.forward(this.embeddings.forward(x)), this.scale));
  }
}

const LAYER_PARAMS = [
  'layer_norm.weight',
  'layer_norm.bias',
  'mlp.fc1.weight',
  'mlp.fc1.bias',
  'mlp.fc2.weight',
  'mlp.fc2.bias',
];
const MODEL_PARAMS = [
  'scale',
  'embeddings.weight',
  'embeddings.bias',
  ...LAYER_PARAMS.map((name) => `encoder.layers.0.${name}`),
  ...LAYER_PARAMS.map((name) => `encoder.layers.1.${name}`),
];
// embeddings 3·4+4, per layer 4+4 + 4·6+6 + 6·4+4, scale 4
const MODEL_SIZE = 16 + 2 * 66 + 4;

/** A state dict of fresh tensors, owned by the caller. */
function filled(shapes: Record<string, number[]>, value = 0.5): StateDict {
  return new Map(Object.entries(shapes).map(([key, shape]) => [key, tf.fill(shape, value)]));
}

function valuesOf(t: tf.Tensor): number[] {
  return [...t.dataSync()];
}

let model: TinyModel;

beforeAll(async () => {
  await tf.setBackend('cpu');
});
beforeEach(() => {
  model = new TinyModel();
});
afterEach(() => {
  model.dispose();
});

describe('naming', () => {
  it('names parameters by dotted path: own first, then children in registration order', () => {
    expect([...model.namedParameters().keys()]).toEqual(MODEL_PARAMS);
    expect(model.parameters()).toEqual([...model.namedParameters().values()]);
    expect(model.namedParameters().get('encoder.layers.1.mlp.fc2.weight')!.shape).toEqual([4, 6]);
  });

  it('lists children and all modules by path', () => {
    expect([...model.namedChildren().keys()]).toEqual(['embeddings', 'encoder']);
    expect([...model.namedModules().keys()]).toEqual([
      '',
      'embeddings',
      'encoder',
      'encoder.layers',
      'encoder.layers.0',
      'encoder.layers.0.layer_norm',
      'encoder.layers.0.mlp',
      'encoder.layers.0.mlp.fc1',
      'encoder.layers.0.mlp.fc2',
      'encoder.layers.1',
      'encoder.layers.1.layer_norm',
      'encoder.layers.1.mlp',
      'encoder.layers.1.mlp.fc1',
      'encoder.layers.1.mlp.fc2',
    ]);
    expect(model.getSubmodule('encoder.layers.1.mlp')).toBe(model.encoder.layers.at(1).mlp);
    expect(model.getSubmodule('')).toBe(model);
  });

  it('puts parameters and persistent buffers in the state dict, as the live variables', () => {
    const state = model.stateDict();
    expect([...state.keys()]).toEqual(['scale', 'position_ids', ...MODEL_PARAMS.slice(1)]);
    expect(state.get('scale')).toBe(model.scale);
    expect(state.get('position_ids')).toBe(model.positionIds);
    expect(model.parameters()).not.toContain(model.positionIds);
  });

  it('rejects dotted, empty and taken names', () => {
    const layer = new Layer();
    const unused = tf.zeros([1]);
    expect(() => layer.registerParameter('a.b', unused)).toThrow(/must be non-empty and contain no '\.'/);
    expect(() => layer.registerParameter('', unused)).toThrow(MergebenchError);
    expect(() => layer.registerBuffer('mlp', unused)).toThrow(
      "Layer: cannot register buffer 'mlp': the name is already taken",
    );
    const spare = new Scale();
    expect(() => layer.registerModule('layer_norm', spare)).toThrow(/already taken/);
    tf.dispose(unused);
    spare.dispose();
    layer.dispose();
  });

  it('lists a shared parameter once but keeps every name in the state dict', () => {
    class Tied extends Module {
      readonly first = this.registerModule('first', new Linear(2, 2));
      readonly second = this.registerModule('second', this.first);
      forward(): void {}
    }
    const tied = new Tied();
    expect([...tied.namedParameters().keys()]).toEqual(['first.weight', 'first.bias']);
    expect([...tied.stateDict().keys()]).toEqual([
      'first.weight',
      'first.bias',
      'second.weight',
      'second.bias',
    ]);
    expect(tied.countParameters()).toBe(6);
    tied.dispose();
    expect(tied.first.weight.isDisposed).toBe(true);
  });
});

describe('loadStateDict', () => {
  class Three extends Module {
    readonly a = this.registerModule('a', new Linear(3, 4));
    readonly b = this.registerModule('b', new Linear(3, 4));
    readonly d = this.registerModule('d', new Linear(3, 4));
    forward(): void {}
  }

  it('assigns values in place, sharing the given data; the caller may dispose its tensors', () => {
    const source = new TinyModel();
    const weightBefore = model.embeddings.weight;
    const copy: StateDict = new Map([...source.stateDict()].map(([key, t]) => [key, t.clone()]));
    expect(model.loadStateDict(copy)).toEqual({ missing: [], unexpected: [] });
    tf.dispose([...copy.values()]);
    expect(model.embeddings.weight).toBe(weightBefore);
    for (const [key, t] of source.stateDict())
      expect(valuesOf(model.stateDict().get(key)!)).toEqual(valuesOf(t));
    source.dispose();
  });

  it('lists missing keys, unexpected keys and shape mismatches in one line', () => {
    const three = new Three();
    const state = filled({ 'a.bias': [4], 'b.weight': [4, 3], 'd.weight': [3, 4], 'd.bias': [4], c: [1] });
    expect(() => three.loadStateDict(state)).toThrow(
      new MergebenchError(
        'loadStateDict: 2 missing keys (a.weight, b.bias), 1 unexpected key (c), ' +
          'shape mismatch for d.weight: expected [4,3], got [3,4]',
      ),
    );
    // Nothing was assigned.
    expect(valuesOf(three.b.weight)).not.toContain(0.5);
    tf.dispose([...state.values()]);
    three.dispose();
  });

  it('when not strict, loads what matches and returns what did not', () => {
    const three = new Three();
    const state = filled({ 'a.bias': [4], 'b.weight': [4, 3], c: [1] });
    expect(three.loadStateDict(state, { strict: false })).toEqual({
      missing: ['a.weight', 'b.bias', 'd.weight', 'd.bias'],
      unexpected: ['c'],
    });
    expect(valuesOf(three.b.weight)).toEqual(Array(12).fill(0.5));
    tf.dispose([...state.values()]);

    const wrongShape = filled({ 'd.bias': [5] });
    expect(() => three.loadStateDict(wrongShape, { strict: false })).toThrow(
      'loadStateDict: shape mismatch for d.bias: expected [4], got [5]',
    );
    tf.dispose([...wrongShape.values()]);
    three.dispose();
  });

  it('converts to the stored dtype', () => {
    const positions = tf.tensor1d([4, 3, 2, 1, 0], 'float32');
    model.loadStateDict(new Map([['position_ids', positions]]), { strict: false });
    positions.dispose();
    expect(model.positionIds.dtype).toBe('int32');
    expect(valuesOf(model.positionIds)).toEqual([4, 3, 2, 1, 0]);
  });

  it('leaves out non-persistent buffers and rejects disposed tensors', () => {
    expect(model.stateDict().has('scratch')).toBe(false);
    const disposed = tf.ones([4]);
    disposed.dispose();
    expect(() => model.loadStateDict(new Map([['scale', disposed]]), { strict: false })).toThrow(
      'loadStateDict: the tensor for scale has been disposed',
    );
  });
});

describe('setSubmodule', () => {
  it('replaces a child: names, state dict, fields and forward follow', () => {
    const replacement = new Scale();
    const old = model.setSubmodule('encoder.layers.1.mlp', replacement);
    expect(old).toBeInstanceOf(Mlp);
    expect((old as Mlp).fc1.weight.isDisposed).toBe(false);
    expect(model.encoder.layers.at(1).mlp).toBe(replacement);
    expect(model.getSubmodule('encoder.layers.1.mlp')).toBe(replacement);
    const names = [...model.namedParameters().keys()];
    expect(names).toContain('encoder.layers.1.mlp.factor');
    expect(names.filter((name) => name.startsWith('encoder.layers.1.mlp.'))).toEqual([
      'encoder.layers.1.mlp.factor',
    ]);
    expect(model.stateDict().get('encoder.layers.1.mlp.factor')).toBe(replacement.factor);
    expect(model.countParameters()).toBe(MODEL_SIZE - 58 + 4);

    // Layer 1 now computes h + 2·LN(h).
    tf.tidy(() => {
      const h = tf.randomNormal([2, 4]);
      const expected = tf.add(h, tf.mul(model.encoder.layers.at(1).layerNorm.forward(h), 2));
      expect(valuesOf(model.encoder.layers.at(1).forward(h))).toEqual(valuesOf(expected));
    });
    old.dispose();
  });

  it('replaces an item of a ModuleList', () => {
    const layer = new Layer();
    const old = model.setSubmodule('encoder.layers.0', layer);
    expect(model.encoder.layers.at(0)).toBe(layer);
    expect([...model.encoder.layers]).toEqual([layer, model.encoder.layers.at(1)]);
    old.dispose();
  });

  it('names the path that does not exist', () => {
    const scale = new Scale();
    expect(() => model.setSubmodule('encoder.layers.0.attention', scale)).toThrow(
      "setSubmodule: no submodule 'encoder.layers.0.attention' to replace (children of 'encoder.layers.0': layer_norm, mlp)",
    );
    expect(() => model.setSubmodule('encoder.layers.5.mlp', scale)).toThrow(
      "no submodule 'encoder.layers.5': 'encoder.layers' has no child '5' (children: 0, 1)",
    );
    expect(() => model.getSubmodule('decoder')).toThrow(
      "no submodule 'decoder': the root has no child 'decoder' (children: embeddings, encoder)",
    );
    scale.dispose();
  });
});

describe('freezing', () => {
  it('freezes and unfreezes subtrees; trainableVariables and variableGrads follow', () => {
    expect(model.trainableVariables()).toHaveLength(MODEL_PARAMS.length);
    model.requiresGrad(false);
    expect(model.trainableVariables()).toEqual([]);
    expect(model.countParameters({ trainableOnly: true })).toBe(0);

    const mlp = model.getSubmodule('encoder.layers.0.mlp').requiresGrad(true);
    expect(model.trainableVariables()).toEqual(mlp.parameters());
    expect(model.countParameters({ trainableOnly: true })).toBe(58);
    expect(model.countParameters()).toBe(MODEL_SIZE);

    const x = tf.randomNormal([2, 3]);
    const { value, grads } = tf.variableGrads(
      () => tf.sum(model.forward(x)) as tf.Scalar,
      model.trainableVariables(),
    );
    expect(Object.keys(grads).sort()).toEqual(
      mlp
        .parameters()
        .map((v) => v.name)
        .sort(),
    );
    tf.dispose([x, value, ...Object.values(grads)]);
  });

  it('registers frozen parameters', () => {
    const frozen = model.registerParameter('frozen', tf.zeros([3]), { trainable: false });
    expect(frozen.trainable).toBe(false);
    expect(model.trainableVariables()).not.toContain(frozen);
    expect(model.parameters()).toContain(frozen);
  });
});

describe('modes, counts and sites', () => {
  it('propagates train and eval through the tree', () => {
    const modes = () => [...model.namedModules().values()].map((m) => m.training);
    expect(modes().every(Boolean)).toBe(true);
    model.eval();
    expect(modes().some(Boolean)).toBe(false);
    model.encoder.layers.at(1).train();
    expect(model.encoder.layers.at(1).mlp.training).toBe(true);
    expect(model.encoder.layers.at(0).mlp.training).toBe(false);
    expect(model.training).toBe(false);
  });

  it('counts parameters', () => {
    expect(model.countParameters()).toBe(MODEL_SIZE);
    const linear = new Linear(5, 3, { bias: false });
    expect(linear.countParameters()).toBe(15);
    linear.dispose();
  });

  it('collects sites declared deeper in the tree, with paths from the caller', () => {
    expect(model.sites()).toEqual([
      { kind: 'layer', path: 'encoder.layers.0', layer: 0 },
      { kind: 'mlp', path: 'encoder.layers.0.mlp', layer: 0 },
      { kind: 'layer', path: 'encoder.layers.1', layer: 1 },
      { kind: 'mlp', path: 'encoder.layers.1.mlp', layer: 1 },
    ]);
    const towers = new ModuleList([new TinyModel(), new TinyModel()]);
    const mlps = findSites(towers, 'mlp');
    expect(mlps.map((site) => site.path)).toEqual([
      '0.encoder.layers.0.mlp',
      '0.encoder.layers.1.mlp',
      '1.encoder.layers.0.mlp',
      '1.encoder.layers.1.mlp',
    ]);
    for (const site of mlps) expect(towers.getSubmodule(site.path)).toBeInstanceOf(Mlp);
    towers.dispose();
  });

  it('findSites fails when a kind is missing', () => {
    expect(() => findSites(model, 'attention')).toThrow(
      "findSites: TinyModel declares no 'attention' sites (it has: layer, mlp)",
    );
    expect(() => findSites(model.embeddings, 'mlp')).toThrow("findSites: Linear declares no 'mlp' sites");
  });
});

describe('memory', () => {
  it('dispose releases every parameter and buffer', () => {
    const before = tf.memory().numTensors;
    const other = new TinyModel();
    expect(tf.memory().numTensors).toBe(before + MODEL_PARAMS.length + 2);
    other.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('repeated forward and backward passes leak no tensors', () => {
    const x = tf.randomNormal([2, 5, 3]);
    const step = () => {
      const { value, grads } = tf.variableGrads(
        () => tf.sum(tf.square(model.forward(x))) as tf.Scalar,
        model.trainableVariables(),
      );
      tf.dispose([value, ...Object.values(grads)]);
    };
    step();
    const before = tf.memory().numTensors;
    for (let i = 0; i < 3; i++) step();
    expect(tf.memory().numTensors).toBe(before);
    x.dispose();
  });
});
