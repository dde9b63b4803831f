import * as tf from '@tensorflow/tfjs';
import { Module } from './module.js';

/** Children named "0", "1", ..., applied one after the other to a single tensor. */
export class Sequential extends Module {
  constructor(modules: Iterable<Module> = []) {
    super();
    let index = 0;
    for (const module of modules) this.registerModule(String(index++), module);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let y = x;
      for (const module of this.namedChildren().values()) y = module.forward(y);
      return y;
    });
  }
}
