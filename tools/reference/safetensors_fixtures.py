#!/usr/bin/python3
"""Safetensors fixtures for @mergebench/core's checkpoint reader and writer.

Run from the repository root with Debian's Python (the one that sees python3-torch):

    /usr/bin/python3 tools/reference/safetensors_fixtures.py

It writes, into packages/core/fixtures/safetensors/ (checked in; tests never run Python):

- dtypes.safetensors  every dtype (F32, F16, BF16, F64, I64, I32, U8, BOOL), a scalar (shape []),
                      empty tensors (a 0 dimension), odd sizes, NaN / +-Inf / -0 / subnormals,
                      with a __metadata__ map (one value is non-ASCII, stored as UTF-8).
                      It also holds rounding.f32 (float32 values chosen to exercise rounding:
                      exact ties, subnormal results, overflow, random bit patterns) and
                      rounding.f16 / rounding.bf16, the same values as torch converted them.
- sharded/            a 3-shard Hugging Face checkpoint: model-0000N-of-00003.safetensors and
                      model.safetensors.index.json ({metadata: {total_size}, weight_map}); the
                      index keys are sorted (json.dumps(sort_keys=True)) the way transformers
                      writes them, so they are not in shard order.
- expected.json       every tensor's dtype, shape and values as torch sees them after .float()
                      (floats) or as Python ints (integers, bool as 0/1), flattened row-major;
                      "nan", "inf", "-inf" stand where JSON cannot hold the value. The rounding.*
                      tensors are left out: tests compare their bits with each other.

The files are written by hand (there is no safetensors package here) in the layout the
TypeScript writer uses, so that reading a file and writing it back reproduces it byte for byte:
8-byte little-endian header length; compact JSON header with __metadata__ first, then the
tensors in data order, each {"dtype", "shape", "data_offsets"}; the header padded with spaces
to a multiple of 8 bytes; then the tensors' little-endian bytes back to back.
"""

import json
import math
import os
import struct

import torch

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages', 'core', 'fixtures',
                   'safetensors')

DTYPE_NAMES = {
    torch.float64: 'F64',
    torch.float32: 'F32',
    torch.float16: 'F16',
    torch.bfloat16: 'BF16',
    torch.int64: 'I64',
    torch.int32: 'I32',
    torch.uint8: 'U8',
    torch.bool: 'BOOL',
}


def tensor_bytes(t):
    t = t.contiguous()
    if t.dtype == torch.bfloat16:  # numpy has no bfloat16: take the bits
        t = t.view(torch.int16)
    return t.numpy().tobytes()  # this machine is little-endian, as the format requires


def write_safetensors(path, tensors, metadata=None):
    """tensors: list of (name, tensor) in the order the data is laid out."""
    header = {}
    if metadata is not None:
        header['__metadata__'] = metadata
    blobs = []
    offset = 0
    for name, t in tensors:
        data = tensor_bytes(t)
        header[name] = {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape),
                        'data_offsets': [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    text = json.dumps(header, separators=(',', ':'), ensure_ascii=False).encode('utf-8')
    text += b' ' * (-len(text) % 8)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)))
        f.write(text)
        for data in blobs:
            f.write(data)
    return offset


def json_number(x):
    if isinstance(x, float):
        if math.isnan(x):
            return 'nan'
        if math.isinf(x):
            return 'inf' if x > 0 else '-inf'
    return x


def expected_entry(t):
    flat = t.reshape(-1)
    if t.dtype.is_floating_point:
        values = [json_number(v) for v in flat.float().tolist()]
    else:
        values = [int(v) for v in flat.tolist()]
    return {'dtype': DTYPE_NAMES[t.dtype], 'shape': list(t.shape), 'values': values}


def f32_from_bits(bits):
    return torch.tensor(bits, dtype=torch.int64).to(torch.int32).view(torch.float32)


def rounding_values():
    """float32 values that exercise F32 -> F16 / BF16 rounding."""
    parts = []
    inf = float('inf')
    nan = float('nan')
    parts.append(torch.tensor([
        0.0, -0.0, 1.0, -1.0, inf, -inf, nan, -nan,
        1 + 2 ** -11, 1 + 3 * 2 ** -11, -(1 + 2 ** -11),  # F16 ties: down to even, up to even
        1 + 2 ** -8, 1 + 3 * 2 ** -8, -(1 + 3 * 2 ** -8),  # BF16 ties
        65504.0, 65519.0, 65519.996, 65520.0, 65536.0, 1e5, -1e5,  # F16 max, overflow to inf
        2 ** -14, 2 ** -14 - 2 ** -24, 2 ** -24, 2 ** -25, 3 * 2 ** -25, 5 * 2 ** -25,  # F16 subnormals
        2 ** -26, 1.5 * 2 ** -25, 2 ** -25 + 2 ** -40, 2 ** -25 - 2 ** -40,
        3.3895313892515355e38, 3.3961775292304e38, 3.3961776e38, 3.4028234663852886e38,  # BF16 near max
        2 ** -126, 2 ** -127, 2 ** -133, 2 ** -134, 3 * 2 ** -134, 1.4e-45, -1.4e-45,  # F32/BF16 subnormals
        0.1, 1 / 3, math.pi, -math.e, 1e-3, 1e-8, 1e10,
    ], dtype=torch.float32))
    # normals in F16's range and below it, at many scales
    for e in range(-30, 17, 2):
        parts.append(torch.randn(24) * 2.0 ** e)
    # exact F16 ties: random normals with the 13 dropped bits set to 1000...0
    base = (torch.rand(128) * 2 - 1) * 60000
    bits = base.view(torch.int32) & ~0x1FFF | 0x1000
    parts.append(bits.view(torch.float32))
    # exact BF16 ties
    base = torch.randn(128) * 1e3
    bits = base.view(torch.int32) & ~0xFFFF | 0x8000
    parts.append(bits.view(torch.float32))
    # F16 subnormal ties and near-ties
    k = torch.arange(1, 64, 2, dtype=torch.float32)
    parts.append(k * 2.0 ** -25)
    parts.append(-k * 2.0 ** -25)
    # random bit patterns: every exponent, NaN payloads, F32 subnormals
    parts.append(f32_from_bits(torch.randint(0, 2 ** 32, (1024,), dtype=torch.int64).tolist()))
    return torch.cat(parts)


def main():
    torch.manual_seed(1234)
    inf = float('inf')
    nan = float('nan')

    tensors = [
        ('f32.special', torch.tensor([nan, inf, -inf, -0.0, 0.0, 1.4e-45, 1.1754942e-38, 1.1754944e-38,
                                      3.4028235e38, -1.5], dtype=torch.float32)),
        ('f32.odd', torch.randn(3, 5, 7)),
        ('f32.scalar', torch.tensor(3.25)),
        ('f32.empty', torch.zeros(0, 3)),
        ('f16.special', torch.tensor([nan, inf, -inf, -0.0, 2 ** -24, 2 ** -14 - 2 ** -24, 2 ** -14, 65504.0,
                                      -65504.0, 1 / 3], dtype=torch.float16)),
        ('f16.odd', torch.randn(5, 3).to(torch.float16)),
        ('bf16.special', torch.tensor([nan, inf, -inf, -0.0, 2 ** -133, 2 ** -126, 3.3895313892515355e38, 1 / 3],
                                      dtype=torch.bfloat16)),
        ('bf16.odd', torch.randn(2, 3, 3).to(torch.bfloat16)),
        ('f64.values', torch.tensor([0.1, -2.5, 1e-300, 1e300, nan, -0.0], dtype=torch.float64)),
        ('i64.values', torch.tensor([0, -1, 2 ** 31 - 1, -2 ** 31, 123456, -7], dtype=torch.int64)),
        ('i64.scalar', torch.tensor(42, dtype=torch.int64)),
        ('i32.values', torch.tensor([[1, -2, 3], [2 ** 31 - 1, -2 ** 31, 0]], dtype=torch.int32)),
        ('u8.values', torch.tensor([0, 1, 127, 128, 200, 255, 7], dtype=torch.uint8)),
        ('bool.values', torch.tensor([[True, False, True, True], [False, False, True, False]])),
        ('bool.empty', torch.zeros(0, dtype=torch.bool)),
    ]
    rounding = rounding_values()
    tensors += [
        ('rounding.f32', rounding),
        ('rounding.f16', rounding.to(torch.float16)),
        ('rounding.bf16', rounding.to(torch.bfloat16)),
    ]
    metadata = {'format': 'pt', 'source': 'tools/reference/safetensors_fixtures.py', 'note': 'naïve ✓'}
    write_safetensors(os.path.join(OUT, 'dtypes.safetensors'), tensors, metadata)

    # a small model in 3 shards, in the order a model would be saved
    shards = [
        [('embed.weight', torch.randn(4, 3)), ('layers.0.weight', torch.randn(3, 3))],
        [('layers.0.bias', torch.randn(3).to(torch.float16)), ('layers.1.weight', torch.randn(3, 3).to(torch.bfloat16)),
         ('layers.10.weight', torch.randn(2, 2))],
        [('head.weight', torch.randn(2, 3)), ('head.step', torch.tensor(1000, dtype=torch.int64)),
         ('mask', torch.tensor([True, False, True]))],
    ]
    weight_map = {}
    total = 0
    sharded_expected = {}
    for i, shard in enumerate(shards):
        name = 'model-%05d-of-%05d.safetensors' % (i + 1, len(shards))
        total += write_safetensors(os.path.join(OUT, 'sharded', name), shard, {'format': 'pt'})
        for key, t in shard:
            weight_map[key] = name
            sharded_expected[key] = dict(expected_entry(t), shard=name)
    index = {'metadata': {'total_size': total}, 'weight_map': weight_map}
    with open(os.path.join(OUT, 'sharded', 'model.safetensors.index.json'), 'w') as f:
        f.write(json.dumps(index, indent=2, sort_keys=True) + '\n')

    expected = {
        'generator': 'tools/reference/safetensors_fixtures.py, torch %s' % torch.__version__,
        'dtypes': {
            'metadata': metadata,
            'tensors': {k: expected_entry(t) for k, t in tensors if not k.startswith('rounding.')},
            'order': [k for k, _ in tensors],
            'rounding_count': rounding.numel(),
        },
        'sharded': {
            'total_size': total,
            'tensors': sharded_expected,
            'order': [k for shard in shards for k, _ in shard],
        },
    }
    with open(os.path.join(OUT, 'expected.json'), 'w') as f:
        f.write(json.dumps(expected, indent=1, ensure_ascii=False) + '\n')


if __name__ == '__main__':
    main()
