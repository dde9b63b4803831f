import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { MergebenchError } from '../errors.js';
import { stateDictSource } from './source.js';
import { disposeStateDict } from './state-dict.js';

describe('stateDictSource', () => {
  it('describes and reads tensors as clones the caller disposes', async () => {
    const sd = new Map<string, tf.Tensor>([
      ['a', tf.tensor([[1, 2]])],
      ['ids', tf.tensor([3], [1], 'int32')],
    ]);
    const source = stateDictSource(sd, 'memory:model');
    expect(source.origin).toBe('memory:model');
    expect(source.keys()).toEqual(['a', 'ids']);
    expect(source.info('a')).toEqual({ shape: [1, 2], storedDtype: 'float32' });
    expect(source.info('ids').storedDtype).toBe('int32');
    const t = await source.read('a');
    expect(t).not.toBe(sd.get('a'));
    t.dispose();
    expect(Array.from(sd.get('a')!.dataSync())).toEqual([1, 2]);
    await source.close();
    expect(sd.get('a')!.isDisposed).toBe(false);
    disposeStateDict(sd);
  });

  it('names the origin and key it lacks, and refuses reads after close', async () => {
    const sd = new Map([['a', tf.scalar(1)]]);
    const source = stateDictSource(sd, 'model-x');
    expect(() => source.info('b')).toThrow(new MergebenchError("model-x has no key 'b'"));
    await expect(source.read('b')).rejects.toThrow(MergebenchError);
    await source.close();
    await expect(source.read('a')).rejects.toThrow("model-x was closed: key 'a' can no longer be read");
    disposeStateDict(sd);
  });
});
