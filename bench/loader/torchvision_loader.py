#!/usr/bin/env python3
"""Baseline for the loader benchmark: torchvision ImageFolder + DataLoader(num_workers=2).

Usage: torchvision_loader.py DIR [--repeat N] [--size 224] [--batch 64] [--workers 2] [--eval]

DIR is an ImageNet-format folder (DIR/<class>/* or DIR/train/<class>/*; with train/ present, train/ is used).
The data set is repeated N times (the same files, reshuffled) to get enough images to time.
Training transforms (the default) match ModelZoo's `imagenet` preset: RandomResizedCrop(size) +
RandomHorizontalFlip + ToTensor + Normalize(ImageNet). --eval uses Resize(256/224*size) + CenterCrop(size).
Prints one line: `torchvision images/s: X (N images, T s)`, after one untimed warm-up batch.
"""
import argparse
import os
import sys
import time

import torch
from torch.utils.data import ConcatDataset, DataLoader
from torchvision import datasets, transforms


def main() -> int:
    p = argparse.ArgumentParser()
    p.add_argument("dir")
    p.add_argument("--repeat", type=int, default=10)
    p.add_argument("--size", type=int, default=224)
    p.add_argument("--batch", type=int, default=64)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--eval", action="store_true")
    a = p.parse_args()

    root = a.dir
    if os.path.isdir(os.path.join(root, "train")):
        root = os.path.join(root, "train")
    norm = transforms.Normalize([0.485, 0.456, 0.406], [0.229, 0.224, 0.225])
    if a.eval:
        t = transforms.Compose([
            transforms.Resize(round(a.size * 256 / 224)),
            transforms.CenterCrop(a.size),
            transforms.ToTensor(), norm])
    else:
        t = transforms.Compose([
            transforms.RandomResizedCrop(a.size),
            transforms.RandomHorizontalFlip(),
            transforms.ToTensor(), norm])
    base = datasets.ImageFolder(root, transform=t)
    ds = ConcatDataset([base] * a.repeat)
    torch.manual_seed(0)
    loader = DataLoader(ds, batch_size=a.batch, shuffle=True, num_workers=a.workers,
                        persistent_workers=False, drop_last=False)
    it = iter(loader)
    first = next(it)  # warm-up: workers started, first batch decoded
    n = 0
    start = time.perf_counter()
    for images, labels in it:
        n += images.shape[0]
    elapsed = time.perf_counter() - start
    print(f"torchvision images/s: {n / elapsed:.1f} ({n} images, {elapsed:.2f} s, "
          f"batch {a.batch}, workers {a.workers}, size {a.size}, first batch {tuple(first[0].shape)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
