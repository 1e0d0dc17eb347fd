#!/usr/bin/python3
"""Writes the files the weights-download tests serve from a loopback HTTP server.

Usage: /usr/bin/python3 make_hub_files.py OUTDIR MARKER   (Debian python3-torch / python3-torchvision)

OUTDIR/resnet18.pth: torchvision's resnet18 with random weights, saved by torch.save (zip format), as torchvision's
published files are. OUTDIR/hostile.pth: a torch.save file whose pickle runs os.system("touch MARKER") when Python
loads it (the classic malicious checkpoint); ModelZoo must refuse it without running anything, so MARKER never appears.
resnet18.legacy.pth and hostile.legacy.pth: the same two in torch.save's format before PyTorch 1.6.
The tests run this at test time; nothing it writes is committed.
"""
import os
import sys

import torch
import torchvision.models as tvm


class Hostile:
    def __init__(self, marker):
        self.marker = marker

    def __reduce__(self):
        return (os.system, ("touch " + self.marker,))


def main(outdir, marker):
    torch.manual_seed(1234)
    state = tvm.resnet18().state_dict()
    hostile = {"conv1.weight": torch.zeros(64, 3, 7, 7), "payload": Hostile(marker)}
    torch.save(state, os.path.join(outdir, "resnet18.pth"))
    torch.save(hostile, os.path.join(outdir, "hostile.pth"))
    # The same in torch.save's format before PyTorch 1.6 (torchvision's VGG and GoogLeNet files are in it).
    torch.save(state, os.path.join(outdir, "resnet18.legacy.pth"), _use_new_zipfile_serialization=False)
    torch.save(hostile, os.path.join(outdir, "hostile.legacy.pth"), _use_new_zipfile_serialization=False)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
