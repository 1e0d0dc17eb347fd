"""PyTorch reference for bench/PrecisionBench: median training-step time of a torchvision model on random input.

python3 torch_step.py MODEL BATCH fp32|bf16 nchw|cl STEPS [THREADS]
Prints one line: "<model> b<batch> <precision> <format>: median step X ms, Y img/s" (the same line PrecisionBench prints).
bf16 is torch.autocast("cpu", torch.bfloat16) around the forward pass; cl is channels_last for the model and input.
"""
import os, resource, sys, time, statistics
import torch, torch.nn as nn, torchvision

model_name, batch, prec, fmt, steps = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4], int(sys.argv[5])
torch.set_num_threads(int(sys.argv[6]) if len(sys.argv) > 6 else 2)
torch.manual_seed(0)
if model_name == "deepcnn":
    def conv(i, o, p): return nn.Conv2d(i, o, 3, 1, p)
    net = nn.Sequential(conv(1, 16, 1), nn.ReLU(), conv(16, 16, 1), nn.ReLU(), nn.MaxPool2d(2),
                        conv(16, 32, 1), nn.ReLU(), conv(32, 32, 2), nn.ReLU(), nn.MaxPool2d(2),
                        conv(32, 64, 1), nn.ReLU(), conv(64, 64, 1), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(1024, 50), nn.ReLU(), nn.Dropout(0.5), nn.Linear(50, 10), nn.Dropout(0.5))
    size, ch = 28, 1
elif model_name == "conv3x3":  # the bare-convolution probe of PrecisionBench
    net = nn.Sequential(nn.Conv2d(64, 64, 3, padding=1, bias=False), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    size, ch = 56, 64
elif model_name == "convbn":
    net = nn.Sequential(nn.Conv2d(64, 64, 3, padding=1, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    size, ch = 56, 64
elif model_name == "stem":
    net = nn.Sequential(nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(64, 10))
    size, ch = 224, 3
else:
    net = getattr(torchvision.models, model_name)(num_classes=10)
    size, ch = 224, 3
net.train()
x = torch.randn(batch, ch, size, size)
y = torch.randint(0, 10, (batch,))
if fmt == "cl":
    net = net.to(memory_format=torch.channels_last)
    x = x.contiguous(memory_format=torch.channels_last)
opt = torch.optim.Adam(net.parameters(), 1e-3)
if os.environ.get("MODELZOO_BENCH_LAYERS") == "1":
    per = {}
    for i in range(steps):
        h = x
        for name, child in net.named_children():
            if name == "fc": h = h.flatten(1)
            t = time.perf_counter(); h = child(h); per.setdefault(name, []).append((time.perf_counter() - t) * 1000)
    print("layers: " + ", ".join(f"{k} {statistics.median(v[2:]):.1f}" for k, v in per.items()), flush=True)
times, fwd, bwd, upd = [], [], [], []
for i in range(steps):
    t0 = time.perf_counter()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=(prec == "bf16")):
        logits = net(x)
    loss = nn.functional.cross_entropy(logits.float(), y)
    t1 = time.perf_counter()
    opt.zero_grad()
    loss.backward()
    t2 = time.perf_counter()
    opt.step()
    t3 = time.perf_counter()
    loss.item()
    times.append(time.perf_counter() - t0)
    fwd.append(t1 - t0); bwd.append(t2 - t1); upd.append(t3 - t2)
med = statistics.median(times[2:])
print(f"{model_name} b{batch} {prec} {fmt}: median step {med * 1000:.1f} ms, {batch / med:.1f} img/s", flush=True)
if os.environ.get("MODELZOO_BENCH_SPLIT") == "1":
    m = lambda t: statistics.median(t[2:]) * 1000
    print(f"split: forward+loss {m(fwd):.1f} ms, zero_grad+backward {m(bwd):.1f} ms, optimiser {m(upd):.1f} ms", flush=True)
if os.environ.get("MODELZOO_BENCH_RSS") == "1":
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB", flush=True)
