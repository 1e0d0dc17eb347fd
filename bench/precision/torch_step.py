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
times = []
for i in range(steps):
    t0 = time.perf_counter()
    with torch.autocast("cpu", dtype=torch.bfloat16, enabled=(prec == "bf16")):
        logits = net(x)
    loss = nn.functional.cross_entropy(logits.float(), y)
    opt.zero_grad()
    loss.backward()
    opt.step()
    loss.item()
    times.append(time.perf_counter() - t0)
med = statistics.median(times[2:])
print(f"{model_name} b{batch} {prec} {fmt}: median step {med * 1000:.1f} ms, {batch / med:.1f} img/s", flush=True)
if os.environ.get("MODELZOO_BENCH_RSS") == "1":
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024} MB", flush=True)
