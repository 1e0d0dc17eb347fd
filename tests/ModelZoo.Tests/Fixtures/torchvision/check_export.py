#!/usr/bin/python3
"""Loads a ModelZoo safetensors export into torchvision and runs it, for ModelZoo's export tests.

Usage: /usr/bin/python3 check_export.py MODEL WEIGHTS.safetensors INPUT.safetensors OUT.safetensors

Reads the safetensors files by hand (the format's spec; no safetensors package), builds torchvision's MODEL
(resnet18, vgg11_bn, googlenet, deepcnn is not torchvision's), calls load_state_dict(strict=True), and writes the
eval-mode logits for INPUT's tensor "x" to OUT as "y" (F32).
"""
import json
import struct
import sys

import numpy as np
import torch
import torchvision.models as tvm

NP = {"F32": np.float32, "I64": np.int64, "F64": np.float64}


def read(path):
    with open(path, "rb") as f:
        n = struct.unpack("<Q", f.read(8))[0]
        header = json.loads(f.read(n))
        data = f.read()
    out = {}
    for name, e in header.items():
        if name == "__metadata__":
            continue
        b, end = e["data_offsets"]
        arr = np.frombuffer(data[b:end], dtype=NP[e["dtype"]]).reshape(e["shape"])
        out[name] = torch.from_numpy(arr.copy())
    return out


def write(path, tensors):
    header, blobs, offset = {}, [], 0
    for name, t in tensors.items():
        raw = t.detach().contiguous().numpy().astype(np.float32).tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    h = json.dumps(header).encode()
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(h)))
        f.write(h)
        for b in blobs:
            f.write(b)


def main(name, weights, inputs, out):
    build = {"resnet18": lambda: tvm.resnet18(), "vgg11_bn": lambda: tvm.vgg11_bn(),
             "googlenet": lambda: tvm.googlenet(aux_logits=False, init_weights=False)}[name]
    model = build()
    model.load_state_dict(read(weights), strict=True)
    model.eval()
    with torch.no_grad():
        y = model(read(inputs)["x"])
    write(out, {"y": y})


if __name__ == "__main__":
    main(*sys.argv[1:5])
