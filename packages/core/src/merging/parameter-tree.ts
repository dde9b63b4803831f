import { MergebenchError } from '../errors.js';
import { Module } from '../nn/module.js';
import type { StateDict } from '../tensors/types.js';

/**
 * A module that is only its weights: one parameter per state-dict key, nested by the dotted
 * names (`a.b.weight` is parameter `weight` of child `b` of child `a`). It lets a merge write into
 * checkpoints of any architecture, without building the network itself.
 */
export class ParameterTree extends Module {
  forward(): never {
    throw new MergebenchError(
      'a ParameterTree holds weights only and has no forward pass: load the model through its architecture to run it',
    );
  }

  /** Builds the tree from a state dict, taking ownership of its tensors (no copy is made). */
  static fromStateDict(sd: StateDict): ParameterTree {
    const root = new ParameterTree();
    const nodes = new Map<string, ParameterTree>([['', root]]);
    const node = (path: string): ParameterTree => {
      const found = nodes.get(path);
      if (found) return found;
      const cut = path.lastIndexOf('.');
      const child = node(cut < 0 ? '' : path.slice(0, cut)).registerModule(
        path.slice(cut + 1),
        new ParameterTree(),
      );
      nodes.set(path, child);
      return child;
    };
    for (const [key, tensor] of sd) {
      const cut = key.lastIndexOf('.');
      node(cut < 0 ? '' : key.slice(0, cut)).registerParameter(key.slice(cut + 1), tensor);
    }
    return root;
  }
}
