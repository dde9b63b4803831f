#!/usr/bin/python3
"""Reference CLIP towers, tokenizer and image preprocessing, and the parity fixtures of
@mergebench/modelpool-clip-vit.

There is no `transformers` here: the towers below follow the semantics of Hugging Face's
modeling_clip.py (CLIPVisionModelWithProjection, CLIPTextModelWithProjection) with the same
parameter names, the tokenizer follows tokenization_clip.py's CLIPTokenizer on its ftfy-less path
(BasicTokenizer cleaning), and the image preprocessing follows CLIPImageProcessor with Pillow's
bicubic resize.

Run from the repository root with Debian's Python (the one that sees python3-torch; Pillow from
python3-pil):

    /usr/bin/python3 tools/reference/clip_fixtures.py

It writes, into packages/modelpool-clip-vit/fixtures/ (checked in; tests never run Python):

- tiny-clip/          a CLIPModel folder as older transformers saved them: config.json with
                      text_config and vision_config (legacy eos_token_id 2), model.safetensors with
                      both towers, both projections, logit_scale and the int64 position_ids
                      buffers; vocab.json and merges.txt of a small BPE learnt here.
- tiny-clip-vision/   a CLIPVisionModelWithProjection folder (gelu, eps 1e-6, no position_ids).
- expected.safetensors inputs and torch outputs (float32 unless noted):
    pixel_values [2,3,32,32]; clip.{last_hidden_state,pooled_output,image_embeds} of tiny-clip;
    vision.image_embeds of tiny-clip-vision;
    text.input_ids [4,77] (I64): three tokenized prompts padded with <|endoftext|> and one raw
    row without <|endoftext|>; text.pooled_legacy / text.embeds_legacy (eos_token_id 2: pooled
    at the argmax id) and text.embeds_eos (pooled at the first <|endoftext|>);
    zero_shot.class_embeddings [3,16] and zero_shot.logits [2,3];
    preprocess.{landscape,portrait}.image (U8 [H,W,3]) and .pixel_values [3,32,32].
- tokens.json         expected token ids of tricky strings, the zero-shot class names and
                      templates, and the special token ids.

Weights, inputs and token ids are the same on every run (fixed seeds); torch's outputs may move in
the last bit or two between runs, as its CPU kernels pick their summation order.
"""

import json
import os
import struct
import unicodedata

import torch
import torch.nn.functional as F
from torch import nn

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "packages", "modelpool-clip-vit",
                   "fixtures")

# ----------------------------------------------------------------------------------------------
# Tokenizer: Hugging Face CLIPTokenizer without ftfy.
# ----------------------------------------------------------------------------------------------

BOS = "<|startoftext|>"
EOS = "<|endoftext|>"
CONTRACTIONS = ("'s", "'t", "'re", "'ve", "'m", "'ll", "'d")


def bytes_to_unicode():
    bs = list(range(ord("!"), ord("~") + 1)) + list(range(ord("¡"), ord("¬") + 1)) + list(range(ord("®"), ord("ÿ") + 1))
    cs = bs[:]
    n = 0
    for b in range(256):
        if b not in bs:
            bs.append(b)
            cs.append(256 + n)
            n += 1
    return dict(zip(bs, map(chr, cs)))


def get_pairs(word):
    return {(a, b) for a, b in zip(word, word[1:])}


def is_cjk(cp):
    return (0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0x20000 <= cp <= 0x2A6DF
            or 0x2A700 <= cp <= 0x2B73F or 0x2B740 <= cp <= 0x2B81F or 0x2B820 <= cp <= 0x2CEAF
            or 0xF900 <= cp <= 0xFAFF or 0x2F800 <= cp <= 0x2FA1F)


def basic_tokenize(text):
    """BasicTokenizer(do_lower_case=True, strip_accents=False, do_split_on_punc=False).tokenize."""
    cleaned = []
    for ch in text:
        cp = ord(ch)
        cat = unicodedata.category(ch)
        if cp == 0 or cp == 0xFFFD or (ch not in "\t\n\r" and cat.startswith("C")):
            continue
        cleaned.append(" " if ch in " \t\n\r" or cat == "Zs" else ch)
    text = "".join(f" {ch} " if is_cjk(ord(ch)) else ch for ch in cleaned)
    text = unicodedata.normalize("NFC", text)
    return " ".join(token.lower() for token in text.split()).split()


def is_letter(ch):
    return unicodedata.category(ch).startswith("L")


def is_number(ch):
    return unicodedata.category(ch).startswith("N")


def pre_tokenize(text):
    """re.findall of CLIP's pattern, which Python's `re` cannot write (no \\p{..}):
    <|startoftext|>|<|endoftext|>|'s|'t|'re|'ve|'m|'ll|'d|[\\p{L}]+|[\\p{N}]|[^\\s\\p{L}\\p{N}]+
    (case-insensitive), alternatives tried in order at each position."""
    words = []
    i = 0
    while i < len(text):
        match = next((s for s in (BOS, EOS) + CONTRACTIONS if text[i:i + len(s)].lower() == s), None)
        if match is None:
            j = i
            if is_letter(text[i]):
                while j < len(text) and is_letter(text[j]):
                    j += 1
            elif is_number(text[i]):
                j = i + 1
            else:
                while j < len(text) and not (text[j].isspace() or is_letter(text[j]) or is_number(text[j])):
                    j += 1
            match = text[i:j]
        if match:
            words.append(match)
            i += len(match)
        else:
            i += 1
    return words


class ClipTokenizer:
    def __init__(self, vocab, merges, max_length=77):
        self.encoder = vocab
        self.bpe_ranks = {pair: rank for rank, pair in enumerate(merges)}
        self.byte_encoder = bytes_to_unicode()
        self.max_length = max_length
        self.cache = {BOS: BOS, EOS: EOS}

    def bpe(self, token):
        if token in self.cache:
            return self.cache[token]
        word = tuple(token[:-1]) + (token[-1] + "</w>",)
        pairs = get_pairs(word)
        if not pairs:
            return token + "</w>"
        while True:
            bigram = min(pairs, key=lambda pair: self.bpe_ranks.get(pair, float("inf")))
            if bigram not in self.bpe_ranks:
                break
            first, second = bigram
            new_word = []
            i = 0
            while i < len(word):
                try:
                    j = word.index(first, i)
                except ValueError:
                    new_word.extend(word[i:])
                    break
                new_word.extend(word[i:j])
                i = j
                if word[i] == first and i < len(word) - 1 and word[i + 1] == second:
                    new_word.append(first + second)
                    i += 2
                else:
                    new_word.append(word[i])
                    i += 1
            word = tuple(new_word)
            if len(word) == 1:
                break
            pairs = get_pairs(word)
        result = " ".join(word)
        self.cache[token] = result
        return result

    def tokenize_segment(self, text):
        tokens = []
        for word in pre_tokenize(" ".join(basic_tokenize(text))):
            encoded = "".join(self.byte_encoder[b] for b in word.encode("utf-8"))
            tokens.extend(self.bpe(encoded).split(" "))
        return tokens

    def tokenize(self, text):
        """Special tokens written in the text are split out first, as PreTrainedTokenizer does."""
        tokens = []
        for part in split_specials(text):
            tokens.extend([part] if part in (BOS, EOS) else self.tokenize_segment(part))
        return tokens

    def encode(self, text):
        unk = self.encoder[EOS]
        ids = [self.encoder.get(t, unk) for t in self.tokenize(text)][: self.max_length - 2]
        return [self.encoder[BOS]] + ids + [self.encoder[EOS]]


def split_specials(text):
    parts = []
    start = 0
    i = 0
    while i < len(text):
        special = next((s for s in (BOS, EOS) if text.startswith(s, i)), None)
        if special:
            if i > start:
                parts.append(text[start:i])
            parts.append(special)
            i += len(special)
            start = i
        else:
            i += 1
    if start < len(text):
        parts.append(text[start:])
    return parts


def learn_bpe(corpus, num_merges):
    """Learns merges the classic way (most frequent adjacent pair; ties by the pair's text)."""
    byte_encoder = bytes_to_unicode()
    counts = {}
    for word in pre_tokenize(" ".join(basic_tokenize(corpus))):
        encoded = "".join(byte_encoder[b] for b in word.encode("utf-8"))
        symbols = tuple(encoded[:-1]) + (encoded[-1] + "</w>",)
        counts[symbols] = counts.get(symbols, 0) + 1
    merges = []
    for _ in range(num_merges):
        pair_counts = {}
        for symbols, count in counts.items():
            for pair in zip(symbols, symbols[1:]):
                pair_counts[pair] = pair_counts.get(pair, 0) + count
        if not pair_counts:
            break
        best = min(pair_counts, key=lambda p: (-pair_counts[p], p))
        merges.append(best)
        merged = {}
        for symbols, count in counts.items():
            out = []
            i = 0
            while i < len(symbols):
                if i < len(symbols) - 1 and (symbols[i], symbols[i + 1]) == best:
                    out.append(symbols[i] + symbols[i + 1])
                    i += 2
                else:
                    out.append(symbols[i])
                    i += 1
            merged[tuple(out)] = merged.get(tuple(out), 0) + count
        counts = merged
    return merges


def clip_vocab(merges):
    """The layout of CLIP's vocab.json: bytes, bytes + </w>, merges, then the two special tokens."""
    symbols = list(bytes_to_unicode().values())
    symbols += [s + "</w>" for s in symbols]
    symbols += ["".join(m) for m in merges]
    symbols += [BOS, EOS]
    return {s: i for i, s in enumerate(symbols)}


# ----------------------------------------------------------------------------------------------
# Towers: Hugging Face modeling_clip.py semantics and names.
# ----------------------------------------------------------------------------------------------

ACTIVATIONS = {
    "quick_gelu": lambda x: x * torch.sigmoid(1.702 * x),
    "gelu": F.gelu,
}


class Attention(nn.Module):
    def __init__(self, dim, heads):
        super().__init__()
        self.heads = heads
        self.head_dim = dim // heads
        self.scale = self.head_dim ** -0.5
        self.q_proj = nn.Linear(dim, dim)
        self.k_proj = nn.Linear(dim, dim)
        self.v_proj = nn.Linear(dim, dim)
        self.out_proj = nn.Linear(dim, dim)

    def forward(self, x, causal_mask=None, attention_mask=None):
        b, n, d = x.shape

        def split(t):
            return t.view(b, n, self.heads, self.head_dim).transpose(1, 2)

        q = split(self.q_proj(x) * self.scale)
        k = split(self.k_proj(x))
        v = split(self.v_proj(x))
        scores = q @ k.transpose(-1, -2)
        if causal_mask is not None:
            scores = scores + causal_mask
        if attention_mask is not None:
            scores = scores + attention_mask
        context = (scores.softmax(dim=-1) @ v).transpose(1, 2).reshape(b, n, d)
        return self.out_proj(context)


class Mlp(nn.Module):
    def __init__(self, dim, hidden, act):
        super().__init__()
        self.act = ACTIVATIONS[act]
        self.fc1 = nn.Linear(dim, hidden)
        self.fc2 = nn.Linear(hidden, dim)

    def forward(self, x):
        return self.fc2(self.act(self.fc1(x)))


class EncoderLayer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.self_attn = Attention(c["hidden_size"], c["num_attention_heads"])
        self.layer_norm1 = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.mlp = Mlp(c["hidden_size"], c["intermediate_size"], c["hidden_act"])
        self.layer_norm2 = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, x, causal_mask=None, attention_mask=None):
        x = x + self.self_attn(self.layer_norm1(x), causal_mask, attention_mask)
        return x + self.mlp(self.layer_norm2(x))


class Encoder(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.layers = nn.ModuleList(EncoderLayer(c) for _ in range(c["num_hidden_layers"]))

    def forward(self, x, causal_mask=None, attention_mask=None):
        for layer in self.layers:
            x = layer(x, causal_mask, attention_mask)
        return x


class VisionEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        d = c["hidden_size"]
        self.class_embedding = nn.Parameter(torch.randn(d))
        self.patch_embedding = nn.Conv2d(c["num_channels"], d, c["patch_size"], stride=c["patch_size"], bias=False)
        num_positions = (c["image_size"] // c["patch_size"]) ** 2 + 1
        self.position_embedding = nn.Embedding(num_positions, d)
        self.register_buffer("position_ids", torch.arange(num_positions).expand((1, -1)), persistent=False)

    def forward(self, pixel_values):
        b = pixel_values.shape[0]
        patches = self.patch_embedding(pixel_values).flatten(2).transpose(1, 2)
        cls = self.class_embedding.expand(b, 1, -1)
        return torch.cat([cls, patches], dim=1) + self.position_embedding(self.position_ids)


class VisionTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.embeddings = VisionEmbeddings(c)
        self.pre_layrnorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])
        self.encoder = Encoder(c)
        self.post_layernorm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, pixel_values):
        last = self.encoder(self.pre_layrnorm(self.embeddings(pixel_values)))
        return last, self.post_layernorm(last[:, 0, :])


# CLIP ViT-B/32's vision tower (openai/clip-vit-base-patch32), for the speed benchmarks.
VIT_B32 = {
    "hidden_size": 768,
    "intermediate_size": 3072,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "num_channels": 3,
    "image_size": 224,
    "patch_size": 32,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-5,
}


class VisionModelWithProjection(nn.Module):
    def __init__(self, c, projection_dim):
        super().__init__()
        self.vision_model = VisionTransformer(c)
        self.visual_projection = nn.Linear(c["hidden_size"], projection_dim, bias=False)

    def forward(self, pixel_values):
        last, pooled = self.vision_model(pixel_values)
        return last, pooled, self.visual_projection(pooled)


class TextEmbeddings(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.token_embedding = nn.Embedding(c["vocab_size"], c["hidden_size"])
        self.position_embedding = nn.Embedding(c["max_position_embeddings"], c["hidden_size"])
        self.register_buffer("position_ids", torch.arange(c["max_position_embeddings"]).expand((1, -1)),
                             persistent=False)

    def forward(self, input_ids):
        n = input_ids.shape[-1]
        return self.token_embedding(input_ids) + self.position_embedding(self.position_ids[:, :n])


class TextTransformer(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.eos_token_id = c["eos_token_id"]
        self.embeddings = TextEmbeddings(c)
        self.encoder = Encoder(c)
        self.final_layer_norm = nn.LayerNorm(c["hidden_size"], eps=c["layer_norm_eps"])

    def forward(self, input_ids, attention_mask=None):
        b, n = input_ids.shape
        lowest = torch.finfo(torch.float32).min
        causal = torch.triu(torch.full((n, n), lowest), diagonal=1).view(1, 1, n, n)
        padding = None
        if attention_mask is not None:
            padding = ((1.0 - attention_mask[:, None, None, :].float()) * lowest).expand(b, 1, n, n)
        last = self.final_layer_norm(self.encoder(self.embeddings(input_ids), causal, padding))
        if self.eos_token_id == 2:
            # Configs from before eos_token_id was fixed: <|endoftext|> has the largest id.
            positions = input_ids.to(torch.int).argmax(dim=-1)
        else:
            positions = (input_ids.to(torch.int) == self.eos_token_id).int().argmax(dim=-1)
        return last, last[torch.arange(b), positions]


class TextModelWithProjection(nn.Module):
    def __init__(self, c, projection_dim):
        super().__init__()
        self.text_model = TextTransformer(c)
        self.text_projection = nn.Linear(c["hidden_size"], projection_dim, bias=False)

    def forward(self, input_ids, attention_mask=None):
        _, pooled = self.text_model(input_ids, attention_mask)
        return pooled, self.text_projection(pooled)


def randomize_norms(module):
    """LayerNorm starts at ones and zeros, which would hide a swapped weight and bias."""
    with torch.no_grad():
        for m in module.modules():
            if isinstance(m, nn.LayerNorm):
                m.weight.copy_(1 + 0.2 * torch.randn_like(m.weight))
                m.bias.copy_(0.2 * torch.randn_like(m.bias))


# ----------------------------------------------------------------------------------------------
# Image preprocessing: CLIPImageProcessor (slow) on a uint8 RGB image.
# ----------------------------------------------------------------------------------------------

CLIP_MEAN = [0.48145466, 0.4578275, 0.40821073]
CLIP_STD = [0.26862954, 0.26130258, 0.27577711]


def clip_preprocess(image, size, crop):
    import numpy as np
    from PIL import Image

    height, width = image.shape[:2]
    short, long = (width, height) if width <= height else (height, width)
    new_long = int(size * long / short)
    new_h, new_w = (new_long, size) if width <= height else (size, new_long)
    resized = np.array(Image.fromarray(image).resize((new_w, new_h), resample=Image.BICUBIC))
    top = (new_h - crop) // 2
    left = (new_w - crop) // 2
    cropped = resized[top:top + crop, left:left + crop]
    rescaled = (cropped.astype(np.float64) * (1 / 255)).astype(np.float32)
    normalized = (rescaled - np.array(CLIP_MEAN, dtype=np.float32)) / np.array(CLIP_STD, dtype=np.float32)
    return torch.from_numpy(normalized.transpose(2, 0, 1).copy())


def smooth_image(height, width, seed):
    """A uint8 image with gradients, edges and noise, so resampling has something to get wrong."""
    g = torch.Generator().manual_seed(seed)
    ys = torch.linspace(0, 1, height).view(-1, 1, 1)
    xs = torch.linspace(0, 1, width).view(1, -1, 1)
    phase = torch.tensor([0.0, 2.0, 4.0]).view(1, 1, 3)
    base = 127.5 + 100 * torch.sin(6 * xs + 4 * ys + phase)
    edge = ((xs > 0.5) & (ys < 0.4)).float() * 90
    noise = torch.randn(height, width, 3, generator=g) * 25
    return (base + edge + noise).round().clamp(0, 255).to(torch.uint8).numpy()


# ----------------------------------------------------------------------------------------------
# Safetensors, written by hand.
# ----------------------------------------------------------------------------------------------

ST_DTYPES = {torch.float32: "F32", torch.int64: "I64", torch.uint8: "U8"}


def write_safetensors(path, tensors):
    header = {"__metadata__": {"format": "pt"}}
    offset = 0
    blobs = []
    for name, t in tensors.items():
        t = t.detach().contiguous()
        data = t.numpy().tobytes()  # little-endian on this machine, as the format requires
        header[name] = {"dtype": ST_DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        offset += len(data)
        blobs.append(data)
    encoded = json.dumps(header, separators=(",", ":")).encode("utf-8")
    encoded += b" " * (-len(encoded) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(encoded)))
        f.write(encoded)
        for blob in blobs:
            f.write(blob)
    print(f"{os.path.relpath(path)}: {os.path.getsize(path)} bytes")


def write_json(path, value):
    with open(path, "w", encoding="utf-8") as f:
        json.dump(value, f, ensure_ascii=False, indent=1)
        f.write("\n")
    print(f"{os.path.relpath(path)}: {os.path.getsize(path)} bytes")


# ----------------------------------------------------------------------------------------------
# Fixtures.
# ----------------------------------------------------------------------------------------------

CORPUS = """
a photo of a cat. a photo of the dog. a blurry photo of a bird. a photo of a sea lion on the rocks.
the quick brown fox jumps over the lazy dog. it's a photo of the large truck, isn't it?
photos of planes, trains and automobiles. there are 747 photos here and 12 photos there.
café naïve résumé crème brûlée. the cats and the dogs play together in the park.
a centered satellite photo of a forest. a photo of the number seven. a close-up photo of a texture.
"""

TRICKY = [
    "a photo of a cat.",
    "It's a photo of THE dog!!",
    "don't we'll they're I'd you've I'm",
    "Numbers: 747, 3.14159 and 2024-01-31",
    "café naïve Résumé crème brûlée",
    "emoji 🐱🐶 and ☀️ sun",
    "  extra \t whitespace\n\nand\r\nnewlines   ",
    "",
    "punctuation!?... (brackets) [x] {y} <z> \"quotes\" 'single'",
    "a<|endoftext|>b <|startoftext|> inside",
    "中文 mixed 日本語 text",
    "zero\u200bwidth and\u00a0nbsp",
    " ".join(["long"] * 40) + " text that will be truncated",
]

CLASS_NAMES = ["cat", "sea lion", "747 plane"]
TEMPLATES = ["a photo of a {}.", "a blurry photo of the {}!", "{}"]

TEXT_BASE = {
    "hidden_size": 32,
    "intermediate_size": 48,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "max_position_embeddings": 77,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-5,
    "projection_dim": 16,
    "model_type": "clip_text_model",
}

VISION_CLIP = {
    "hidden_size": 32,
    "intermediate_size": 64,
    "num_hidden_layers": 2,
    "num_attention_heads": 4,
    "num_channels": 3,
    "image_size": 32,
    "patch_size": 8,
    "hidden_act": "quick_gelu",
    "layer_norm_eps": 1e-5,
    "projection_dim": 16,
    "model_type": "clip_vision_model",
}

VISION_ONLY = {
    "hidden_size": 24,
    "intermediate_size": 40,
    "num_hidden_layers": 3,
    "num_attention_heads": 3,
    "num_channels": 3,
    "image_size": 32,
    "patch_size": 16,
    "hidden_act": "gelu",
    "layer_norm_eps": 1e-6,
    "projection_dim": 8,
    "attention_dropout": 0.0,
    "model_type": "clip_vision_model",
}


def pad_batch(rows, pad_id, length):
    ids = torch.full((len(rows), length), pad_id, dtype=torch.int64)
    mask = torch.zeros((len(rows), length), dtype=torch.int64)
    for i, row in enumerate(rows):
        ids[i, : len(row)] = torch.tensor(row)
        mask[i, : len(row)] = 1
    return ids, mask


def zero_shot(text_model, tokenizer, image_embeds, logit_scale):
    eos_id = tokenizer.encoder[EOS]
    classes = []
    for name in CLASS_NAMES:
        rows = [tokenizer.encode(t.format(name)) for t in TEMPLATES]
        ids, mask = pad_batch(rows, eos_id, max(len(r) for r in rows))
        _, embeds = text_model(ids, mask)
        embeds = embeds / embeds.norm(dim=-1, keepdim=True)
        mean = embeds.mean(dim=0)
        classes.append(mean / mean.norm())
    class_embeddings = torch.stack(classes)
    images = image_embeds / image_embeds.norm(dim=-1, keepdim=True)
    return class_embeddings, logit_scale.exp() * images @ class_embeddings.t()


def main():
    torch.manual_seed(0)
    os.makedirs(os.path.join(OUT, "tiny-clip"), exist_ok=True)
    os.makedirs(os.path.join(OUT, "tiny-clip-vision"), exist_ok=True)

    merges = learn_bpe(CORPUS, 150)
    vocab = clip_vocab(merges)
    tokenizer = ClipTokenizer(vocab, merges)
    with open(os.path.join(OUT, "tiny-clip", "merges.txt"), "w", encoding="utf-8") as f:
        f.write("#version: 0.2\n" + "".join(f"{a} {b}\n" for a, b in merges))
    write_json(os.path.join(OUT, "tiny-clip", "vocab.json"), vocab)

    # A CLIPModel as openai/clip-vit-base-patch32 is stored: legacy token ids, position_ids saved.
    text_config = dict(TEXT_BASE, vocab_size=len(vocab), bos_token_id=0, eos_token_id=2, pad_token_id=1)
    vision = VisionModelWithProjection(VISION_CLIP, 16)
    text = TextModelWithProjection(text_config, 16)
    randomize_norms(vision)
    randomize_norms(text)
    logit_scale = torch.tensor(3.2)
    clip_config = {
        "architectures": ["CLIPModel"],
        "model_type": "clip",
        "projection_dim": 16,
        "logit_scale_init_value": 2.6592,
        "text_config": text_config,
        "vision_config": VISION_CLIP,
    }
    weights = {}
    weights.update({k: v for k, v in text.state_dict().items()})
    weights["text_model.embeddings.position_ids"] = text.text_model.embeddings.position_ids
    weights.update({k: v for k, v in vision.state_dict().items()})
    weights["vision_model.embeddings.position_ids"] = vision.vision_model.embeddings.position_ids
    weights["logit_scale"] = logit_scale
    write_json(os.path.join(OUT, "tiny-clip", "config.json"), clip_config)
    write_safetensors(os.path.join(OUT, "tiny-clip", "model.safetensors"), weights)

    vision_only = VisionModelWithProjection(VISION_ONLY, VISION_ONLY["projection_dim"])
    randomize_norms(vision_only)
    write_json(os.path.join(OUT, "tiny-clip-vision", "config.json"),
               dict(VISION_ONLY, architectures=["CLIPVisionModelWithProjection"]))
    write_safetensors(os.path.join(OUT, "tiny-clip-vision", "model.safetensors"), vision_only.state_dict())

    expected = {}
    with torch.no_grad():
        pixel_values = torch.randn(2, 3, 32, 32)
        last, pooled, image_embeds = vision(pixel_values)
        expected["pixel_values"] = pixel_values
        expected["clip.last_hidden_state"] = last
        expected["clip.pooled_output"] = pooled
        expected["clip.image_embeds"] = image_embeds
        expected["vision.image_embeds"] = vision_only(pixel_values)[2]

        eos_id = vocab[EOS]
        rows = [tokenizer.encode(s) for s in ("a photo of a cat.", TRICKY[-1], "")]
        ids, _ = pad_batch(rows, eos_id, 77)
        # No <|endoftext|>: the legacy rule pools at the largest id, the other at position 0.
        raw = torch.randint(0, len(vocab) - 2, (1, 77), generator=torch.Generator().manual_seed(7))
        ids = torch.cat([ids, raw])
        pooled_legacy, embeds_legacy = text(ids)
        expected["text.input_ids"] = ids
        expected["text.pooled_legacy"] = pooled_legacy
        expected["text.embeds_legacy"] = embeds_legacy
        text.text_model.eos_token_id = eos_id
        expected["text.embeds_eos"] = text(ids)[1]
        text.text_model.eos_token_id = 2

        class_embeddings, logits = zero_shot(text, tokenizer, image_embeds, logit_scale)
        expected["zero_shot.class_embeddings"] = class_embeddings
        expected["zero_shot.logits"] = logits

        for name, (h, w, seed) in {"landscape": (23, 61, 1), "portrait": (80, 45, 2)}.items():
            image = smooth_image(h, w, seed)
            expected[f"preprocess.{name}.image"] = torch.from_numpy(image)
            expected[f"preprocess.{name}.pixel_values"] = clip_preprocess(image, 32, 32)
    write_safetensors(os.path.join(OUT, "expected.safetensors"), expected)

    write_json(os.path.join(OUT, "tokens.json"), {
        "bos_token_id": vocab[BOS],
        "eos_token_id": eos_id,
        "cases": [{"text": s, "ids": tokenizer.encode(s)} for s in TRICKY],
        "zero_shot": {"class_names": CLASS_NAMES, "templates": TEMPLATES},
    })


if __name__ == "__main__":
    main()
