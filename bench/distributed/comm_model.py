#!/usr/bin/python3
"""Communication cost of data-parallel training per zoo model (docs/results.md, issue 15).

Usage: modelzoo list --json | python3 bench/distributed/comm_model.py [PROCESSES]

Per optimiser step every process all-reduces its float32 gradients (4 bytes per parameter). A ring all-reduce sends
and receives 2 (N - 1) / N times that per process, so on a link of B bit/s the transfer takes
t_c = 2 (N - 1) / N * bytes * 8 / B seconds. Without overlap of communication and computation the scaling efficiency
is t_s / (t_s + t_c), at least 90 % when the compute time of a step t_s >= 9 t_c. The table gives, per model, the
bytes per step and that smallest step time for 10, 25 and 100 Gb/s links.
"""
import json
import sys

n = int(sys.argv[1]) if len(sys.argv) > 1 else 8
models = json.load(sys.stdin)
links = [10e9, 25e9, 100e9]
print(f"| model | parameters | MB all-reduced per step | min. step time for 90 % efficiency at N = {n}: 10 / 25 / 100 Gb/s |")
print("| --- | ---: | ---: | --- |")
for m in sorted(models, key=lambda m: m["params"]):
    grad_bytes = 4 * m["params"]
    wire = 2 * (n - 1) / n * grad_bytes * 8
    times = [9 * wire / b for b in links]
    print(f"| {m['name']} | {m['params']:,} | {grad_bytes / 1e6:,.1f} | " + " / ".join(f"{t * 1e3:,.1f} ms" for t in times) + " |")
