import * as tf from '@tensorflow/tfjs';
await tf.setBackend('cpu');
const stop = tf.customGrad((x, save) => ({ value: tf.clone(x), gradFunc: (dy) => tf.zerosLike(dy) }));
const w = tf.variable(tf.tensor1d([0.3, -0.2, 0.5]));
const { value, grads } = tf.variableGrads(() => {
  const logits = tf.mul(w, tf.tensor1d([1, 2, 3]));
  const lp = tf.logSoftmax(logits);
  const s = stop(tf.sqrt(tf.softmax(logits)));
  return tf.sum(tf.mul(s, lp));
}, [w]);
grads[w.name].print();
// manual: d/dz sum_c s_c logp_c = s - p * sum(s)
const z = tf.mul(w, tf.tensor1d([1,2,3])); const p = tf.softmax(z); const s = tf.sqrt(p);
tf.mul(tf.sub(s, tf.mul(p, tf.sum(s))), tf.tensor1d([1,2,3])).print();
console.log(tf.memory().numTensors);
