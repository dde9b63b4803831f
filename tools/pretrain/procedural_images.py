"""Procedurally generated images of many classes, drawn on the fly on the training device.

The offline benchmark has no pretrained vision model to start from (CLIP's weights cannot be
fetched), so its broad pretraining is done on images made here: five families of classes, none of
them the images or generators of the eight evaluated tasks.

- strokes:   glyphs of 1 to 4 quadratic Bézier strokes (handwriting-like shapes);
- blobs:     silhouettes made of the union of 2 to 4 ellipses;
- gratings:  periodic textures of one or two gratings (orientation, frequency, waveform);
- counts:    1 to 6 disks of one of 8 sizes on a jittered 3×3 grid;
- hues:      a random glyph painted in one of 30 hue bins.

A class fixes its shape parameters; each drawing jitters them (affine transform, stroke width,
phase, colours, noise), so a class is a concept to recognise, not a picture to memorise.
Images are 3×size×size in [0, 1].
"""

import math

import torch

STROKES, BLOBS, GRATINGS = 1500, 500, 300
COUNT_SIZES, MAX_COUNT = 8, 6
HUE_BINS = 30
POINTS_PER_STROKE = 8
MAX_STROKES = 4
MAX_ELLIPSES = 4
# How often each family is drawn: strokes and blobs carry most of the shape vocabulary.
FAMILY_WEIGHTS = {"strokes": 0.4, "blobs": 0.2, "gratings": 0.15, "counts": 0.12, "hues": 0.13}


def uniform(gen, shape, lo, hi, device):
    return lo + (hi - lo) * torch.rand(shape, generator=gen, device=device)


class ProceduralImages:
    def __init__(self, size=32, seed=0, device="cpu", families=tuple(FAMILY_WEIGHTS)):
        self.size = size
        self.device = device
        g = torch.Generator().manual_seed(seed)  # class definitions are drawn on the CPU: same on every device

        def u(shape, lo, hi):
            return (lo + (hi - lo) * torch.rand(shape, generator=g)).to(device)

        # strokes: control points → polyline points [C, MAX_STROKES, POINTS, 2], unused strokes masked
        control = u((STROKES, MAX_STROKES, 3, 2), 0.15, 0.85)
        t = torch.linspace(0, 1, POINTS_PER_STROKE, device=device).view(1, 1, -1, 1)
        p0, p1, p2 = control[:, :, 0:1], control[:, :, 1:2], control[:, :, 2:3]
        self.stroke_points = (1 - t) ** 2 * p0 + 2 * (1 - t) * t * p1 + t ** 2 * p2
        count = torch.randint(1, MAX_STROKES + 1, (STROKES,), generator=g).to(device)
        self.stroke_used = torch.arange(MAX_STROKES, device=device).view(1, -1) < count.view(-1, 1)
        self.stroke_width = u((STROKES,), 0.035, 0.08)
        # blobs: ellipse centres, semi-axes, angles [C, MAX_ELLIPSES, ...]
        self.blob_center = u((BLOBS, MAX_ELLIPSES, 2), 0.3, 0.7)
        self.blob_axes = u((BLOBS, MAX_ELLIPSES, 2), 0.07, 0.28)
        self.blob_angle = u((BLOBS, MAX_ELLIPSES), 0, math.pi)
        count = torch.randint(2, MAX_ELLIPSES + 1, (BLOBS,), generator=g).to(device)
        self.blob_used = torch.arange(MAX_ELLIPSES, device=device).view(1, -1) < count.view(-1, 1)
        # gratings: two orientations and frequencies (cycles per image), waveform sharpness, how they mix
        self.grating_angle = u((GRATINGS, 2), 0, math.pi)
        self.grating_freq = u((GRATINGS, 2), 2.0, 8.0)
        self.grating_sharp = torch.where(u((GRATINGS,), 0, 1) < 0.5, 0.7, 4.0)
        self.grating_mode = torch.randint(0, 3, (GRATINGS,), generator=g).to(device)  # 0 one, 1 product, 2 sum
        self.count_radius = torch.linspace(0.035, 0.11, COUNT_SIZES, device=device)

        self.families = list(families)
        sizes = {"strokes": STROKES, "blobs": BLOBS, "gratings": GRATINGS,
                 "counts": COUNT_SIZES * MAX_COUNT, "hues": HUE_BINS}
        self.offsets, offset = {}, 0
        for name in self.families:
            self.offsets[name] = offset
            offset += sizes[name]
        self.sizes = sizes
        self.num_classes = offset
        centers = (torch.arange(size, device=device, dtype=torch.float32) + 0.5) / size
        yy, xx = torch.meshgrid(centers, centers, indexing="ij")
        self.grid = torch.stack([xx, yy], -1).view(1, -1, 2)  # [1, P, 2] (x, y)

    # -------------------------------------------------------------------------------------------

    def sample(self, batch, gen):
        """`batch` images [B, 3, size, size] in [0, 1] and their class ids [B]."""
        weights = torch.tensor([FAMILY_WEIGHTS[f] for f in self.families], device=self.device)
        family = torch.multinomial(weights, batch, replacement=True, generator=gen)
        images, labels = [], []
        for index, name in enumerate(self.families):
            n = int((family == index).sum())
            if n == 0:
                continue
            cls = torch.randint(0, self.sizes[name], (n,), generator=gen, device=self.device)
            images.append(getattr(self, f"_{name}")(cls, gen))
            labels.append(cls + self.offsets[name])
        images = torch.cat(images)
        labels = torch.cat(labels)
        noise = uniform(gen, (images.shape[0], 1, 1, 1), 0, 0.06, self.device)
        images = images + noise * torch.randn(images.shape, generator=gen, device=self.device)
        return images.clamp(0, 1), labels

    # -------------------------------------------------------------------------------------------

    def _jittered_grid(self, n, gen):
        """Pixel centres mapped into each drawing's shape coordinates by a random affine transform."""
        d = self.device
        angle = uniform(gen, (n,), -0.35, 0.35, d)
        scale = uniform(gen, (n, 1, 2), 0.8, 1.2, d)
        shift = uniform(gen, (n, 1, 2), -0.1, 0.1, d)
        cos, sin = torch.cos(angle).view(n, 1), torch.sin(angle).view(n, 1)
        p = self.grid - 0.5 - shift
        x = (cos * p[..., 0] + sin * p[..., 1])
        y = (-sin * p[..., 0] + cos * p[..., 1])
        return torch.stack([x, y], -1) / scale + 0.5  # [n, P, 2]

    def _paint(self, ink, gen, colour=None):
        """Ink [n, P] in [0, 1] → images: grey or coloured foreground on a background."""
        n, d = ink.shape[0], self.device
        grey = uniform(gen, (n, 1, 1), 0, 1, d) < 0.6
        bg_level = uniform(gen, (n, 1, 1), 0.0, 0.4, d)
        fg_level = uniform(gen, (n, 1, 1), 0.6, 1.0, d)
        invert = uniform(gen, (n, 1, 1), 0, 1, d) < 0.15
        bg_level, fg_level = torch.where(invert, fg_level, bg_level), torch.where(invert, bg_level, fg_level)
        bg = torch.where(grey, bg_level.expand(n, 3, 1), uniform(gen, (n, 3, 1), 0, 0.5, d))
        fg = torch.where(grey, fg_level.expand(n, 3, 1), uniform(gen, (n, 3, 1), 0.4, 1, d))
        if colour is not None:
            fg = colour.view(n, 3, 1)
            bg = bg_level.expand(n, 3, 1) * 0.8
        image = bg + (fg - bg) * ink.view(n, 1, -1)
        return image.view(n, 3, self.size, self.size)

    def _stroke_ink(self, cls, gen):
        n, d = cls.shape[0], self.device
        q = self._jittered_grid(n, gen)  # [n, P, 2]
        points = self.stroke_points[cls]  # [n, S, K, 2]
        points = points + uniform(gen, points.shape[:2] + (1, 2), -0.03, 0.03, d)
        a = points[:, :, :-1].reshape(n, 1, -1, 2)
        b = points[:, :, 1:].reshape(n, 1, -1, 2)
        used = self.stroke_used[cls].unsqueeze(-1).expand(-1, -1, POINTS_PER_STROKE - 1).reshape(n, 1, -1)
        ab = b - a
        t = (((q.unsqueeze(2) - a) * ab).sum(-1) / (ab * ab).sum(-1).clamp_min(1e-8)).clamp(0, 1)
        dist = (q.unsqueeze(2) - a - t.unsqueeze(-1) * ab).norm(dim=-1)
        dist = torch.where(used, dist, torch.full_like(dist, 10.0)).amin(-1)  # [n, P]
        width = self.stroke_width[cls].view(n, 1) * uniform(gen, (n, 1), 0.7, 1.3, d)
        return torch.sigmoid((width - dist) * self.size * 2)

    def _strokes(self, cls, gen):
        return self._paint(self._stroke_ink(cls, gen), gen)

    def _blobs(self, cls, gen):
        n = cls.shape[0]
        q = self._jittered_grid(n, gen).unsqueeze(2)  # [n, P, 1, 2]
        centre = self.blob_center[cls].unsqueeze(1)  # [n, 1, E, 2]
        axes = self.blob_axes[cls].unsqueeze(1)
        angle = self.blob_angle[cls].unsqueeze(1)
        rel = q - centre
        u = torch.cos(angle) * rel[..., 0] + torch.sin(angle) * rel[..., 1]
        v = -torch.sin(angle) * rel[..., 0] + torch.cos(angle) * rel[..., 1]
        radius = torch.sqrt((u / axes[..., 0]) ** 2 + (v / axes[..., 1]) ** 2)
        signed = (radius - 1) * axes.amin(-1)  # about the distance outside the ellipse
        signed = torch.where(self.blob_used[cls].unsqueeze(1), signed, torch.full_like(signed, 10.0))
        return self._paint(torch.sigmoid(-signed.amin(-1) * self.size * 2), gen)

    def _gratings(self, cls, gen):
        n, d = cls.shape[0], self.device
        angle = self.grating_angle[cls] + uniform(gen, (n, 2), -0.09, 0.09, d)
        freq = self.grating_freq[cls] * uniform(gen, (n, 2), 0.92, 1.08, d)
        phase = uniform(gen, (n, 2), 0, 2 * math.pi, d)
        x, y = self.grid[..., 0], self.grid[..., 1]  # [1, P]
        along = torch.cos(angle).unsqueeze(1) * x.unsqueeze(-1) + torch.sin(angle).unsqueeze(1) * y.unsqueeze(-1)
        wave = torch.tanh(self.grating_sharp[cls].view(n, 1, 1) *
                          torch.sin(2 * math.pi * freq.unsqueeze(1) * along + phase.unsqueeze(1)))  # [n, P, 2]
        mode = self.grating_mode[cls].view(n, 1)
        mixed = torch.where(mode == 0, wave[..., 0], torch.where(mode == 1, wave[..., 0] * wave[..., 1],
                                                                  0.5 * (wave[..., 0] + wave[..., 1])))
        return self._paint(0.5 + 0.5 * mixed, gen)

    def _counts(self, cls, gen):
        n, d = cls.shape[0], self.device
        radius = self.count_radius[cls // MAX_COUNT].view(n, 1, 1)
        count = (cls % MAX_COUNT + 1).view(n, 1)
        # n of 9 cells without replacement: the ranks of random keys
        order = torch.rand((n, 9), generator=gen, device=d).argsort(-1)
        cell = torch.stack([order % 3, order // 3], -1).float()  # [n, 9, 2]
        centre = (cell + 0.5) / 3 + uniform(gen, (n, 9, 2), -0.06, 0.06, d)
        dist = (self.grid.unsqueeze(2) - centre.unsqueeze(1)).norm(dim=-1)  # [n, P, 9]
        used = torch.arange(9, device=d).view(1, 9) < count
        dist = torch.where(used.unsqueeze(1), dist, torch.full_like(dist, 10.0)).amin(-1)
        radius = radius.view(n, 1) * uniform(gen, (n, 1), 0.85, 1.15, d)
        return self._paint(torch.sigmoid((radius - dist) * self.size * 2), gen)

    def _hues(self, cls, gen):
        n, d = cls.shape[0], self.device
        glyph = torch.randint(0, STROKES, (n,), generator=gen, device=d)
        hue = (cls.float() + uniform(gen, (n,), 0.15, 0.85, d)) / HUE_BINS * 6  # sextants
        saturation = uniform(gen, (n,), 0.6, 1.0, d)
        value = uniform(gen, (n,), 0.65, 1.0, d)
        k = (torch.tensor([5.0, 3.0, 1.0], device=d).view(1, 3) + hue.view(n, 1)) % 6
        channel = torch.clamp(torch.minimum(k, 4 - k), 0, 1)  # the standard HSV → RGB formula
        colour = value.view(n, 1) * (1 - saturation.view(n, 1) * channel)
        return self._paint(self._stroke_ink(glyph, gen), gen, colour=colour)
