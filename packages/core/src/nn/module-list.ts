import { check, MergebenchError } from '../errors.js';
import { Module } from './module.js';

/**
 * An ordered list of child modules named "0", "1", ... (as `encoder.layers.0`). Items are read
 * from the module tree, so replacements made with setSubmodule show here; `T` describes the
 * modules as built, which may no longer hold after such a replacement.
 */
export class ModuleList<T extends Module = Module> extends Module {
  constructor(modules: Iterable<T> = []) {
    super();
    for (const module of modules) this.append(module);
  }

  get length(): number {
    return this.namedChildren().size;
  }

  append(module: T): this {
    this.registerModule(String(this.length), module);
    return this;
  }

  at(index: number): T {
    check(
      Number.isInteger(index) && index >= 0 && index < this.length,
      () => `ModuleList: index ${index} is out of range for ${this.length} items`,
    );
    return this.getSubmodule(String(index)) as T;
  }

  *[Symbol.iterator](): Iterator<T> {
    for (const module of this.namedChildren().values()) yield module as T;
  }

  forward(): never {
    throw new MergebenchError('ModuleList has no forward: call its items');
  }
}
