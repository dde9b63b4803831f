import * as tf from '@tensorflow/tfjs';
import { it } from 'vitest';

it('unstack grad', () => {
  const v = tf.variable(tf.ones([3, 4]));
  const { value, grads } = tf.variableGrads(() => {
    const cols = tf.unstack(v, 1);
    return tf.sum(tf.mul(cols[0], cols[2])) as tf.Scalar;
  }, [v]);
  console.log(value.dataSync(), grads[v.name].arraySync());
});
