#!/usr/bin/python3
"""PyTorch 1.13 fp32 eager inference of a torchvision model: eval() + inference_mode, random weights, one round.

Usage: torch_infer.py MODEL BATCH THREADS [ITERATIONS]   prints "torch <images/s>".
"""
import sys
import time

import torch
import torchvision

model_name, batch, threads = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
iterations = int(sys.argv[4]) if len(sys.argv) > 4 else (20 if batch == 1 else 3)
torch.set_num_threads(threads)
model = getattr(torchvision.models, model_name)().eval()
x = torch.rand(batch, 3, 224, 224) * 4 - 2
with torch.inference_mode():
    model(x)  # warm-up
    start = time.perf_counter()
    for _ in range(iterations):
        model(x)
    elapsed = time.perf_counter() - start
print(f"torch {iterations * batch / elapsed:.2f}")
