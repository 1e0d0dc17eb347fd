#!/usr/bin/python3
"""Writes resize.txt: PyTorch's antialiased bilinear resize of a real MNIST digit, the reference for
ModelZoo's ImageOps.Resample (crop window + resize in one pass).

Input: the first training digit of ../shared/datasets/mnist-subset-10k (1x28x28, bytes / 255).
Each case crops rows [top, top+h) and columns [left, left+w), then calls
torch.nn.functional.interpolate(mode="bilinear", align_corners=False, antialias=True).
One line per case: `name top left h w outH outW v0 v1 ...` (row-major output values).

Usage (from this folder): /usr/bin/python3 make_resize_fixture.py  (Debian python3-torch 1.13)
"""
import gzip
import os

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))
IDX = os.path.join(HERE, "../../../../../shared/datasets/mnist-subset-10k/train-images-idx3-ubyte.gz")

CASES = [
    # name, top, left, h, w, outH, outW
    ("upscale", 0, 0, 28, 28, 45, 61),          # every output pixel has at most two taps
    ("downscale", 0, 0, 28, 28, 9, 13),         # widened triangle filter (antialias), many taps
    ("crop_upscale", 2, 3, 19, 17, 30, 26),     # window inside the image
    ("crop_mixed", 5, 1, 20, 26, 31, 8),        # up in one axis, down in the other
]

with gzip.open(IDX, "rb") as f:
    data = f.read(16 + 28 * 28)
digit = torch.tensor(list(data[16:]), dtype=torch.float32).reshape(1, 1, 28, 28) / 255.0

lines = [
    "# PyTorch %s: F.interpolate(bilinear, align_corners=False, antialias=True) of a cropped real MNIST digit" % torch.__version__,
    "# written by make_resize_fixture.py; format: name top left h w outH outW values...",
]
for name, top, left, h, w, oh, ow in CASES:
    window = digit[:, :, top:top + h, left:left + w]
    out = F.interpolate(window, size=(oh, ow), mode="bilinear", align_corners=False, antialias=True)
    values = " ".join("%.8g" % v for v in out.flatten().tolist())
    lines.append("%s %d %d %d %d %d %d %s" % (name, top, left, h, w, oh, ow, values))
with open(os.path.join(HERE, "resize.txt"), "w") as f:
    f.write("\n".join(lines) + "\n")
print("wrote resize.txt with %d cases" % len(CASES))
