#!/usr/bin/python3
"""Writes random-init torchvision weights and the logits PyTorch computes with them, for ModelZoo's import tests.

Usage: /usr/bin/python3 make_weights.py OUTDIR MODEL [MODEL ...]   (Debian python3-torch / python3-torchvision)

For each MODEL (resnet18, vgg11_bn, googlenet, googlenet_aux, googlenet_tin = transform_input=True): OUTDIR/MODEL.pth written by torch.save (zip format),
OUTDIR/MODEL.legacy.pth (torch.save's format before PyTorch 1.6, _use_new_zipfile_serialization=False),
OUTDIR/MODEL.safetensors (written here by hand to the format's spec, so it does not depend on ModelZoo's writer or
the safetensors package), and OUTDIR/MODEL.io.safetensors holding the fixed input "x" (2x3x224x224) and PyTorch's
eval-mode logits "y". The tests run this at test time; nothing it writes is committed.
"""
import json
import struct
import sys

import torch
import torchvision.models as tvm

BUILD = {
    "resnet18": lambda: tvm.resnet18(),
    "vgg11_bn": lambda: tvm.vgg11_bn(),
    "googlenet": lambda: tvm.googlenet(aux_logits=False, init_weights=True),
    "googlenet_aux": lambda: tvm.googlenet(aux_logits=True, init_weights=True),
    # As torchvision builds it for its published weights: transform_input re-normalises the input in forward.
    "googlenet_tin": lambda: tvm.googlenet(aux_logits=False, init_weights=True, transform_input=True),
}
DTYPES = {torch.float32: "F32", torch.int64: "I64"}


def write_safetensors(path, tensors):
    header, blobs, offset = {"__metadata__": {"format": "pt"}}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().cpu().numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


def main(outdir, names):
    for name in names:
        torch.manual_seed(1234)
        model = BUILD[name]()
        # Random batch-norm statistics, so a loader that skipped the running mean/var would show in the logits.
        with torch.no_grad():
            if name.startswith("googlenet"):
                # torchvision's GoogLeNet init (N(0, 0.01)) shrinks the signal so much over 22 layers that the logits
                # barely depend on the input (6e-8 apart for different inputs); He-scaled weights keep them input-driven.
                for m in model.modules():
                    if isinstance(m, (torch.nn.Conv2d, torch.nn.Linear)):
                        torch.nn.init.kaiming_normal_(m.weight)
                for fc in (model.fc, getattr(model, "aux1", None) and model.aux1.fc2, getattr(model, "aux2", None) and model.aux2.fc2):
                    if fc is not None:
                        fc.weight.mul_(0.05)  # logits of order 1, as a trained network's, so float32 rounding stays small
            for m in model.modules():
                if isinstance(m, torch.nn.BatchNorm2d):
                    m.running_mean.uniform_(-0.2, 0.2)
                    m.running_var.uniform_(0.5, 1.5)
        model.eval()
        x = torch.randn(2, 3, 224, 224)
        with torch.no_grad():
            y = model(x)
        state = model.state_dict()
        torch.save(state, f"{outdir}/{name}.pth")
        # The format before PyTorch 1.6, in which torchvision's VGG and GoogLeNet files were published.
        torch.save(state, f"{outdir}/{name}.legacy.pth", _use_new_zipfile_serialization=False)
        write_safetensors(f"{outdir}/{name}.safetensors", state)
        write_safetensors(f"{outdir}/{name}.io.safetensors", {"x": x, "y": y})


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
