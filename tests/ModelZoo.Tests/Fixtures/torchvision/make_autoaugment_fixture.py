#!/usr/bin/python3
"""Reference outputs of torchvision's RandAugment/TrivialAugmentWide ops (torchvision.transforms.autoaugment._apply_op)
on the uint8 tensor path, for ModelZoo's AutoAugmentOps; run at test time by AutoAugmentTests.

Usage: make_autoaugment_fixture.py INPUT CASES OUTPUT
  INPUT   raw image: three int32 (C, H, W) then C*H*W bytes (row-major, channel planes)
  CASES   one case per line: `op magnitude` (magnitude as a float, repr-exact)
  OUTPUT  per case: C*H*W bytes, concatenated in case order; then OUTPUT.bins.txt with the magnitude bins of
          RandAugment (31 bins, the input's size) and TrivialAugmentWide (31 bins): `space op v0 v1 ...`
Nearest interpolation, fill None (zeros), as RandAugment and TrivialAugmentWide default to.
"""
import struct
import sys

import torch
from torchvision.transforms import InterpolationMode
from torchvision.transforms.autoaugment import RandAugment, TrivialAugmentWide, _apply_op

src, cases_path, out_path = sys.argv[1:4]
with open(src, "rb") as f:
    c, h, w = struct.unpack("<iii", f.read(12))
    img = torch.tensor(list(f.read(c * h * w)), dtype=torch.uint8).reshape(c, h, w)

with open(cases_path) as f, open(out_path, "wb") as out:
    for line in f:
        if not line.strip():
            continue
        op, magnitude = line.split()
        result = _apply_op(img, op, float(magnitude), interpolation=InterpolationMode.NEAREST, fill=None)
        assert result.dtype == torch.uint8 and result.shape == img.shape, (op, result.dtype, result.shape)
        out.write(bytes(result.flatten().tolist()))

with open(out_path + ".bins.txt", "w") as f:
    for name, space in (("randaugment", RandAugment()._augmentation_space(31, (h, w))),
                        ("trivialaugmentwide", TrivialAugmentWide()._augmentation_space(31))):
        for op, (magnitudes, signed) in space.items():
            values = magnitudes.flatten().tolist() if magnitudes.ndim > 0 else []
            f.write("%s %s %d %s\n" % (name, op, int(signed), " ".join(repr(float(v)) for v in values)))
